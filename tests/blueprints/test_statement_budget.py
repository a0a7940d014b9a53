"""SQL statements per page: each page stays within budget, and none grows with its rows (N+1).

The budget comes from the performance issue: at most 15 statements for any page. Counted
are the statements the driver executes while the request runs; transaction control
(BEGIN, COMMIT, ROLLBACK, SAVEPOINT) is not a query and is not counted.
"""

import io
import re

import pytest
from sqlalchemy import event

from crm.extensions import db
from crm.services import documents, parties
from tests.factories import make_contact, make_party, make_user

BUDGET = 15
TX_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
HTMX = {"HX-Request": "true"}
TAG_POOL = ["опт", "VIP", "розница", "Київ", "wholesale", "тендер"]
ROLE_POOL = [["client"], ["client", "partner"], ["supplier"], ["competitor"], ["partner"]]


def counted_get(client, url: str, headers: dict | None = None) -> tuple[str, list[str]]:
    """The page's HTML and the SQL statements the request ran."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not TX_CONTROL.match(statement):
            statements.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(url, headers=headers or {})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return response.get_data(as_text=True), statements


def within_budget(statements: list[str]) -> bool:
    return len(statements) <= BUDGET


def explain(statements: list[str]) -> str:
    return f"{len(statements)} statements:\n" + "\n".join(s[:160] for s in statements)


@pytest.fixture
def owners(manager, admin):
    """Parties spread over several owners, so that a lazily loaded owner would show."""
    return [manager, admin, make_user("dmitry@example.com", name="Дмитрий Орлов")]


def add_parties(owners: list, count: int, start: int = 0) -> list:
    """Parties with one or two roles, two or three tags and two phones each."""
    made = []
    for i in range(start, start + count):
        made.append(
            make_party(
                owners[i % len(owners)],
                f"ТОВ «Ромашка {i:03}»",
                roles=ROLE_POOL[i % len(ROLE_POOL)],
                tags=[TAG_POOL[i % 6], TAG_POOL[(i + 1) % 6], *(["VIP"] if i % 2 else [])],
                phones=f"+380 50 123 45 {i % 100:02}\n+380 44 000 00 {i % 100:02}",
                legal_name=f"Товариство «Ромашка {i:03}»",
            )
        )
    return made


def enrich(party, contacts: int, files: int, edits: int) -> None:  # noqa: ANN001
    """Contacts, documents and history entries on a party's card."""
    owner = party.owner
    for n in range(contacts):
        make_contact(party, f"Контакт {n}", phones="+380 67 111 22 33", emails=f"c{n}@example.com")
    for n in range(files):
        documents.attach_document(owner, party, f"offer-{n}.pdf", io.BytesIO(b"%PDF-1.4 bench"))
        db.session.commit()
    for n in range(edits):
        parties.update_party(owner, party, {"notes": f"Звонок №{n}"}, party.version)
        db.session.commit()


def test_list_page_and_search_fragment_within_budget(client, manager, owners):
    add_parties(owners, 25)
    client.login(manager.email)

    page, statements = counted_get(client, "/clients")
    assert "Ромашка 024" in page
    assert within_budget(statements), explain(statements)

    fragment, statements = counted_get(client, "/clients?q=ромашка", HTMX)
    assert "<html" not in fragment and "Ромашка 000" in fragment
    assert within_budget(statements), explain(statements)

    for url in ("/clients?role=competitor", f"/clients?owner={manager.id}", "/clients?tag=1"):
        _, statements = counted_get(client, url, HTMX)
        assert within_budget(statements), f"{url}: {explain(statements)}"


def test_later_page_within_budget(client, manager, owners):
    add_parties(owners, 30)
    client.login(manager.email)
    first, _ = counted_get(client, "/clients", HTMX)
    found = re.search(r'href="(/clients\?[^"]*after=[^"]*)"', first)
    assert found, "no link to the next page"
    later, statements = counted_get(client, found.group(1).replace("&amp;", "&"), HTMX)
    assert "Ромашка 029" in later
    assert within_budget(statements), explain(statements)


@pytest.mark.parametrize(("url", "headers"), [("/clients", {}), ("/clients?q=ромашка", HTMX)])
def test_list_statements_do_not_grow_with_the_parties_on_the_page(
    client, manager, owners, url, headers
):
    add_parties(owners, 5)
    client.login(manager.email)
    _, with_five = counted_get(client, url, headers)

    add_parties(owners, 20, start=5)
    page, with_twenty_five = counted_get(client, url, headers)
    assert page.count("Ромашка 0") >= 25

    assert len(with_twenty_five) == len(with_five), (
        f"5 parties: {explain(with_five)}\n\n25 parties: {explain(with_twenty_five)}"
    )


def test_party_card_within_budget(client, manager, owners):
    party = add_parties(owners, 1)[0]
    enrich(party, contacts=3, files=2, edits=3)
    client.login(manager.email)

    card, statements = counted_get(client, f"/clients/{party.id}")
    assert "Контакт 2" in card and "offer-1.pdf" in card and "Звонок №2" in card
    assert within_budget(statements), explain(statements)


def test_party_card_statements_do_not_grow_with_contacts_documents_history(client, manager, owners):
    small, large = add_parties(owners, 2)
    enrich(small, contacts=1, files=1, edits=1)
    enrich(large, contacts=6, files=4, edits=8)
    client.login(manager.email)

    _, few = counted_get(client, f"/clients/{small.id}")
    _, many = counted_get(client, f"/clients/{large.id}")
    assert len(many) == len(few), f"small card: {explain(few)}\n\nlarge card: {explain(many)}"


def test_edit_form_within_budget(client, manager, owners):
    party = add_parties(owners, 1)[0]
    enrich(party, contacts=2, files=0, edits=1)
    client.login(manager.email)

    form, statements = counted_get(client, f"/clients/{party.id}/edit")
    assert 'name="version"' in form
    assert within_budget(statements), explain(statements)
