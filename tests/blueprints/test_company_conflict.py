"""Two admins editing the company profile: a save from a stale form is refused, not merged."""

import html
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry
from crm.services import company
from crm.services.errors import EditConflictError
from tests.blueprints.test_company_settings import field_block, state, text
from tests.factories import make_user
from tests.services.test_company import VALID, stored

PAGE = "/admin/company"
PHONE = "+380 44 390 12 34"
ADDRESS = "01032, м. Київ, вул. Саксаганського, 121"
CONFLICT = "Someone else saved the company profile meanwhile: the form shows it as it is now."


class ProfileForm(HTMLParser):
    """What a browser would post from the profile form: every field as the page fills it."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("action") == PAGE
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and name != "csrf_token":
            if attrs.get("type") != "radio" or "checked" in attrs:
                self.values[name] = attrs.get("value") or ""
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.values[self.select] = attrs["value"]
        elif tag == "textarea":
            self.textarea = name
            self.values[name] = ""

    def handle_data(self, data) -> None:  # noqa: ANN001
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag) -> None:  # noqa: ANN001
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            # As browsers do, drop the line break that follows <textarea>.
            value = self.values[self.textarea]
            self.values[self.textarea] = value.removeprefix("\r\n").removeprefix("\n")
            self.textarea = None


def open_form(client) -> dict[str, str]:
    response = client.get(PAGE)
    assert response.status_code == 200
    values = ProfileForm(response.get_data(as_text=True)).values
    assert set(company.PROFILE_KEYS) | {"fingerprint"} <= set(values)
    return values


@pytest.fixture
def first(client, admin):
    """Admin A, in the `client` fixture."""
    client.login(admin.email)
    return client


@pytest.fixture
def second(app):
    """Admin B, in a browser of her own."""
    other = make_user("bea@example.com", role="admin", name="Bea Admin")
    browser = app.test_client()
    browser.login(other.email)
    return browser


# --- over HTTP -----------------------------------------------------------------------------


def test_a_save_from_a_form_opened_before_another_admins_save_is_refused(first, second):
    form_a = open_form(first)
    form_b = open_form(second)  # B opens the page before A saves
    assert form_a["fingerprint"] == form_b["fingerprint"] == company.profile_fingerprint()

    saved = first.send(PAGE, {**form_a, "company_phone": PHONE})
    assert saved.status_code == 302
    assert stored()["company_phone"] == PHONE
    before = state()

    response = second.send(PAGE, {**form_b, "company_address": ADDRESS})

    assert response.status_code == 409
    assert state() == before  # nothing saved, nothing audited
    assert stored()["company_phone"] == PHONE  # A's phone survives
    assert "company_address" not in stored()
    assert CONFLICT in text(response)
    # The form shows the profile as stored now, with the fingerprint of that version ...
    page = response.get_data(as_text=True)
    shown = ProfileForm(page).values
    assert shown["company_phone"] == PHONE and shown["company_address"] == ""
    assert shown["fingerprint"] == company.profile_fingerprint()
    # ... and what B typed differently is listed beside it, so it is not lost.
    conflict = html.unescape(page.split('id="conflict"', 1)[1].split("</section>", 1)[0])
    assert "Address" in conflict and ADDRESS in conflict
    assert "Phone" in conflict  # B's form still had the phone empty
    assert "Company name" not in conflict  # the same on both sides: not listed

    # Saving again from the refreshed form applies B's change on top of A's.
    again = second.send(PAGE, {**shown, "company_address": ADDRESS})
    assert again.status_code == 302
    assert stored()["company_phone"] == PHONE and stored()["company_address"] == ADDRESS


def test_a_save_with_the_current_fingerprint_is_saved(first, second):
    first.send(PAGE, {**open_form(first), "company_phone": PHONE})
    form = open_form(second)  # opened after A's save: up to date

    response = second.send(PAGE, {**form, **VALID})

    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    assert company.company_profile().company_name == VALID["company_name"]
    assert "The company profile was saved." in text(second.get(PAGE))
    assert ProfileForm(second.get(PAGE).get_data(as_text=True)).values["fingerprint"] == (
        company.profile_fingerprint()
    )


def test_saving_the_same_form_twice_is_refused_the_second_time(first):
    form = open_form(first)
    assert first.send(PAGE, {**form, "company_phone": PHONE}).status_code == 302

    response = first.send(PAGE, {**form, "company_phone": "+380 67 000 00 00"})

    assert response.status_code == 409
    assert stored()["company_phone"] == PHONE


def test_an_invalid_form_keeps_the_fingerprint_it_was_opened_with(first, second):
    form = open_form(second)
    invalid = second.send(PAGE, {**form, "default_vat_rate": "двадцять"})
    assert invalid.status_code == 422
    assert ProfileForm(invalid.get_data(as_text=True)).values["fingerprint"] == form["fingerprint"]
    first.send(PAGE, {**open_form(first), "company_phone": PHONE})

    # Corrected, the form is still the one opened before A's save.
    response = second.send(PAGE, {**form, "default_vat_rate": "7"})

    assert response.status_code == 409
    assert stored()["company_phone"] == PHONE and "default_vat_rate" not in stored()


def test_an_invalid_value_in_a_stale_form_is_listed_as_typed(first, second):
    form = open_form(second)
    first.send(PAGE, {**open_form(first), "company_phone": PHONE})

    response = second.send(PAGE, {**form, "offer_validity_days": "999"})

    assert response.status_code == 409
    assert "999" in text(response)
    assert "has-error" not in field_block(response, "offer_validity_days")


# --- the service ---------------------------------------------------------------------------


def test_the_fingerprint_follows_the_stored_values(admin):
    fresh = company.profile_fingerprint()
    assert len(fresh) == 64 and fresh == company.profile_fingerprint(company.stored_profile())
    # Saving the value already there changes nothing.
    company.save_company_profile(admin, {"offer_prefix": "КП-"})
    assert company.profile_fingerprint() == fresh

    company.save_company_profile(admin, {"company_phone": PHONE}, fresh)
    db.session.commit()

    changed = company.profile_fingerprint()
    assert changed != fresh
    assert changed == company.profile_fingerprint({**company.stored_profile()})
    values = company.stored_profile()
    # Each field counts, and a value can't be shifted into its neighbour unnoticed.
    assert company.profile_fingerprint({**values, "company_email": "x@example.com"}) != changed
    shifted = {**values, "company_name": values["company_name"] + PHONE, "company_phone": ""}
    assert company.profile_fingerprint(shifted) != changed


def test_a_stale_fingerprint_raises_and_saves_nothing(admin):
    opened = company.profile_fingerprint()
    company.save_company_profile(admin, {"company_phone": PHONE}, opened)
    db.session.commit()
    audits = db.session.scalar(select(db.func.count()).select_from(AuditEntry))

    with pytest.raises(EditConflictError):
        company.save_company_profile(admin, {"company_address": ADDRESS}, opened)
    db.session.commit()

    assert stored() == {"company_phone": PHONE}
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == audits


def test_without_a_fingerprint_the_save_is_not_checked(admin):
    company.save_company_profile(admin, {"company_phone": PHONE})
    company.save_company_profile(admin, {"company_address": ADDRESS})
    db.session.commit()

    assert stored() == {"company_phone": PHONE, "company_address": ADDRESS}


def test_the_conflict_is_checked_before_the_values(admin):
    opened = company.profile_fingerprint()
    company.save_company_profile(admin, {"company_phone": PHONE})

    with pytest.raises(EditConflictError):
        company.save_company_profile(admin, {"default_vat_rate": "двадцять"}, opened)


def test_unsaved_values_are_those_that_differ_from_the_stored_profile(admin):
    company.save_company_profile(admin, {"company_phone": PHONE})
    db.session.commit()

    typed = {
        "company_phone": "",
        "company_name": "",
        "default_vat_rate": "20,0",
        "offer_prefix": "?",
    }

    assert company.unsaved_values(typed) == {"company_phone": "", "offer_prefix": "?"}
