"""The board at /pipeline and moving clients: pages, fragments, status codes, database effects."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from crm.extensions import db
from crm.models import LossReason, Party, Stage, StageMove
from crm.models.base import utcnow
from crm.services import settings
from tests.factories import make_party, make_user

HTMX = {"HX-Request": "true"}
TX_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
BOARD_BUDGET, LOAD_MORE_BUDGET = 20, 10
CARD = re.compile(r'<li class="board-card[ "]')


def stage(key: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.key == key, Stage.archived_at.is_(None)))


def reason_id(key: str = "price") -> int:
    return db.session.scalar(select(LossReason.id).where(LossReason.key == key))


def place(party: Party, key: str, days_ago: float = 1) -> Party:
    db.session.execute(
        update(Party)
        .where(Party.id == party.id)
        .values(stage_id=stage(key).id, last_contact_at=utcnow() - timedelta(days=days_ago))
    )
    db.session.commit()
    return party


def stage_of(party_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Party, party_id).stage.key


def move_count(party_id: int) -> int:
    query = select(func.count()).select_from(StageMove).where(StageMove.party_id == party_id)
    return db.session.scalar(query)


def column_html(html: str, key: str) -> str:
    """The markup of one column (up to the next one)."""
    start = rf'<section class="board-column[^"]*" id="column-{stage(key).id}"'
    found = re.search(start + ".*?</section>", html, re.S)
    assert found, f"no column for {key}"
    return found.group(0)


def hidden_value(html: str, name: str) -> str:
    found = re.search(rf'<input id="{name}" name="{name}" type="hidden" value="([^"]*)">', html)
    assert found, f"no hidden {name}"
    return found.group(1)


def count_in(html: str, key: str) -> int:
    found = re.search(r'board-column-count" aria-hidden="true">([\d,\s]+)<', column_html(html, key))
    return int(re.sub(r"\D", "", found.group(1)))


@pytest.fixture
def olena(manager, client):
    client.login(manager.email)
    return manager


# --- the board -------------------------------------------------------------------------------


def test_the_board_is_a_page_with_a_column_per_stage_and_the_cards(client, olena):
    interval = stage("client").contact_interval_days
    quiet = place(make_party(olena, "ТОВ «Тиша»"), "client", 2 * interval + 3)
    place(make_party(olena, "Acme"), "client", 4)
    response = client.get("/pipeline")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html
    assert "HX-Request" in response.headers["Vary"]
    for s in db.session.scalars(select(Stage).where(Stage.archived_at.is_(None))):
        assert f'id="column-{s.id}"' in html
    assert "Relationship ended" in html and count_in(html, "client") == 2
    client_column = column_html(html, "client")
    assert f'href="/clients/{quiet.id}"' in client_column and "Олена Коваль" in client_column
    assert f"{2 * interval + 3} days since contact" in client_column
    assert client_column.count("At risk") == 1  # the flag is text, not colour only
    assert client_column.index("ТОВ «Тиша»") < client_column.index("Acme")  # longest quiet first
    assert f'href="/pipeline/move/{quiet.id}?from=board"' in client_column
    assert 'src="/static/board.js"' in html and "Sortable-1.15.7.min.js" in html


def test_filters_come_back_as_a_fragment_and_the_same_url_is_a_full_page(client, olena):
    other = make_user("dmitry@example.com", name="Дмитрий Орлов")
    place(make_party(olena, "Mine"), "client")
    place(make_party(other, "His"), "client")

    fragment = client.get("/pipeline?mine=1", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and "Mine" in fragment and "His" not in fragment
    assert count_in(fragment, "client") == 1
    assert "from=board&amp;mine=1" in fragment  # the links keep the filters

    page = client.get("/pipeline?mine=1").get_data(as_text=True)
    assert "<html" in page and 'name="mine" value="1" checked' in page and "His" not in page
    owner = client.get(f"/pipeline?owner={other.id}", headers=HTMX).get_data(as_text=True)
    assert "His" in owner and "Mine" not in owner


@pytest.mark.parametrize("query", ["role=nobody", "tag=abc", "owner=-1", "at_risk=yes"])
def test_bad_filter_values_are_ignored(client, olena, query):
    place(make_party(olena, "Acme"), "client")
    response = client.get(f"/pipeline?{query}")
    assert response.status_code == 200 and "Acme" in response.get_data(as_text=True)


def test_load_more_continues_a_column_as_a_fragment_or_a_page(client, olena):
    for i in range(30):
        place(make_party(olena, f"Card {i:02}"), "client", 100 - i)
    html = client.get("/pipeline").get_data(as_text=True)
    column = column_html(html, "client")
    assert len(CARD.findall(column)) == 25 and "Card 24" in column
    more = re.search(r'class="board-more">\s*<a class="button small" href="([^"]+)"', column)
    url = more.group(1).replace("&amp;", "&")

    fragment = client.get(url, headers=HTMX)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert len(CARD.findall(text)) == 5 and all(f"Card {i}" in text for i in range(25, 30))
    assert "Card 24" not in text and "board-more" not in text and "data-first-loaded" in text

    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "Card 29" in page and "Back to the board" in page


def test_an_unknown_or_archived_column_is_404(client, olena):
    assert client.get("/pipeline/columns/9999", headers=HTMX).status_code == 404


def test_a_viewer_sees_the_board_but_cannot_move(client, manager, viewer):
    party = place(make_party(manager, "Acme"), "client")
    client.login(viewer.email)
    html = client.get("/pipeline").get_data(as_text=True)
    assert "Acme" in html and "card-move" not in html and 'data-can-move="0"' in html
    assert client.get(f"/pipeline/move/{party.id}").status_code == 403
    data = {"to_stage_id": stage("supporter").id, "expected_stage_id": stage("client").id}
    assert client.send(f"/pipeline/move/{party.id}?from=board", data, htmx=True).status_code == 403
    assert stage_of(party.id) == "client"


# --- the move form ---------------------------------------------------------------------------


def test_the_move_form_is_a_page_from_the_card_and_a_fragment_for_the_dialog(client, olena):
    party = place(make_party(olena, "Acme"), "client")
    page = client.get(f"/pipeline/move/{party.id}?to={stage('prospect').id}&from=card")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert f'<option selected value="{stage("prospect").id}">' in html
    assert hidden_value(html, "expected_stage_id") == str(stage("client").id)
    assert "Required: moving down" in html  # prospect is below client
    assert f'href="/clients/{party.id}"' in html and "hx-post" not in html
    for label in ("Move to", "Reason", "Comment"):
        assert f">{label}</label>" in html

    fragment = client.get(f"/pipeline/move/{party.id}?from=board", headers=HTMX)
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "hx-post" in text and "data-close-dialog" in text
    assert f'<option selected value="{stage("supporter").id}">' in text  # next rung up
    assert "Needed only when moving down" in text


# --- moving ----------------------------------------------------------------------------------


def test_moving_up_on_the_board_returns_both_columns_out_of_band(client, olena):
    party = place(make_party(olena, "Acme"), "client")
    place(make_party(olena, "Stays"), "client")
    data = {
        "to_stage_id": stage("supporter").id,
        "expected_stage_id": stage("client").id,
        "comment": "Second order",
    }
    response = client.send(f"/pipeline/move/{party.id}?from=board", data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "“Acme” moved to Supporter." in html
    assert response.headers["HX-Retarget"] == "#board-status"
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {
        "board-moved": {"id": party.id}
    }
    assert html.count('hx-swap-oob="true"') == 2
    assert count_in(html, "client") == 1 and count_in(html, "supporter") == 1
    assert "Acme" in column_html(html, "supporter") and "Acme" not in column_html(html, "client")
    assert stage_of(party.id) == "supporter"
    move = db.session.scalar(select(StageMove).order_by(StageMove.id.desc()))
    assert (move.from_stage.key, move.to_stage.key, move.comment, move.user_id) == (
        "client",
        "supporter",
        "Second order",
        olena.id,
    )


def test_moving_from_the_card_page_redirects_back_to_the_card(client, olena):
    party = place(make_party(olena, "Acme"), "client")
    data = {"to_stage_id": stage("advocate").id, "expected_stage_id": stage("client").id}
    response = client.send(f"/pipeline/move/{party.id}?from=card", data)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/clients/{party.id}"
    )
    assert stage_of(party.id) == "advocate"


def test_moving_from_the_board_without_javascript_redirects_to_the_filtered_board(client, olena):
    party = place(make_party(olena, "Acme"), "client")
    data = {"to_stage_id": stage("advocate").id, "expected_stage_id": stage("client").id}
    response = client.send(f"/pipeline/move/{party.id}?from=board&mine=1", data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/pipeline?mine=1")


@pytest.mark.parametrize("target", ["prospect", "ended"])
@pytest.mark.parametrize("htmx", [True, False])
def test_moving_down_the_ladder_requires_a_reason(client, olena, target, htmx):
    party = place(make_party(olena, "Acme"), "client")
    before = move_count(party.id)
    data = {"to_stage_id": stage(target).id, "expected_stage_id": stage("client").id}
    response = client.send(f"/pipeline/move/{party.id}?from=board", data, htmx=htmx)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("<html" in html) != htmx
    error = re.search(r'<p id="reason_id-error" class="error" role="alert">([^<]+)</p>', html)
    assert error and "needs a reason" in error.group(1)
    assert 'aria-describedby="reason_id-hint reason_id-error"' in html  # next to the field
    assert stage_of(party.id) == "client" and move_count(party.id) == before

    data["reason_id"] = reason_id("competitor")
    response = client.send(f"/pipeline/move/{party.id}?from=board", data, htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    assert stage_of(party.id) == target
    move = db.session.scalar(select(StageMove).order_by(StageMove.id.desc()))
    assert move.reason.key == "competitor"


def test_a_stale_move_is_409_and_the_board_refreshes_the_columns(client, olena, admin):
    party = place(make_party(olena, "Acme"), "client")
    seen = stage("client").id
    place(party, "advocate")  # someone else moved it meanwhile
    before = move_count(party.id)
    data = {"to_stage_id": stage("supporter").id, "expected_stage_id": seen}
    response = client.send(f"/pipeline/move/{party.id}?from=board", data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone moved this client meanwhile." in html
    oob = set(re.findall(r'id="column-(\d+)"[^>]*hx-swap-oob="true"', html))
    assert oob == {str(stage(k).id) for k in ("client", "advocate", "supporter")}
    assert "Acme" in column_html(html, "advocate")
    assert hidden_value(html, "expected_stage_id") == str(stage("advocate").id)  # where it is now
    assert stage_of(party.id) == "advocate" and move_count(party.id) == before

    page = client.send(f"/pipeline/move/{party.id}?from=card", data)
    assert page.status_code == 409 and "<html" in page.get_data(as_text=True)


def test_a_move_to_an_unknown_stage_is_422(client, olena):
    party = place(make_party(olena, "Acme"), "client")
    data = {"to_stage_id": 9999, "expected_stage_id": stage("client").id}
    response = client.send(f"/pipeline/move/{party.id}?from=board", data, htmx=True)
    assert response.status_code == 422 and stage_of(party.id) == "client"


def test_under_own_visibility_another_managers_client_is_404(client, olena):
    other = make_user("dmitry@example.com", name="Дмитрий Орлов")
    his = place(make_party(other, "His"), "client")
    settings.set_setting("manager_visibility", "own")
    db.session.commit()
    assert "His" not in client.get("/pipeline").get_data(as_text=True)
    assert client.get(f"/pipeline/move/{his.id}?from=board").status_code == 404
    data = {"to_stage_id": stage("supporter").id, "expected_stage_id": stage("client").id}
    assert client.send(f"/pipeline/move/{his.id}?from=board", data, htmx=True).status_code == 404
    assert stage_of(his.id) == "client"


def test_a_moved_card_stays_in_sight_in_a_long_column(client, olena):
    for i in range(26):
        place(make_party(olena, f"Old {i:02}"), "supporter", 50 + i)
    party = place(make_party(olena, "Acme"), "client")
    data = {"to_stage_id": stage("supporter").id, "expected_stage_id": stage("client").id}
    html = client.send(f"/pipeline/move/{party.id}?from=board", data, htmx=True).get_data(
        as_text=True
    )
    supporter = column_html(html, "supporter")
    assert count_in(html, "supporter") == 27 and "Moved just now" in supporter
    assert supporter.index("Acme") < supporter.index("Old 25")


# --- statements per request ------------------------------------------------------------------


def counted_get(client, url: str, headers: dict | None = None) -> tuple[str, list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if not TX_CONTROL.match(statement):
            statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url, headers=headers or {})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    return response.get_data(as_text=True), statements


def explain(statements: list[str]) -> str:
    return f"{len(statements)} statements:\n" + "\n".join(s[:160] for s in statements)


def fill(owners: list, count: int, start: int = 0) -> None:
    keys = ["suspect", "prospect", "client", "ended"]
    for i in range(start, start + count):
        party = make_party(owners[i % len(owners)], f"Party {i:03}", tags=["VIP"])
        place(party, keys[i % len(keys)], i % 300)


@pytest.mark.parametrize(
    "url",
    ["/pipeline", "/pipeline?at_risk=1&role=client", "/pipeline?tag=1&mine=1"],
)
def test_the_board_stays_within_its_statement_budget_whatever_the_cards(client, olena, url):
    owners = [olena, make_user("dmitry@example.com", name="Дмитрий Орлов")]
    fill(owners, 8)
    _, few = counted_get(client, url)
    fill(owners, 120, start=8)
    html, many = counted_get(client, url)
    assert len(many) <= BOARD_BUDGET, explain(many)
    assert len(many) == len(few), f"8 cards: {explain(few)}\n\n128 cards: {explain(many)}"
    _, fragment = counted_get(client, url, HTMX)
    assert len(fragment) <= BOARD_BUDGET, explain(fragment)


def test_load_more_stays_within_its_statement_budget(client, olena):
    owners = [olena, make_user("dmitry@example.com", name="Дмитрий Орлов")]
    fill(owners, 160)
    html, _ = counted_get(client, "/pipeline")
    url = re.search(r'class="board-more">\s*<a class="button small" href="([^"]+)"', html)
    more, statements = counted_get(client, url.group(1).replace("&amp;", "&"), HTMX)
    assert len(CARD.findall(more)) == 15
    assert len(statements) <= LOAD_MORE_BUDGET, explain(statements)
