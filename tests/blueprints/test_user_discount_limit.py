"""A manager's discount limit: the admin sets it on the user form (0–100 %, two decimals)."""

import html
import re
from decimal import Decimal

import pytest

from crm.extensions import db
from crm.models import Role, User
from crm.services import users
from crm.services.errors import DomainError
from tests.factories import make_user


def user_data(user: User, **fields) -> dict:
    """The user form as the browser sends it, with `fields` changed."""
    return {"name": user.name, "email": user.email, "role": user.role, "active": "y"} | fields


def reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def field_block(response, field_id: str) -> str:
    page = response.get_data(as_text=True)
    blocks = re.findall(r'<div class="field[^"]*">.*?</div>', page, re.S)
    found = [b for b in blocks if f'id="{field_id}"' in b]
    assert found, f"no field {field_id}"
    return html.unescape(found[0])


@pytest.fixture
def as_admin(client, admin):
    client.login(admin.email)
    return client


# --- the service ---------------------------------------------------------------------------


def test_a_new_user_may_give_ten_percent_unless_told_otherwise():
    assert make_user("a@example.com").max_discount == Decimal(10)
    other = users.create_user("b@example.com", "B", "password1", Role.MANAGER, Decimal("12.5"))
    assert other.max_discount == Decimal("12.50")


@pytest.mark.parametrize("percent", ["0", "0.01", "15.5", "99.99", "100", "7.50"])
def test_any_limit_from_0_to_100_with_two_decimals_is_kept(manager, percent):
    users.set_max_discount(manager, Decimal(percent))
    db.session.commit()
    assert reload(manager).max_discount == Decimal(percent)


@pytest.mark.parametrize("percent", ["-0.01", "100.01", "7.555", "NaN", "Infinity"])
def test_a_limit_outside_0_to_100_or_finer_than_a_hundredth_is_refused(manager, percent):
    with pytest.raises(DomainError):
        users.set_max_discount(manager, Decimal(percent))
    assert reload(manager).max_discount == Decimal(10)


# --- the admin's form ----------------------------------------------------------------------


def test_the_user_form_shows_the_limit_labelled_with_its_current_value(as_admin, manager):
    users.set_max_discount(manager, Decimal("12.5"))
    db.session.commit()

    block = field_block(as_admin.get(f"/admin/users/{manager.id}"), "max_discount")

    assert "Maximum discount without approval, %" in block
    assert '<label for="max_discount">' in block and 'value="12.50"' in block


def test_a_new_user_form_starts_at_ten_percent(as_admin):
    assert 'value="10.00"' in field_block(as_admin.get("/admin/users/new"), "max_discount")


def test_the_admin_creates_a_user_with_a_limit_typed_with_a_decimal_comma(as_admin):
    data = {
        "name": "Ірина",
        "email": "iryna@example.com",
        "role": "manager",
        "password": "password99",
        "max_discount": "7,5",
    }

    response = as_admin.send("/admin/users/new", data)

    assert response.status_code == 302
    created = db.session.scalar(db.select(User).where(User.email == "iryna@example.com"))
    assert created.max_discount == Decimal("7.50")


def test_the_admin_changes_a_managers_limit_and_the_list_shows_it(as_admin, manager):
    response = as_admin.send(f"/admin/users/{manager.id}", user_data(manager, max_discount="25"))

    assert response.status_code == 302
    assert reload(manager).max_discount == Decimal(25)
    page = html.unescape(as_admin.get("/admin/users").get_data(as_text=True))
    assert "Max. discount without approval" in page
    row = re.search(r"<tr>\s*<td><a[^>]*>Олена Коваль</a>.*?</tr>", page, re.S).group(0)
    assert "25 %" in row


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("101", "Number must be between 0 and 100."),
        ("-1", "Number must be between 0 and 100."),
        ("ten", "Not a valid decimal value."),
        ("", "This field is required."),
        ("7.555", "Use at most two decimal places."),
    ],
)
def test_an_invalid_limit_is_shown_next_to_the_field_and_nothing_is_saved(
    as_admin, manager, value, message
):
    url = f"/admin/users/{manager.id}"
    response = as_admin.send(url, user_data(manager, name="Renamed", max_discount=value))

    assert response.status_code == 422
    block = field_block(response, "max_discount")
    assert "has-error" in block and message in block
    saved = reload(manager)
    assert saved.max_discount == Decimal(10) and saved.name == "Олена Коваль"


def test_a_post_without_the_field_keeps_the_limit(as_admin, manager):
    users.set_max_discount(manager, Decimal(30))
    db.session.commit()

    response = as_admin.send(f"/admin/users/{manager.id}", user_data(manager, name="Renamed"))

    assert response.status_code == 302
    saved = reload(manager)
    assert saved.name == "Renamed" and saved.max_discount == Decimal(30)


def test_a_manager_cannot_raise_their_own_limit(client, manager):
    client.login(manager.email)

    response = client.send(f"/admin/users/{manager.id}", user_data(manager, max_discount="100"))

    assert response.status_code == 403
    assert reload(manager).max_discount == Decimal(10)
