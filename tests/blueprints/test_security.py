"""Web security a user relies on without seeing it: CSRF, headers, cookies, escaping, hashes."""

import io
import os
import re
from types import SimpleNamespace

import pytest
from flask import url_for
from markupsafe import escape
from sqlalchemy import select

from crm.extensions import db
from crm.models import Party, User
from crm.services import documents, parties
from tests.factories import make_contact, make_party, make_user

HX_HEADERS_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
XSS_PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


# --- helpers -------------------------------------------------------------------------------


def database_state(app) -> dict:
    """Every row of every table, and the stored files: what "nothing changed" compares."""
    state = {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }
    folder = app.config["DOCUMENTS_DIR"]
    state["files on disk"] = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    return state


@pytest.fixture
def world(admin, manager):
    """A manager's party with a contact and a document, and a party in the trash."""
    party = make_party(manager, name="ТОВ «Ромашка»", phones="+380 44 123 45 67")
    contact = make_contact(party, name="Петро Іваненко")
    document = documents.attach_document(manager, party, "offer.txt", io.BytesIO(b"offer"))
    trashed = make_party(manager, name="Old Client")
    parties.trash_party(admin, trashed)
    db.session.commit()
    return SimpleNamespace(
        admin=admin,
        manager=manager,
        party=party,
        contact=contact,
        document=document,
        trashed=trashed,
        ids={
            "party": party.id,
            "contact": contact.id,
            "document": document.id,
            "trashed": trashed.id,
            "manager": manager.id,
        },
    )


def party_form(w, **changes) -> dict:
    data = {
        "name": w.party.name,
        "kind": "organisation",
        "roles": ["client"],
        "owner_id": w.manager.id,
        "version": w.party.version,
    }
    return {**data, **changes}


# Every state-changing route, with data that would change something if it were accepted.
CHANGE_ROUTES = [
    pytest.param(
        "/clients/new",
        lambda w: {
            "name": "Нова фірма",
            "kind": "organisation",
            "roles": ["client"],
            "owner_id": w.manager.id,
        },
        id="create-party",
    ),
    pytest.param("/clients/{party}/edit", lambda w: party_form(w, name="Renamed"), id="edit-party"),
    pytest.param("/clients/{party}/delete", lambda w: {}, id="delete-party"),
    pytest.param("/clients/{party}/contacts", lambda w: {"name": "Нова Особа"}, id="add-contact"),
    pytest.param(
        "/clients/{party}/contacts/{contact}/edit",
        lambda w: {"name": "Петро Renamed"},
        id="edit-contact",
    ),
    pytest.param("/clients/{party}/contacts/{contact}/delete", lambda w: {}, id="delete-contact"),
    pytest.param(
        "/clients/{party}/documents",
        lambda w: {"file": (io.BytesIO(b"price list"), "prices.txt")},
        id="upload-document",
    ),
    pytest.param(
        "/clients/{party}/documents/{document}/delete", lambda w: {}, id="delete-document"
    ),
    pytest.param(
        "/admin/users/new",
        lambda w: {
            "name": "Mallory",
            "email": "mallory@example.com",
            "role": "admin",
            "password": "password99",
        },
        id="create-user",
    ),
    pytest.param(
        "/admin/users/{manager}",
        lambda w: {"name": "Renamed", "email": w.manager.email, "role": "admin", "active": "y"},
        id="edit-user",
    ),
    pytest.param(
        "/admin/settings",
        lambda w: {"manager_visibility": "own", "managers_may_export": "no"},
        id="settings",
    ),
    pytest.param(
        "/admin/handover",
        lambda w: {"from_user": w.manager.id, "to_user": w.admin.id, "scope": "all"},
        id="handover",
    ),
    pytest.param("/admin/trash/{trashed}/restore", lambda w: {}, id="restore"),
    pytest.param("/logout", lambda w: {}, id="logout"),
    pytest.param("/language", lambda w: {"locale": "uk"}, id="language"),
    pytest.param(
        "/account/password",
        lambda w: {"current": "password1", "new": "password2", "confirm": "password2"},
        id="password",
    ),
]


# --- CSRF ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "data"), CHANGE_ROUTES)
def test_a_change_without_csrf_token_is_refused_and_changes_nothing(app, client, world, url, data):
    client.login(world.admin.email)
    before = database_state(app)

    response = client.post(url.format(**world.ids), data=data(world))

    assert response.status_code == 400
    assert "Request refused" in response.get_data(as_text=True)
    assert database_state(app) == before


@pytest.mark.parametrize(("url", "data"), CHANGE_ROUTES)
def test_the_same_change_with_the_token_takes_effect(app, client, world, url, data):
    """The control for the test above: its data would have changed something."""
    client.login(world.admin.email)
    before = database_state(app)

    response = client.send(url.format(**world.ids), data(world))

    assert response.status_code in (200, 302), response.get_data(as_text=True)
    assert database_state(app) != before


def test_every_post_route_of_the_app_requires_a_csrf_token(app, client, world):
    """Also routes added later: none is exempt from CSRF protection."""
    client.login(world.admin.email)
    values = {
        "party_id": world.party.id,
        "contact_id": world.contact.id,
        "document_id": world.document.id,
        "user_id": world.manager.id,
    }
    before = database_state(app)
    statuses = {}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{arg: values.get(arg, 1) for arg in rule.arguments})
        statuses[url] = client.post(url, data={}).status_code
    assert statuses
    assert statuses == dict.fromkeys(statuses, 400)
    assert database_state(app) == before


def test_login_without_csrf_token_is_refused(client, manager):
    response = client.post("/login", data={"email": manager.email, "password": "password1"})

    assert response.status_code == 400
    assert client.get("/clients").status_code == 302


def test_a_token_from_another_session_is_refused(app, client, world):
    other = app.test_client()
    stranger_token = other.csrf_token()
    client.login(world.admin.email)
    before = database_state(app)

    response = client.post(
        "/clients/new",
        data={"name": "Forged", "kind": "organisation", "owner_id": world.admin.id},
        headers={"X-CSRFToken": stranger_token},
    )

    assert response.status_code == 400
    assert database_state(app) == before


def test_csrf_token_is_accepted_from_the_htmx_header(client, world):
    client.login(world.manager.email)
    page = client.get("/clients").get_data(as_text=True)
    token = HX_HEADERS_TOKEN.search(page).group(1)  # what htmx sends with every request

    response = client.post(
        f"/clients/{world.party.id}/contacts",
        data={"name": "Марія Header"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Марія Header" in response.get_data(as_text=True)
    assert [c.name for c in db.session.get(Party, world.party.id).contacts] == [
        "Марія Header",
        "Петро Іваненко",
    ]


def test_a_full_form_post_also_accepts_the_header_token(client, world):
    client.login(world.manager.email)
    token = HX_HEADERS_TOKEN.search(client.get("/clients").get_data(as_text=True)).group(1)

    response = client.post(
        "/clients/new",
        data={"name": "Header Co", "kind": "organisation", "owner_id": world.manager.id},
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 302
    assert db.session.scalar(select(Party).where(Party.name == "Header Co")) is not None


# --- headers and cookies -------------------------------------------------------------------

PAGES = [
    pytest.param(None, "/login", {}, id="login-anonymous"),
    pytest.param("manager", "/clients", {}, id="list"),
    pytest.param("manager", "/clients?q=ром", {"HX-Request": "true"}, id="list-fragment"),
    pytest.param("manager", "/clients/{party}", {}, id="card"),
    pytest.param("manager", "/clients/{party}/edit", {}, id="edit-form"),
    pytest.param("manager", "/clients/{party}/documents/{document}", {}, id="download"),
    pytest.param("admin", "/admin/users", {}, id="admin-users"),
    pytest.param("manager", "/admin/users", {}, id="forbidden-page"),
    pytest.param("manager", "/clients/999999", {}, id="not-found-page"),
]


def _open(client, world, who, url, headers):
    if who:
        client.login(getattr(world, who).email)
    return client.get(url.format(**world.ids), headers=headers)


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = [d.split() for d in policy.split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize(("who", "url", "headers"), PAGES)
def test_responses_carry_security_headers(client, world, who, url, headers):
    response = _open(client, world, who, url, headers)

    csp = _csp(response)
    assert csp, "no Content-Security-Policy"
    sources = [source for values in csp.values() for source in values]
    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }


@pytest.mark.parametrize(("who", "url", "headers"), PAGES)
def test_pages_with_client_data_are_not_cached(client, world, who, url, headers):
    response = _open(client, world, who, url, headers)

    assert "no-store" in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize(("who", "url", "headers"), [p for p in PAGES if p.id not in ("download",)])
def test_pages_need_no_inline_script_or_style_that_the_policy_would_block(
    client, world, who, url, headers
):
    html = _open(client, world, who, url, headers).get_data(as_text=True)

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"<[^>]*\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html


def test_session_cookie_is_httponly_and_samesite_lax(client, manager):
    response = client.login(manager.email)

    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "login sets no session cookie"
    attributes = {part.strip().lower() for part in cookies[-1].split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


# --- escaping ------------------------------------------------------------------------------

ESCAPE_PAGES = [
    pytest.param("/clients", {}, id="list"),
    pytest.param("/clients?q=alert", {"HX-Request": "true"}, id="search-fragment"),
    pytest.param("/clients/{party}", {}, id="card"),
    pytest.param("/clients/{party}/timeline", {}, id="timeline"),
    pytest.param("/clients/{party}/edit", {}, id="edit-form"),
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize(("url", "headers"), ESCAPE_PAGES)
def test_a_party_name_with_markup_is_shown_escaped(client, manager, payload, url, headers):
    client.login(manager.email)
    created = client.send(
        "/clients/new",
        {"name": payload, "kind": "organisation", "roles": ["client"], "owner_id": manager.id},
    )
    assert created.status_code == 302
    party = db.session.scalar(select(Party))
    assert party.name == payload  # stored as typed, escaped only on output

    html = client.get(url.format(party=party.id), headers=headers).get_data(as_text=True)

    assert payload not in html
    assert str(escape(payload)) in html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markup_in_contacts_documents_and_search_is_escaped(client, manager, payload):
    party = make_party(manager, name="Safe Name")
    make_contact(party, name=payload, position=payload)
    documents.attach_document(manager, party, f"{payload}.txt", io.BytesIO(b"x"))
    db.session.commit()
    client.login(manager.email)

    card = client.get(f"/clients/{party.id}").get_data(as_text=True)
    search = client.get("/clients", query_string={"q": payload}).get_data(as_text=True)

    for html in (card, search):
        assert payload not in html
    assert str(escape(payload)) in card
    assert str(escape(payload)) in search  # the search box shows the query back, escaped


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markup_in_names_is_escaped_on_admin_pages(client, admin, payload):
    owner = make_user("owner@example.com", role="manager", name=payload)
    make_party(owner, name=payload)
    trashed = make_party(owner, name=payload + " old")
    parties.trash_party(admin, trashed)
    db.session.commit()
    client.login(admin.email)

    for url in ("/admin/users", f"/admin/handover?from_user={owner.id}", "/admin/trash"):
        html = client.get(url).get_data(as_text=True)
        assert payload not in html, url
        assert str(escape(payload)) in html, url


# --- password storage ----------------------------------------------------------------------


def _stored_hash(email: str) -> str:
    return db.session.scalar(select(User.password_hash).where(User.email == email))


def test_factory_users_get_an_argon2id_hash(manager):
    stored = _stored_hash(manager.email)
    assert stored.startswith("$argon2id$")
    assert "password1" not in stored


def test_a_user_created_by_an_admin_gets_an_argon2id_hash(client, admin):
    client.login(admin.email)
    response = client.send(
        "/admin/users/new",
        {"name": "New One", "email": "new@example.com", "role": "manager", "password": "s3cret-pw"},
    )
    assert response.status_code == 302

    stored = _stored_hash("new@example.com")
    assert stored.startswith("$argon2id$")
    assert "s3cret-pw" not in stored


def test_a_password_set_by_an_admin_is_stored_as_argon2id(client, admin, manager):
    client.login(admin.email)
    response = client.send(
        f"/admin/users/{manager.id}",
        {
            "name": manager.name,
            "email": manager.email,
            "role": "manager",
            "active": "y",
            "password": "brand-new-pw",
        },
    )
    assert response.status_code == 302

    stored = _stored_hash(manager.email)
    assert stored.startswith("$argon2id$")
    assert "brand-new-pw" not in stored


def test_a_changed_password_is_stored_as_argon2id(client, manager):
    client.login(manager.email)
    old = _stored_hash(manager.email)
    response = client.send(
        "/account/password", {"current": "password1", "new": "changed-pw", "confirm": "changed-pw"}
    )
    assert response.status_code == 302

    stored = _stored_hash(manager.email)
    assert stored != old
    assert stored.startswith("$argon2id$")
    assert "changed-pw" not in stored
