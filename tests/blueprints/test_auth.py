"""Logging in and out: credentials, throttling, sessions that end, redirects, language."""

import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import LoginAttempt, User
from tests.factories import make_user

THROTTLED = "Too many failed attempts"
WRONG = "Wrong e-mail or password."


def post_login(client, email: str, password: str, ip: str = "127.0.0.1", **kwargs):
    """One login attempt from the given source address."""
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": client.csrf_token()},
        environ_base={"REMOTE_ADDR": ip},
        **kwargs,
    )


def logged_in(client) -> bool:
    return client.get("/clients").status_code == 200


def field_error(html: str, field: str) -> str:
    """The error text shown next to a form field (the element with id <field>-error)."""
    match = re.search(rf'<p id="{field}-error"[^>]*>(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


def attempts() -> int:
    return db.session.scalar(select(func.count()).select_from(LoginAttempt))


# --- logging in ----------------------------------------------------------------------------


def test_login_with_the_right_password_opens_the_client_base(client, manager):
    response = client.login(manager.email)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert logged_in(client)
    assert attempts() == 0


def test_the_email_is_matched_whatever_its_case_and_spaces(client, manager):
    response = post_login(client, "  Olena@Example.COM ", "password1")

    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("olena@example.com", "wrong-password", id="wrong-password"),
        pytest.param("nobody@example.com", "password1", id="unknown-email"),
    ],
)
def test_wrong_credentials_are_refused_with_one_message(client, manager, email, password):
    response = post_login(client, email, password)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "password") == WRONG  # the same words: no hint which was wrong
    assert not logged_in(client)
    assert attempts() == 1


def test_an_inactive_user_cannot_log_in(client, manager):
    manager.active = False
    db.session.commit()

    response = client.login(manager.email)

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "password") == WRONG
    assert not logged_in(client)


def test_a_deactivated_user_is_logged_out_at_once(app, client, admin, manager):
    client.login(manager.email)
    assert logged_in(client)
    admin_client = app.test_client()
    admin_client.login(admin.email)

    response = admin_client.send(
        f"/admin/users/{manager.id}",
        {"name": manager.name, "email": manager.email, "role": "manager"},  # "active" unticked
    )

    assert response.status_code == 302
    assert db.session.get(User, manager.id).active is False
    assert client.get("/clients").status_code == 302


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/clients")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_needs_a_post(client, manager):
    client.login(manager.email)

    assert client.get("/logout").status_code == 405
    assert logged_in(client)


# --- throttling ----------------------------------------------------------------------------


def test_ten_failures_for_one_account_block_it_even_with_the_right_password(client, manager):
    # From ten different addresses: the account limit holds on its own.
    for n in range(10):
        assert post_login(client, manager.email, "wrong", ip=f"198.51.100.{n}").status_code == 422

    response = post_login(client, manager.email, "password1", ip="198.51.100.200")

    assert response.status_code == 422
    assert THROTTLED in field_error(response.get_data(as_text=True), "email")
    assert not logged_in(client)


def test_nine_failures_do_not_block_the_account(client, manager):
    for n in range(9):
        post_login(client, manager.email, "wrong", ip=f"198.51.100.{n}")

    response = post_login(client, manager.email, "password1", ip="198.51.100.200")

    assert response.status_code == 302
    assert logged_in(client)


def test_the_account_limit_counts_the_email_however_it_is_typed(client, manager):
    spellings = ["olena@example.com", "OLENA@example.com", " Olena@Example.com "]
    for n in range(10):
        post_login(client, spellings[n % 3], "wrong", ip=f"198.51.100.{n}")

    response = post_login(client, manager.email, "password1", ip="198.51.100.200")

    assert response.status_code == 422
    assert THROTTLED in response.get_data(as_text=True)


def test_ten_failures_from_one_address_block_it_across_emails(app, client, manager):
    for n in range(10):
        post_login(client, f"guess{n}@example.com", "wrong", ip="203.0.113.7")

    blocked = post_login(client, manager.email, "password1", ip="203.0.113.7")
    assert blocked.status_code == 422
    assert THROTTLED in field_error(blocked.get_data(as_text=True), "email")
    assert not logged_in(client)

    # The account itself is not blocked: from another address it logs in.
    elsewhere = app.test_client()
    assert post_login(elsewhere, manager.email, "password1", ip="192.0.2.55").status_code == 302


def test_a_blocked_attempt_is_not_checked_and_not_counted(client, manager):
    for n in range(10):
        post_login(client, manager.email, "wrong", ip=f"198.51.100.{n}")
    assert attempts() == 10

    post_login(client, manager.email, "wrong", ip="198.51.100.200")

    assert attempts() == 10


def test_login_works_again_after_the_window(client, manager):
    for _ in range(10):
        post_login(client, manager.email, "wrong", ip="203.0.113.7")
    assert post_login(client, manager.email, "password1", ip="203.0.113.7").status_code == 422

    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at -= timedelta(minutes=16)
    db.session.commit()

    response = post_login(client, manager.email, "password1", ip="203.0.113.7")
    assert response.status_code == 302
    assert logged_in(client)


def test_failures_inside_the_window_still_count(client, manager):
    for _ in range(10):
        post_login(client, manager.email, "wrong", ip="203.0.113.7")
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.at -= timedelta(minutes=14)
    db.session.commit()

    assert post_login(client, manager.email, "password1", ip="203.0.113.7").status_code == 422


# --- sessions that end ---------------------------------------------------------------------


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def _replay(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/clients")


def test_a_session_cookie_replayed_after_logout_is_rejected(app, client, manager):
    client.login(manager.email)
    stolen = _session_cookie(client)
    assert _replay(app, stolen).status_code == 200  # the copy works while the session lives

    assert client.send("/logout").status_code == 302
    response = _replay(app, stolen)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_password_change_ends_other_sessions_and_keeps_this_one(app, client, manager):
    client.login(manager.email)
    other_device = app.test_client()
    other_device.login(manager.email)
    stolen = _session_cookie(client)

    response = client.send(
        "/account/password", {"current": "password1", "new": "password2", "confirm": "password2"}
    )

    assert response.status_code == 302
    assert logged_in(client)  # the session that changed it goes on
    assert other_device.get("/clients").status_code == 302
    assert _replay(app, stolen).status_code == 302  # its own old cookie is dead too
    assert app.test_client().login(manager.email, "password2").status_code == 302
    assert app.test_client().login(manager.email, "password1").status_code == 422


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"current": "not-my-password", "new": "password2", "confirm": "password2"},
            "current",
            "This is not your current password.",
            id="wrong-current",
        ),
        pytest.param(
            {"current": "password1", "new": "password2", "confirm": "password3"},
            "confirm",
            "The passwords do not match.",
            id="mismatch",
        ),
        pytest.param(
            {"current": "password1", "new": "short", "confirm": "short"},
            "new",
            "between 8 and 200 characters",
            id="too-short",
        ),
    ],
)
def test_a_refused_password_change_keeps_the_old_password(
    app, client, manager, data, field, message
):
    client.login(manager.email)
    old_hash = manager.password_hash

    response = client.send("/account/password", data)

    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert db.session.get(User, manager.id).password_hash == old_hash
    assert logged_in(client)
    assert app.test_client().login(manager.email, "password1").status_code == 302


# --- redirects after login -----------------------------------------------------------------


def stays_on_this_site(location: str) -> bool:
    """Whether a browser following this Location stays here.

    Browsers read a backslash as a slash; a percent-encoded one (%5C) stays a path character.
    """
    as_browser = location.replace("\\", "/")
    parts = urlsplit(as_browser)
    return as_browser.startswith("/") and not as_browser.startswith("//") and not parts.netloc


OFF_SITE = [
    "https://evil.example",
    "https://evil.example/clients",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
]


def _login_with_next(client, manager, target: str):
    token = client.csrf_token()
    return client.post(
        "/login",
        query_string={"next": target},
        data={"email": manager.email, "password": "password1", "csrf_token": token},
    )


def test_login_ignores_next_pointing_to_another_site(client, manager):
    response = _login_with_next(client, manager, "https://evil.example")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_never_redirects_off_the_site(client, manager, target):
    response = _login_with_next(client, manager, target)

    assert response.status_code == 302
    assert stays_on_this_site(response.headers["Location"]), response.headers["Location"]


def test_login_follows_a_next_address_on_this_site(client, manager):
    response = _login_with_next(client, manager, "/clients?q=ромашка")

    assert response.status_code == 302
    assert unquote(response.headers["Location"]) == "/clients?q=ромашка"


def test_the_login_page_keeps_next_in_its_form(client):
    html = client.get("/login?next=/clients/7").get_data(as_text=True)

    assert 'action="/login?next=/clients/7"' in html


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_redirects_off_the_site(client, target):
    response = client.send("/language", {"locale": "uk", "next": target})

    assert response.status_code == 302
    assert stays_on_this_site(response.headers["Location"]), response.headers["Location"]


# --- language ------------------------------------------------------------------------------


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def test_a_user_language_is_stored_and_used_on_every_page(app, client, manager):
    client.login(manager.email)

    response = client.send("/language", {"locale": "uk", "next": "/clients"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/clients"
    assert db.session.get(User, manager.id).locale == "uk"
    assert _lang(client.get("/clients").get_data(as_text=True)) == "uk"
    # Stored per user: another device, another browser language, still Ukrainian.
    elsewhere = app.test_client()
    elsewhere.login(manager.email)
    html = elsewhere.get("/clients", headers={"Accept-Language": "en-GB,en"}).get_data(True)
    assert _lang(html) == "uk"


def test_one_user_language_does_not_change_another_user(app, client, manager, viewer):
    client.login(manager.email)
    client.send("/language", {"locale": "ru"})

    other = app.test_client()
    other.login(viewer.email)

    assert _lang(other.get("/clients").get_data(as_text=True)) == "en"
    assert db.session.get(User, viewer.id).locale is None


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("uk-UA,uk;q=0.9,en;q=0.5", "uk"),
        ("ru", "ru"),
        ("de-DE,de;q=0.9", "en"),
        ("", "en"),
    ],
)
def test_anonymous_visitors_get_the_browser_language(client, accept, expected):
    html = client.get("/login", headers={"Accept-Language": accept}).get_data(as_text=True)

    assert _lang(html) == expected


def test_an_anonymous_language_choice_overrides_the_browser(client):
    response = client.send("/language", {"locale": "uk", "next": "/login"})

    assert response.status_code == 302
    html = client.get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert _lang(html) == "uk"


def test_an_unknown_language_is_refused(client, manager):
    client.login(manager.email)

    client.send("/language", {"locale": "xx"})

    assert db.session.get(User, manager.id).locale is None
    assert _lang(client.get("/clients").get_data(as_text=True)) == "en"


def test_a_new_user_is_created_without_a_language(manager):
    # Sanity for the tests above: no language until the user chooses one.
    assert make_user("second@example.com").locale is None
