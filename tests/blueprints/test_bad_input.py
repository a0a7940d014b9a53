"""Bad input is refused next to the field and saves nothing; stale edits do not overwrite."""

import io
import os
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AuditEntry, Contact, Document, Party, User
from tests.factories import make_contact, make_party, make_user

# --- helpers -------------------------------------------------------------------------------


class Node:
    def __init__(self, tag: str, attrs: dict, parent: "Node | None") -> None:
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def find(self, **attrs) -> "Node | None":
        for child in self.children:
            if isinstance(child, Node):
                if all(child.attrs.get(k) == v for k, v in attrs.items()):
                    return child
                if found := child.find(**attrs):
                    return found
        return None

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Tree(HTMLParser):
    """Just enough of an HTML tree to ask "which container holds this field"."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "wbr", "source", "col", "area", "base"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root = self.current = Node("#root", {}, None)
        self.feed(html)

    def handle_starttag(self, tag, attrs) -> None:  # noqa: ANN001
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs) -> None:  # noqa: ANN001
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag) -> None:  # noqa: ANN001
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data) -> None:  # noqa: ANN001
        self.current.children.append(data)


def assert_error_next_to_field(html: str, field: str, message: str) -> None:
    """The message is in the field's own container, tied to the input for screen readers."""
    tree = Tree(html).root
    control = tree.find(id=field) or tree.find(id=f"{field}-0")  # checkboxes: the first one
    assert control is not None, f"no field #{field} on the page"
    container = control.parent
    while container is not None and "field" not in container.classes():
        container = container.parent
    assert container is not None, f"#{field} is not inside a .field container"
    error = container.find(id=f"{field}-error")
    assert error is not None, f"no #{field}-error next to #{field}"
    assert message in error.text
    assert "has-error" in container.classes()
    if control.attrs.get("type") not in ("checkbox", "radio"):
        assert control.attrs.get("aria-invalid") == "true"
        assert f"{field}-error" in control.attrs.get("aria-describedby", "").split()


def count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def database_state(app) -> dict:
    state = {
        table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
        for table in db.metadata.sorted_tables
    }
    state["files on disk"] = stored_files(app)
    return state


def stored_files(app) -> list[str]:
    folder = app.config["DOCUMENTS_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def version_in(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d*)"', html).group(1)


@pytest.fixture
def dmitry():
    return make_user("dmitry@example.com", role="manager", name="Дмитрий Орлов")


@pytest.fixture
def party(manager):
    return make_party(
        manager,
        name="ТОВ «Ромашка»",
        website="romashka.example",
        phones="+380 44 123 45 67",
        emails="office@romashka.example",
        employees=12,
    )


def party_form(owner_id: int, **changes) -> dict:
    data = {
        "name": "ТОВ «Ромашка»",
        "kind": "organisation",
        "roles": ["client"],
        "owner_id": owner_id,
        "legal_name": "Kept Legal Name LLC",
        "website": "romashka.example",
        "phones": "+380 44 123 45 67",
        "emails": "office@romashka.example",
        "employees": "12",
        "tags": "wholesale",
        "notes": "",
    }
    return {**data, **changes}


# --- the party form ------------------------------------------------------------------------

BAD_PARTY_FIELDS = [
    pytest.param("name", "", "This field is required.", id="empty-name"),
    pytest.param("name", "   ", "This field is required.", id="blank-name"),
    pytest.param("name", "x" * 201, "Field cannot be longer than 200 characters.", id="long-name"),
    pytest.param("emails", "not-an-email", "“not-an-email” is not an e-mail address.", id="email"),
    pytest.param(
        "emails", "good@example.com\nbad@", "“bad@” is not an e-mail address.", id="second-email"
    ),
    pytest.param("phones", "call me", "“call me” is not a phone number.", id="phone-words"),
    pytest.param("phones", "12", "“12” is not a phone number.", id="phone-too-short"),
    pytest.param("website", "not a website", "Enter a web address", id="website"),
    pytest.param("website", "javascript:alert(1)", "Enter a web address", id="javascript-url"),
    pytest.param("employees", "-1", "Number must be between 0 and 10000000.", id="negative"),
    pytest.param("employees", "lots", "Not a valid integer value.", id="not-a-number"),
    pytest.param("kind", "robot", "Not a valid choice.", id="kind"),
    pytest.param("roles", ["boss"], "not a valid choice", id="role"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_PARTY_FIELDS)
def test_a_new_party_with_bad_input_is_refused_next_to_the_field(
    app, client, manager, field, value, message
):
    client.login(manager.email)
    parties_before = count(Party)
    before = database_state(app)

    response = client.send("/clients/new", party_form(manager.id, **{field: value}))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_error_next_to_field(html, field, message)
    assert "Kept Legal Name LLC" in html  # what the user typed stays in the form
    assert count(Party) == parties_before
    assert database_state(app) == before


@pytest.mark.parametrize("owner", ["viewer", "nobody"])
def test_a_new_party_cannot_go_to_an_owner_who_cannot_own(app, client, manager, viewer, owner):
    client.login(manager.email)
    before = database_state(app)
    owner_id = viewer.id if owner == "viewer" else 999999

    response = client.send("/clients/new", party_form(owner_id))

    assert response.status_code == 422
    assert_error_next_to_field(response.get_data(as_text=True), "owner_id", "Not a valid choice")
    assert database_state(app) == before


@pytest.mark.parametrize(("field", "value", "message"), BAD_PARTY_FIELDS)
def test_an_edit_with_bad_input_is_refused_and_the_party_unchanged(
    app, client, manager, party, field, value, message
):
    client.login(manager.email)
    before = database_state(app)
    data = {**party_form(manager.id, name="Renamed", version=party.version), field: value}

    response = client.send(f"/clients/{party.id}/edit", data)

    assert response.status_code == 422
    assert_error_next_to_field(response.get_data(as_text=True), field, message)
    assert database_state(app) == before
    unchanged = db.session.get(Party, party.id)
    assert unchanged.name == "ТОВ «Ромашка»"
    assert unchanged.version == 1


def test_a_valid_form_is_saved_with_cleaned_values(client, manager):
    client.login(manager.email)

    response = client.send(
        "/clients/new",
        party_form(
            manager.id,
            name="  Spaces Ltd  ",
            phones="\n +380 44 000 11 22 \n\n(044) 333-44-55 доб. 12\n",
            emails=" a@example.com \n\n b@example.com ",
            employees="",
        ),
    )

    assert response.status_code == 302
    saved = db.session.scalar(select(Party))
    assert saved.name == "Spaces Ltd"
    assert saved.phones == "+380 44 000 11 22\n(044) 333-44-55 доб. 12"
    assert saved.emails == "a@example.com\nb@example.com"
    assert saved.employees is None


# --- contacts ------------------------------------------------------------------------------

BAD_CONTACT_FIELDS = [
    pytest.param("name", "", "This field is required.", id="empty-name"),
    pytest.param("name", "x" * 201, "Field cannot be longer than 200 characters.", id="long-name"),
    pytest.param("emails", "petro@", "“petro@” is not an e-mail address.", id="email"),
    pytest.param("phones", "ask the secretary", "is not a phone number", id="phone"),
    pytest.param("position", "p" * 121, "Field cannot be longer than 120", id="long-position"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_CONTACT_FIELDS)
def test_a_bad_contact_via_htmx_comes_back_as_a_422_fragment(
    app, client, manager, party, field, value, message
):
    client.login(manager.email)
    before = database_state(app)
    data = {"name": "Петро Іваненко", "position": "Buyer", **{field: value}}

    response = client.send(f"/clients/{party.id}/contacts", data, htmx=True)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" not in html  # a fragment for #contacts, not a page
    assert "<details open" in html  # the form stays open to show the error
    assert_error_next_to_field(html, field, message)
    assert count(Contact) == 0
    assert database_state(app) == before


@pytest.mark.parametrize(("field", "value", "message"), BAD_CONTACT_FIELDS)
def test_a_bad_contact_without_javascript_comes_back_on_the_card(
    app, client, manager, party, field, value, message
):
    client.login(manager.email)
    before = database_state(app)

    response = client.send(f"/clients/{party.id}/contacts", {"name": "Петро", field: value})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<html" in html
    assert_error_next_to_field(html, field, message)
    assert database_state(app) == before


@pytest.mark.parametrize(("field", "value", "message"), BAD_CONTACT_FIELDS)
def test_a_bad_contact_edit_leaves_the_contact_unchanged(
    app, client, manager, party, field, value, message
):
    contact = make_contact(party, name="Петро Іваненко", emails="petro@example.com")
    client.login(manager.email)
    before = database_state(app)

    response = client.send(
        f"/clients/{party.id}/contacts/{contact.id}/edit", {"name": "Петро", field: value}
    )

    assert response.status_code == 422
    assert_error_next_to_field(response.get_data(as_text=True), field, message)
    assert database_state(app) == before


def test_a_good_contact_via_htmx_returns_the_updated_block(client, manager, party):
    client.login(manager.email)

    response = client.send(
        f"/clients/{party.id}/contacts",
        {"name": "Петро Іваненко", "phones": "+380 67 123 45 67", "emails": "p@example.com"},
        htmx=True,
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert "Петро Іваненко" in html
    assert count(Contact) == 1


# --- documents -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        pytest.param("virus.exe", b"MZ\x90\x00", "This file type is not allowed.", id="exe"),
        pytest.param("offer.pdf.exe", b"MZ", "This file type is not allowed.", id="double-ext"),
        pytest.param("page.html", b"<script>", "This file type is not allowed.", id="html"),
        pytest.param("image.svg", b"<svg/>", "This file type is not allowed.", id="svg"),
        pytest.param("README", b"text", "This file type is not allowed.", id="no-extension"),
        pytest.param("empty.pdf", b"", "The file is empty.", id="empty"),
        pytest.param("", b"data", "Choose a file to upload.", id="no-file"),
    ],
)
def test_a_refused_upload_saves_nothing(app, client, manager, party, filename, content, message):
    client.login(manager.email)
    before = database_state(app)

    response = client.send(
        f"/clients/{party.id}/documents",
        {"file": (io.BytesIO(content), filename)},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(Document) == 0
    assert stored_files(app) == []
    assert database_state(app) == before


def test_an_upload_over_the_size_limit_saves_nothing(app, client, manager, party, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 10)
    client.login(manager.email)
    before = database_state(app)

    response = client.send(
        f"/clients/{party.id}/documents",
        {"file": (io.BytesIO(b"x" * 11), "big.pdf")},
        follow_redirects=True,
    )

    assert "The file is too large." in response.get_data(as_text=True)
    assert count(Document) == 0
    assert stored_files(app) == []
    assert database_state(app) == before


def test_an_upload_of_exactly_the_limit_is_accepted(app, client, manager, party, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 10)
    client.login(manager.email)

    response = client.send(
        f"/clients/{party.id}/documents",
        {"file": (io.BytesIO(b"x" * 10), "fits.pdf")},
        follow_redirects=True,
    )

    assert "The document was attached." in response.get_data(as_text=True)
    assert count(Document) == 1


def test_a_request_over_the_upload_limit_is_refused_with_413(
    app, client, manager, party, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    client.login(manager.email)
    before = database_state(app)

    response = client.send(
        f"/clients/{party.id}/documents", {"file": (io.BytesIO(b"x" * 5000), "big.pdf")}
    )

    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
    assert database_state(app) == before


@pytest.mark.parametrize(
    ("filename", "content", "mimetype"),
    [
        pytest.param("offer.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
        pytest.param(
            "Договір №5.docx",
            b"PK\x03\x04 fake docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        pytest.param("prices.CSV", "артикул;ціна\n1;100\n".encode(), "text/csv"),
        pytest.param("photo.jpeg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"),
    ],
)
def test_an_allowed_file_round_trips(app, client, manager, party, filename, content, mimetype):
    client.login(manager.email)

    response = client.send(
        f"/clients/{party.id}/documents",
        {"file": (io.BytesIO(content), filename)},
        follow_redirects=True,
    )

    assert "The document was attached." in response.get_data(as_text=True)
    document = db.session.scalar(select(Document))
    assert document.filename == filename
    assert document.size == len(content)
    assert len(stored_files(app)) == 1
    assert filename in client.get(f"/clients/{party.id}").get_data(as_text=True)

    download = client.get(f"/clients/{party.id}/documents/{document.id}")

    assert download.status_code == 200
    assert download.data == content
    assert download.mimetype == mimetype
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_a_path_in_the_uploaded_name_is_dropped(app, client, manager, party):
    client.login(manager.email)

    client.send(
        f"/clients/{party.id}/documents",
        {"file": (io.BytesIO(b"secret"), "../../../etc/passwd.txt")},
    )

    document = db.session.scalar(select(Document))
    assert document.filename == "passwd.txt"
    assert stored_files(app) == [document.storage_name]
    assert "/" not in document.storage_name and "." not in document.storage_name


# --- edit conflicts ------------------------------------------------------------------------


@pytest.fixture
def two_editors(app, client, manager, dmitry, party):
    """Two managers with the same party's edit form open."""
    first = client
    first.login(manager.email)
    second = app.test_client()
    second.login(dmitry.email)
    first_version = version_in(first.get(f"/clients/{party.id}/edit").get_data(as_text=True))
    second_version = version_in(second.get(f"/clients/{party.id}/edit").get_data(as_text=True))
    assert first_version == second_version == "1"
    return SimpleNamespace(first=first, second=second, version=first_version)


def test_a_stale_save_gets_409_with_the_other_change_and_keeps_the_input(
    client, manager, party, two_editors
):
    url = f"/clients/{party.id}/edit"
    first = two_editors.first.send(
        url, party_form(manager.id, name="Alpha Furniture", version=two_editors.version)
    )
    assert first.status_code == 302

    second = two_editors.second.send(
        url,
        party_form(
            manager.id, name="Beta Furniture", notes="Call in May", version=two_editors.version
        ),
    )

    assert second.status_code == 409
    html = second.get_data(as_text=True)
    conflict = Tree(html).root.find(role="alert", **{"class": "card conflict"})
    assert conflict is not None, "no conflict notice"
    assert "Alpha Furniture" in conflict.text  # the first user's change
    assert "Олена Коваль" in conflict.text  # and who made it
    tree = Tree(html).root
    assert tree.find(id="name").attrs["value"] == "Beta Furniture"  # the second user's input
    assert tree.find(id="notes").text == "Call in May"
    assert version_in(html) == "2"
    saved = db.session.get(Party, party.id)
    assert saved.name == "Alpha Furniture"
    assert saved.notes == ""
    assert saved.version == 2


def test_resubmitting_after_a_conflict_applies_the_second_change(
    client, manager, party, two_editors
):
    url = f"/clients/{party.id}/edit"
    two_editors.first.send(
        url, party_form(manager.id, name="Alpha Furniture", version=two_editors.version)
    )
    mine = party_form(manager.id, name="Beta Furniture", notes="Call in May")
    conflict = two_editors.second.send(url, {**mine, "version": two_editors.version})
    assert conflict.status_code == 409

    response = two_editors.second.send(
        url, {**mine, "version": version_in(conflict.get_data(as_text=True))}
    )

    assert response.status_code == 302
    saved = db.session.get(Party, party.id)
    assert saved.name == "Beta Furniture"
    assert saved.notes == "Call in May"
    assert saved.version == 3
    updates = db.session.scalars(
        select(AuditEntry).where(AuditEntry.party_id == party.id, AuditEntry.action == "update")
    ).all()
    assert [e.changes["name"][1] for e in updates] == ["Alpha Furniture", "Beta Furniture"]


@pytest.mark.parametrize("version", ["", "abc", "0", "99"])
def test_a_save_with_a_missing_or_forged_version_does_not_overwrite(
    app, client, manager, party, version
):
    client.login(manager.email)
    before = database_state(app)

    response = client.send(
        f"/clients/{party.id}/edit", party_form(manager.id, name="Blind", version=version)
    )

    assert response.status_code == 409
    assert database_state(app) == before


# --- hand-over -----------------------------------------------------------------------------


@pytest.fixture
def handover(admin, manager, dmitry):
    james = make_user("james@example.com", role="manager", name="James Whitfield")
    first = make_party(manager, name="Alpha")
    second = make_party(manager, name="Beta")
    others = make_party(james, name="James's Client")
    return SimpleNamespace(
        admin=admin,
        manager=manager,
        dmitry=dmitry,
        james=james,
        parties=[first, second],
        others=others,
    )


def _owners(*party_list) -> list[int]:
    return [db.session.get(Party, p.id).owner_id for p in party_list]


def _hand_overs(party_id: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.party_id == party_id, AuditEntry.action == "hand_over"
    )
    return list(db.session.scalars(query))


def test_a_hand_over_to_the_same_manager_is_refused(app, client, handover):
    client.login(handover.admin.email)
    before = database_state(app)
    manager_id = handover.manager.id

    response = client.send(
        "/admin/handover", {"from_user": manager_id, "to_user": manager_id, "scope": "all"}
    )

    assert response.status_code == 422
    assert_error_next_to_field(
        response.get_data(as_text=True), "to_user", "Choose two different managers."
    )
    assert database_state(app) == before


@pytest.mark.parametrize(
    "to_user",
    [pytest.param("inactive", id="inactive-user"), pytest.param("viewer", id="viewer")],
)
def test_a_hand_over_to_someone_who_cannot_own_is_refused(app, client, handover, viewer, to_user):
    handover.dmitry.active = False
    db.session.commit()
    target = handover.dmitry.id if to_user == "inactive" else viewer.id
    client.login(handover.admin.email)
    before = database_state(app)

    response = client.send(
        "/admin/handover", {"from_user": handover.manager.id, "to_user": target, "scope": "all"}
    )

    assert response.status_code == 422
    assert_error_next_to_field(response.get_data(as_text=True), "to_user", "Not a valid choice")
    assert database_state(app) == before


def test_handing_over_all_moves_every_party_and_records_it(client, handover):
    client.login(handover.admin.email)
    manager, dmitry = handover.manager, handover.dmitry

    response = client.send(
        "/admin/handover",
        {"from_user": manager.id, "to_user": dmitry.id, "scope": "all"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "2 parties moved from Олена Коваль to Дмитрий Орлов." in response.get_data(True)
    assert _owners(*handover.parties) == [dmitry.id, dmitry.id]
    assert _owners(handover.others) == [handover.james.id]
    for party in handover.parties:
        (entry,) = _hand_overs(party.id)
        assert entry.user_id == handover.admin.id
        assert entry.changes == {"owner_id": [manager.id, dmitry.id]}
        card = client.get(f"/clients/{party.id}").get_data(as_text=True)
        history = card.split('id="history"')[1]
        assert "Handed over to another manager" in history
        assert "Олена Коваль" in history and "Дмитрий Орлов" in history


def test_handing_over_a_selection_moves_only_the_ticked_parties(client, handover):
    client.login(handover.admin.email)
    alpha, beta = handover.parties

    response = client.send(
        "/admin/handover",
        {
            "from_user": handover.manager.id,
            "to_user": handover.dmitry.id,
            "scope": "selected",
            "party_ids": [str(alpha.id), str(handover.others.id)],  # James's is not hers
        },
    )

    assert response.status_code == 302
    assert _owners(alpha, beta, handover.others) == [
        handover.dmitry.id,
        handover.manager.id,
        handover.james.id,
    ]
    assert len(_hand_overs(alpha.id)) == 1
    assert _hand_overs(beta.id) == []
    assert _hand_overs(handover.others.id) == []


# --- the list and the admin forms ----------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "after=not-a-cursor",
        "before=%25%25%25",
        "after=WyJ4IiwgImEiXQ",  # a well-formed cursor with a non-numeric id
        "sort=id;drop table parties",
        "role=boss",
        "owner=abc",
        "tag=-1",
        "q=" + "я" * 500,
    ],
)
def test_odd_list_parameters_are_ignored_not_crashed_on(client, manager, party, query):
    client.login(manager.email)

    response = client.get(f"/clients?{query}")

    assert response.status_code == 200
    assert count(Party) == 1


def test_a_list_longer_than_one_page_can_be_paged_through(app, client, manager, monkeypatch):
    """The pager the cursor tests above lean on; it renders whenever there is another page."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for name in ("Alpha", "Beta", "Gamma"):
        make_party(manager, name=name)
    client.login(manager.email)

    first = client.get("/clients")

    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Alpha" in html and "Beta" in html and "Gamma" not in html
    after = re.search(r'href="/clients\?after=([^"&]+)"', html).group(1)
    second = client.get(f"/clients?after={after}").get_data(as_text=True)
    assert "Gamma" in second and "Alpha" not in second


@pytest.mark.parametrize(("query", "found"), [("%", "100% Cotton"), ("_", "snake_case Ltd")])
def test_search_wildcards_match_literally(client, manager, query, found):
    for name in ("100% Cotton", "snake_case Ltd", "Plain Name"):
        make_party(manager, name=name)
    client.login(manager.email)

    html = client.get("/clients", query_string={"q": query}).get_data(as_text=True)

    assert found in html
    assert "Plain Name" not in html


def test_a_history_page_with_a_bad_cursor_is_still_a_page(client, manager, party):
    client.login(manager.email)

    assert client.get(f"/clients/{party.id}/timeline?cursor=abc").status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"name": "Twin", "email": "olena@example.com", "password": "password9"},
            "email",
            "A user with this e-mail already exists.",
            id="duplicate-email",
        ),
        pytest.param(
            {"name": "Twin", "email": "OLENA@example.com", "password": "password9"},
            "email",
            "A user with this e-mail already exists.",
            id="duplicate-email-other-case",
        ),
        pytest.param(
            {"name": "New", "email": "new@example.com", "password": ""},
            "password",
            "Set a password for the new user.",
            id="no-password",
        ),
        pytest.param(
            {"name": "New", "email": "new@example.com", "password": "short"},
            "password",
            "between 8 and 200 characters",
            id="short-password",
        ),
        pytest.param(
            {"name": "New", "email": "not-an-email", "password": "password9"},
            "email",
            "Invalid email address.",
            id="bad-email",
        ),
        pytest.param(
            {"name": "", "email": "new@example.com", "password": "password9"},
            "name",
            "This field is required.",
            id="no-name",
        ),
    ],
)
def test_a_bad_new_user_is_refused(app, client, admin, manager, data, field, message):
    client.login(admin.email)
    before = database_state(app)

    response = client.send("/admin/users/new", {"role": "manager", **data})

    assert response.status_code == 422
    assert_error_next_to_field(response.get_data(as_text=True), field, message)
    assert count(User) == 2
    assert database_state(app) == before


def test_an_admin_cannot_deactivate_themselves(app, client, admin):
    client.login(admin.email)
    before = database_state(app)

    response = client.send(
        f"/admin/users/{admin.id}", {"name": admin.name, "email": admin.email, "role": "admin"}
    )

    assert response.status_code == 422
    assert_error_next_to_field(
        response.get_data(as_text=True), "active", "You cannot deactivate yourself."
    )
    assert database_state(app) == before
    assert client.get("/admin/users").status_code == 200


def test_a_user_cannot_take_another_users_email(app, client, admin, manager, viewer):
    client.login(admin.email)
    before = database_state(app)

    response = client.send(
        f"/admin/users/{viewer.id}",
        {"name": viewer.name, "email": manager.email, "role": "viewer", "active": "y"},
    )

    assert response.status_code == 422
    assert_error_next_to_field(
        response.get_data(as_text=True), "email", "A user with this e-mail already exists."
    )
    assert database_state(app) == before
