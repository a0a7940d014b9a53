"""Who may do what: viewers read, managers edit (maybe only their own), admins administer."""

import io
import os
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, Party
from crm.services import contacts, documents, parties, settings
from crm.services.errors import PermissionDeniedError
from tests.factories import make_contact, make_party, make_user

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


def set_visibility(value: str) -> None:
    settings.set_setting("manager_visibility", value)
    db.session.commit()


@pytest.fixture
def world(admin, manager, viewer):
    """Two managers with a party each (with a contact and a document), a party in the trash."""
    dmitry = make_user("dmitry@example.com", role="manager", name="Дмитрий Орлов")
    own = make_party(manager, name="Olena Furniture", phones="+380 44 111 22 33")
    other = make_party(
        dmitry, name="Hotel Volga", phones="+7 4852 72-00-01", emails="info@volga.example"
    )
    own_contact = make_contact(own, name="Ірина Мельник")
    other_contact = make_contact(other, name="Svitlana Morozova", phones="+7 915 444-55-66")
    own_document = documents.attach_document(manager, own, "own.txt", io.BytesIO(b"own"))
    other_document = documents.attach_document(dmitry, other, "volga.txt", io.BytesIO(b"v"))
    trashed = make_party(manager, name="Closed Shop")
    parties.trash_party(manager, trashed)
    db.session.commit()
    return SimpleNamespace(
        admin=admin,
        manager=manager,
        viewer=viewer,
        dmitry=dmitry,
        own=own,
        other=other,
        trashed=trashed,
        ids={
            "party": own.id,
            "contact": own_contact.id,
            "document": own_document.id,
            "other": other.id,
            "other_contact": other_contact.id,
            "other_document": other_document.id,
            "trashed": trashed.id,
            "user": dmitry.id,
            "from": manager.id,
            "to": dmitry.id,
        },
    )


def _party_form(name: str, owner_id: int, version: int = 1) -> dict:
    return {
        "name": name,
        "kind": "organisation",
        "roles": ["client"],
        "owner_id": owner_id,
        "version": version,
    }


def _request(client, world, method: str, url: str, data):  # noqa: ANN001, ANN202
    url = url.format(**world.ids)
    if method == "GET":
        return client.get(url)
    return client.send(url, data(world) if callable(data) else data)


# Changes to the client base: editors only. (method, url, data)
EDIT_ROUTES = [
    pytest.param("GET", "/clients/new", None, id="new-form"),
    pytest.param(
        "POST", "/clients/new", lambda w: _party_form("New Co", w.manager.id), id="create"
    ),
    pytest.param("GET", "/clients/{party}/edit", None, id="edit-form"),
    pytest.param(
        "POST", "/clients/{party}/edit", lambda w: _party_form("Renamed", w.manager.id), id="edit"
    ),
    pytest.param("POST", "/clients/{party}/delete", {}, id="delete"),
    pytest.param("POST", "/clients/{party}/contacts", {"name": "New Person"}, id="add-contact"),
    pytest.param("GET", "/clients/{party}/contacts/{contact}/edit", None, id="contact-form"),
    pytest.param(
        "POST", "/clients/{party}/contacts/{contact}/edit", {"name": "Renamed"}, id="edit-contact"
    ),
    pytest.param("POST", "/clients/{party}/contacts/{contact}/delete", {}, id="delete-contact"),
    pytest.param(
        "POST",
        "/clients/{party}/documents",
        lambda w: {"file": (io.BytesIO(b"data"), "new.txt")},
        id="upload",
    ),
    pytest.param("POST", "/clients/{party}/documents/{document}/delete", {}, id="remove-document"),
]

ADMIN_ROUTES = [
    pytest.param("GET", "/admin/users", None, id="users"),
    pytest.param("GET", "/admin/users/new", None, id="new-user-form"),
    pytest.param(
        "POST",
        "/admin/users/new",
        {"name": "Eve", "email": "eve@example.com", "role": "admin", "password": "password9"},
        id="create-user",
    ),
    pytest.param("GET", "/admin/users/{user}", None, id="user-form"),
    pytest.param(
        "POST",
        "/admin/users/{user}",
        lambda w: {"name": "Boss", "email": w.dmitry.email, "role": "admin", "active": "y"},
        id="edit-user",
    ),
    pytest.param("GET", "/admin/settings", None, id="settings-form"),
    pytest.param(
        "POST",
        "/admin/settings",
        {"manager_visibility": "own", "managers_may_export": "no"},
        id="settings",
    ),
    pytest.param("GET", "/admin/handover", None, id="handover-form"),
    pytest.param(
        "POST",
        "/admin/handover",
        lambda w: {"from_user": w.dmitry.id, "to_user": w.manager.id, "scope": "all"},
        id="handover",
    ),
    pytest.param("GET", "/admin/trash", None, id="trash"),
    pytest.param("POST", "/admin/trash/{trashed}/restore", {}, id="restore"),
]


# --- viewers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "data"), EDIT_ROUTES + ADMIN_ROUTES)
def test_a_viewer_cannot_change_anything(app, client, world, method, url, data):
    client.login(world.viewer.email)
    before = database_state(app)

    response = _request(client, world, method, url, data)

    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)
    assert database_state(app) == before


def test_viewer_cannot_create_a_party(client, world):
    client.login(world.viewer.email)
    count = len(db.session.scalars(select(Party)).all())

    response = client.send("/clients/new", _party_form("Viewer Co", world.manager.id))

    assert response.status_code == 403
    assert len(db.session.scalars(select(Party)).all()) == count


def test_a_viewer_reads_the_list_and_the_card_without_edit_controls(client, world):
    client.login(world.viewer.email)

    listing = client.get("/clients").get_data(as_text=True)
    card_response = client.get(f"/clients/{world.own.id}")
    card = card_response.get_data(as_text=True)

    assert "Olena Furniture" in listing
    assert "Hotel Volga" in listing
    assert 'href="/clients/new"' not in listing
    assert card_response.status_code == 200
    assert "Ірина Мельник" in card
    assert "own.txt" in card
    assert f'href="/clients/{world.own.id}/edit"' not in card
    assert f'action="/clients/{world.own.id}/delete"' not in card
    assert f'action="/clients/{world.own.id}/documents"' not in card
    assert "Add a contact" not in card


def test_a_viewer_reads_history_and_downloads_documents(client, world):
    client.login(world.viewer.email)

    history = client.get(f"/clients/{world.own.id}/timeline")
    download = client.get(f"/clients/{world.own.id}/documents/{world.ids['document']}")

    assert history.status_code == 200
    assert "Olena Furniture" in history.get_data(as_text=True)
    assert download.status_code == 200
    assert download.data == b"own"


def test_a_viewer_is_refused_by_the_services_too(world):
    with pytest.raises(PermissionDeniedError):
        parties.create_party(world.viewer, {"name": "X", "roles": ["client"]})
    with pytest.raises(PermissionDeniedError):
        contacts.add_contact(world.viewer, world.own, {"name": "X"})
    db.session.rollback()


# --- managers and admins -------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "data"), ADMIN_ROUTES)
def test_a_manager_cannot_open_or_use_admin_pages(app, client, world, method, url, data):
    client.login(world.manager.email)
    before = database_state(app)

    response = _request(client, world, method, url, data)

    assert response.status_code == 403
    assert database_state(app) == before


@pytest.mark.parametrize(("method", "url", "data"), ADMIN_ROUTES)
def test_an_admin_can_use_admin_pages(app, client, world, method, url, data):
    client.login(world.admin.email)
    before = database_state(app)

    response = _request(client, world, method, url, data)

    if method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert database_state(app) != before


def test_admin_links_are_shown_to_admins_only(app, client, world):
    client.login(world.manager.email)
    admin_client = app.test_client()
    admin_client.login(world.admin.email)

    assert 'href="/admin"' not in client.get("/clients").get_data(as_text=True)
    assert 'href="/admin"' in admin_client.get("/clients").get_data(as_text=True)


@pytest.mark.parametrize(("method", "url", "data"), EDIT_ROUTES)
def test_a_manager_can_change_the_client_base(app, client, world, method, url, data):
    client.login(world.manager.email)
    before = database_state(app)

    response = _request(client, world, method, url, data)

    if method == "GET":
        assert response.status_code == 200
    else:
        assert response.status_code in (200, 302), response.get_data(as_text=True)
        assert database_state(app) != before


# --- "managers see only their own clients" -------------------------------------------------

OTHER_MANAGERS_PARTY = [
    pytest.param("GET", "/clients/{other}", None, id="card"),
    pytest.param("GET", "/clients/{other}/edit", None, id="edit-form"),
    pytest.param(
        "POST", "/clients/{other}/edit", lambda w: _party_form("Taken", w.manager.id), id="edit"
    ),
    pytest.param("GET", "/clients/{other}/timeline", None, id="timeline"),
    pytest.param("POST", "/clients/{other}/delete", {}, id="delete"),
    pytest.param("POST", "/clients/{other}/contacts", {"name": "Spy"}, id="add-contact"),
    pytest.param("GET", "/clients/{other}/contacts/{other_contact}/edit", None, id="contact-form"),
    pytest.param(
        "POST", "/clients/{other}/contacts/{other_contact}/edit", {"name": "X"}, id="edit-contact"
    ),
    pytest.param(
        "POST", "/clients/{other}/contacts/{other_contact}/delete", {}, id="delete-contact"
    ),
    pytest.param("GET", "/clients/{other}/documents/{other_document}", None, id="download"),
    pytest.param(
        "POST",
        "/clients/{other}/documents",
        lambda w: {"file": (io.BytesIO(b"data"), "x.txt")},
        id="upload",
    ),
    pytest.param(
        "POST", "/clients/{other}/documents/{other_document}/delete", {}, id="remove-document"
    ),
]


@pytest.mark.parametrize(("method", "url", "data"), OTHER_MANAGERS_PARTY)
def test_with_own_visibility_another_managers_party_does_not_exist(
    app, client, world, method, url, data
):
    set_visibility("own")
    client.login(world.manager.email)
    before = database_state(app)

    response = _request(client, world, method, url, data)

    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Not found" in html
    assert "Hotel Volga" not in html
    assert database_state(app) == before


@pytest.mark.parametrize(("method", "url", "data"), OTHER_MANAGERS_PARTY)
def test_with_all_visibility_a_manager_works_on_any_party(app, client, world, method, url, data):
    set_visibility("all")
    client.login(world.manager.email)

    response = _request(client, world, method, url, data)

    assert response.status_code in (200, 302)


LIST_QUERIES = [
    pytest.param({}, {}, id="list"),
    pytest.param({}, {"HX-Request": "true"}, id="list-fragment"),
    pytest.param({"q": "volga"}, {}, id="by-name"),
    pytest.param({"q": "volga"}, {"HX-Request": "true"}, id="by-name-fragment"),
    pytest.param({"q": "info@volga"}, {"HX-Request": "true"}, id="by-email"),
    pytest.param({"q": "4852 72"}, {"HX-Request": "true"}, id="by-phone"),
    pytest.param({"q": "915 444"}, {"HX-Request": "true"}, id="by-contact-phone"),
    pytest.param({"q": "svitlana"}, {"HX-Request": "true"}, id="by-contact-name"),
    pytest.param({"owner": "{to}"}, {}, id="owner-filter"),
    pytest.param({"sort": "-created"}, {"HX-Request": "true"}, id="sorted"),
]


def _list(client, world, query: dict, headers: dict) -> str:
    query = {k: v.format(**world.ids) for k, v in query.items()}
    response = client.get("/clients", query_string=query, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "headers"), LIST_QUERIES)
def test_with_own_visibility_another_managers_party_is_never_listed(client, world, query, headers):
    set_visibility("own")
    client.login(world.manager.email)

    html = _list(client, world, query, headers)

    assert "Hotel Volga" not in html
    assert f"/clients/{world.other.id}" not in html
    if "q" not in query:
        assert "Olena Furniture" in html
        assert "1 party" in html


def test_with_own_visibility_the_owner_filter_is_not_offered(client, world):
    set_visibility("own")
    client.login(world.manager.email)

    html = client.get("/clients").get_data(as_text=True)

    assert 'name="owner"' not in html
    assert "Дмитрий Орлов" not in html


@pytest.mark.parametrize(("query", "headers"), LIST_QUERIES)
def test_with_own_visibility_the_other_manager_sees_only_his_own(client, world, query, headers):
    set_visibility("own")
    client.login(world.dmitry.email)

    html = _list(client, world, query, headers)

    assert "Olena Furniture" not in html
    if "q" not in query or "volga" in query["q"]:
        assert "Hotel Volga" in html


@pytest.mark.parametrize(("query", "headers"), LIST_QUERIES)
def test_with_all_visibility_a_manager_finds_every_party(client, world, query, headers):
    set_visibility("all")
    client.login(world.manager.email)

    html = _list(client, world, query, headers)

    assert "Hotel Volga" in html
    if "q" not in query and "owner" not in query:
        assert "Olena Furniture" in html


@pytest.mark.parametrize("who", ["admin", "viewer"])
def test_with_own_visibility_admins_and_viewers_still_see_all(client, world, who):
    set_visibility("own")
    client.login(getattr(world, who).email)

    html = client.get("/clients").get_data(as_text=True)

    assert "Hotel Volga" in html
    assert "Olena Furniture" in html
    assert client.get(f"/clients/{world.other.id}").status_code == 200


def test_the_admin_switches_visibility_in_the_settings(app, client, world):
    manager_client = app.test_client()
    manager_client.login(world.manager.email)
    assert manager_client.get(f"/clients/{world.other.id}").status_code == 200

    client.login(world.admin.email)
    response = client.send(
        "/admin/settings", {"manager_visibility": "own", "managers_may_export": "no"}
    )
    assert response.status_code == 302
    assert settings.get_setting("manager_visibility") == "own"

    assert manager_client.get(f"/clients/{world.other.id}").status_code == 404
    assert "Hotel Volga" not in manager_client.get("/clients").get_data(as_text=True)

    client.send("/admin/settings", {"manager_visibility": "all", "managers_may_export": "no"})
    assert manager_client.get(f"/clients/{world.other.id}").status_code == 200


def test_an_unknown_visibility_value_is_refused(client, world):
    client.login(world.admin.email)

    response = client.send(
        "/admin/settings", {"manager_visibility": "nobody", "managers_may_export": "no"}
    )

    assert response.status_code == 422
    assert settings.get_setting("manager_visibility") == "all"


def test_with_own_visibility_a_new_party_belongs_to_its_creator(client, world):
    set_visibility("own")
    client.login(world.manager.email)

    response = client.send("/clients/new", _party_form("Gift", world.dmitry.id))

    assert response.status_code == 302
    party = db.session.scalar(select(Party).where(Party.name == "Gift"))
    assert party.owner_id == world.manager.id


def test_with_own_visibility_a_manager_cannot_give_a_party_away(client, world):
    set_visibility("own")
    client.login(world.manager.email)

    response = client.send(
        f"/clients/{world.own.id}/edit",
        _party_form("Olena Furniture 2", world.dmitry.id, world.own.version),
    )

    assert response.status_code == 302
    party = db.session.get(Party, world.own.id)
    assert party.name == "Olena Furniture 2"
    assert party.owner_id == world.manager.id


# --- unknown and deleted -------------------------------------------------------------------

UNKNOWN = [
    pytest.param("manager", "/clients/999999", id="party"),
    pytest.param("manager", "/clients/999999/edit", id="party-edit"),
    pytest.param("manager", "/clients/999999/timeline", id="party-timeline"),
    pytest.param("manager", "/clients/{party}/contacts/999999/edit", id="contact"),
    pytest.param("manager", "/clients/{party}/contacts/{other_contact}/edit", id="foreign-contact"),
    pytest.param("manager", "/clients/{party}/documents/999999", id="document"),
    pytest.param("manager", "/clients/{party}/documents/{other_document}", id="foreign-document"),
    pytest.param("viewer", "/clients/999999", id="party-as-viewer"),
    pytest.param("admin", "/clients/999999", id="party-as-admin"),
    pytest.param("admin", "/admin/users/999999", id="user"),
    pytest.param("manager", "/clients/not-a-number", id="not-an-id"),
]


@pytest.mark.parametrize(("who", "url"), UNKNOWN)
def test_unknown_ids_show_the_not_found_page(client, world, who, url):
    client.login(getattr(world, who).email)

    response = client.get(url.format(**world.ids))

    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Not found" in html
    assert "<html" in html  # a whole page with the navigation, not a bare error


@pytest.mark.parametrize(
    "url",
    [
        "/clients/999999/edit",
        "/clients/999999/delete",
        "/clients/999999/contacts",
        "/clients/{party}/contacts/999999/edit",
        "/clients/{party}/contacts/999999/delete",
        "/clients/{party}/documents/999999/delete",
        "/admin/trash/999999/restore",
        "/admin/users/999999",
    ],
)
def test_changes_to_unknown_ids_are_404_and_change_nothing(app, client, world, url):
    client.login(world.admin.email)
    before = database_state(app)

    response = client.send(url.format(**world.ids), {"name": "X"})

    assert response.status_code == 404
    assert database_state(app) == before


def test_a_removed_contact_and_document_are_gone(client, world):
    client.login(world.manager.email)
    party, contact, document = world.own.id, world.ids["contact"], world.ids["document"]
    client.send(f"/clients/{party}/contacts/{contact}/delete")
    client.send(f"/clients/{party}/documents/{document}/delete")

    assert client.get(f"/clients/{party}/contacts/{contact}/edit").status_code == 404
    assert client.get(f"/clients/{party}/documents/{document}").status_code == 404
    card = client.get(f"/clients/{party}").get_data(as_text=True)
    assert "Ірина Мельник" not in card.split('id="history"')[0]
    assert "own.txt" not in card.split('id="history"')[0]


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_a_trashed_party_is_gone_for_non_admins(client, world, who):
    client.login(getattr(world, who).email)

    assert client.get(f"/clients/{world.trashed.id}").status_code == 404
    assert client.get(f"/clients/{world.trashed.id}/timeline").status_code == 404
    assert "Closed Shop" not in client.get("/clients").get_data(as_text=True)
    assert "Closed Shop" not in client.get("/clients?q=closed").get_data(as_text=True)


def test_a_trashed_party_cannot_be_edited_even_by_an_admin(app, client, world):
    client.login(world.admin.email)
    before = database_state(app)

    assert client.get(f"/clients/{world.trashed.id}/edit").status_code == 404
    response = client.send(
        f"/clients/{world.trashed.id}/edit", _party_form("Back", world.manager.id)
    )

    assert response.status_code == 404
    assert database_state(app) == before


def test_an_admin_sees_a_trashed_party_with_a_restore_button(client, world):
    client.login(world.admin.email)

    response = client.get(f"/clients/{world.trashed.id}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Closed Shop" in html
    assert "This party is in the trash." in html
    assert f'action="/admin/trash/{world.trashed.id}/restore"' in html
    assert f'href="/clients/{world.trashed.id}/edit"' not in html
    trash = client.get("/admin/trash").get_data(as_text=True)
    assert "Closed Shop" in trash
    assert f'action="/admin/trash/{world.trashed.id}/restore"' in trash


def test_restoring_brings_the_party_back_to_the_list(app, client, world):
    client.login(world.admin.email)

    response = client.send(f"/admin/trash/{world.trashed.id}/restore")

    assert response.status_code == 302
    party = db.session.get(Party, world.trashed.id)
    assert party.deleted_at is None
    assert party.deleted_by_id is None
    trash = client.get("/admin/trash").get_data(as_text=True)
    assert f'action="/admin/trash/{world.trashed.id}/restore"' not in trash
    manager_client = app.test_client()
    manager_client.login(world.manager.email)
    assert "Closed Shop" in manager_client.get("/clients").get_data(as_text=True)
    assert manager_client.get(f"/clients/{world.trashed.id}").status_code == 200
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.party_id == world.trashed.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "delete", "restore"]


def test_a_manager_moves_a_party_to_the_trash_but_cannot_restore_it(client, world):
    client.login(world.manager.email)

    assert client.send(f"/clients/{world.own.id}/delete").status_code == 302
    assert db.session.get(Party, world.own.id).deleted_at is not None
    assert client.get(f"/clients/{world.own.id}").status_code == 404

    assert client.send(f"/admin/trash/{world.own.id}/restore").status_code == 403
    assert db.session.get(Party, world.own.id).deleted_at is not None
