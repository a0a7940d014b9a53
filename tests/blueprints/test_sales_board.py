"""Sales on the board and the card: column totals, suggestion badges, accepting over HTTP."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Offer, Party, Sale, StageMove, StageSuggestion, SuggestionStatus
from crm.services import sales, settings
from tests.blueprints.test_pipeline import (
    BOARD_BUDGET,
    HTMX,
    column_html,
    counted_get,
    explain,
    place,
    stage,
    stage_of,
)
from tests.blueprints.test_statement_budget import BUDGET as CARD_BUDGET
from tests.blueprints.test_statement_budget import add_parties, enrich
from tests.factories import make_party, make_user


def sale(party: Party, days_ago: int = 3, amount: str = "100.00", offer: Offer | None = None):
    """A sale as the offers service records it, and the suggestion it makes."""
    row = Sale(
        party_id=party.id,
        offer_id=offer.id if offer else None,
        sale_date=date.today() - timedelta(days=days_ago),
        currency=settings.base_currency(),
        amount=Decimal(amount),
        created_by_id=party.owner_id,
    )
    db.session.add(row)
    db.session.flush()
    sales.suggest_after_sale(row)
    db.session.commit()
    return row


def suggestion_of(party: Party) -> StageSuggestion:
    query = select(StageSuggestion).where(StageSuggestion.party_id == party.id)
    return db.session.scalars(query.order_by(StageSuggestion.id.desc())).first()


def card_url(party: Party, suggestion: StageSuggestion, action: str) -> str:
    return f"/clients/{party.id}/suggestions/{suggestion.id}/{action}"


@pytest.fixture
def olena(manager, client):
    client.login(manager.email)
    return manager


@pytest.fixture
def prospect(olena):
    party = place(make_party(olena, "ТОВ «Перспектива»"), "prospect")
    sale(party)
    return party


# --- the board ---------------------------------------------------------------------------------


def test_each_column_shows_its_sales_of_the_last_12_months(client, olena):
    first = place(make_party(olena, "Перший"), "client")
    second = place(make_party(olena, "Другий"), "client")
    sale(first, 10, "1000.50")
    sale(second, 300, "99.50")
    sale(second, 400, "5000.00")  # older than 12 months
    place(make_party(olena, "Без продажів"), "prospect")
    html = client.get("/pipeline").get_data(as_text=True)
    total = re.search(r'class="board-column-sales"[^>]*>([^<]+)<', column_html(html, "client"))
    assert total.group(1) == "12-month sales: UAH\u00a01,100.00"
    assert "board-column-sales" not in column_html(html, "prospect")
    fragment = client.get("/pipeline?mine=1", headers=HTMX).get_data(as_text=True)
    assert "UAH\u00a01,100.00" in column_html(fragment, "client")


def test_a_card_with_an_open_suggestion_shows_a_badge_linking_to_the_card(client, prospect):
    html = client.get("/pipeline").get_data(as_text=True)
    column = column_html(html, "prospect")
    assert "Suggested: First-time buyer" in column
    assert f'href="/clients/{prospect.id}#relationship"' in column


def test_columns_after_a_board_move_keep_their_totals_and_badges(client, olena, prospect):
    other = place(make_party(olena, "Інший"), "prospect")
    sale(other, 5, "50.00")
    data = {"to_stage_id": stage("client").id, "expected_stage_id": stage("prospect").id}
    response = client.send(f"/pipeline/move/{prospect.id}?from=board", data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "UAH\u00a050.00" in column_html(html, "prospect")
    assert "Suggested: First-time buyer" in column_html(html, "prospect")  # the other card's
    assert "UAH\u00a0100.00" in column_html(html, "client")
    assert "Suggested" not in column_html(html, "client")  # moot now: the client is above it


def fill_with_sales(owners: list, count: int, start: int = 0) -> None:
    keys = ["suspect", "prospect", "first_time_buyer", "client"]
    for i in range(start, start + count):
        party = place(make_party(owners[i % len(owners)], f"Party {i:03}"), keys[i % 4], i % 300)
        sale(party, i % 500, f"{i}.50")


@pytest.mark.parametrize("url", ["/pipeline", "/pipeline?at_risk=1&role=client&mine=1"])
def test_the_board_with_sales_and_suggestions_stays_within_its_budget(client, olena, url):
    owners = [olena, make_user("dmitry@example.com", name="Дмитрий Орлов")]
    fill_with_sales(owners, 8)
    _, few = counted_get(client, url)
    fill_with_sales(owners, 80, start=8)
    html, many = counted_get(client, url)
    assert url != "/pipeline" or "Suggested: " in html
    assert len(many) <= BOARD_BUDGET, explain(many)
    assert len(many) == len(few), f"8 cards: {explain(few)}\n\n88 cards: {explain(many)}"


# --- the party card ----------------------------------------------------------------------------


def test_the_card_shows_the_suggestion_and_the_sales_with_links_to_their_offers(
    client, olena, prospect
):
    offer = Offer(
        number="КП-2026-0007",
        revision=2,
        party_id=prospect.id,
        owner_id=olena.id,
        created_by_id=olena.id,
        currency="UAH",
        language="uk",
        offer_date=date.today(),
        valid_until=date.today() + timedelta(days=14),
        status="accepted",
    )
    db.session.add(offer)
    db.session.commit()
    sale(prospect, 1, "2500.00", offer)
    card = client.get(f"/clients/{prospect.id}").get_data(as_text=True)
    section = card.split('id="relationship"')[1].split("</section>")[0]
    assert f'hx-get="/clients/{prospect.id}/sales" hx-trigger="load"' in section
    assert f'<a href="/clients/{prospect.id}/sales">' in section  # without JavaScript

    response = client.get(f"/clients/{prospect.id}/sales", headers=HTMX)
    block = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in block
    assert "Suggested: Repeat buyer" in block  # the second sale within 12 months
    assert 'name="csrf_token"' in block and 'hx-post="/clients/' in block
    assert "Accept" in block and "Dismiss" in block
    assert "UAH\u00a02,600.00" in block  # the last 12 months
    assert f'<a href="/offers/{offer.id}">КП-2026-0007-v2</a>' in block

    page = client.get(f"/clients/{prospect.id}/sales").get_data(as_text=True)
    assert "<html" in page and "Suggested: Repeat buyer" in page
    assert "hx-post" not in page.split("<main")[1]  # plain forms: they redirect to the card


def test_accepting_over_htmx_moves_the_party_and_rerenders_the_section(client, olena, prospect):
    suggestion = suggestion_of(prospect)
    data = {"expected_stage_id": stage("prospect").id}
    response = client.send(card_url(prospect, suggestion, "accept"), data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Moved to First-time buyer." in html
    assert 'id="relationship-h"' in html and "Suggested:" not in html
    assert stage_of(prospect.id) == "first_time_buyer"
    move = db.session.scalar(select(StageMove).order_by(StageMove.id.desc()))
    assert (move.to_stage.key, move.source, move.user_id) == ("first_time_buyer", "sale", olena.id)
    assert "(suggested by a sale)" in html


def test_accepting_without_javascript_redirects_to_the_card(client, prospect):
    suggestion = suggestion_of(prospect)
    response = client.send(card_url(prospect, suggestion, "accept"), {})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clients/{prospect.id}#relationship")
    assert stage_of(prospect.id) == "first_time_buyer"


def test_dismissing_keeps_the_stage(client, prospect):
    suggestion = suggestion_of(prospect)
    response = client.send(card_url(prospect, suggestion, "dismiss"), {}, htmx=True)
    assert response.status_code == 200 and "Suggestion dismissed." in response.get_data(
        as_text=True
    )
    assert stage_of(prospect.id) == "prospect"
    db.session.expire_all()
    assert suggestion_of(prospect).status == SuggestionStatus.DISMISSED


def test_a_decided_suggestion_is_422_and_a_stale_one_409(client, prospect):
    suggestion = suggestion_of(prospect)
    stale = {"expected_stage_id": stage("suspect").id}
    response = client.send(card_url(prospect, suggestion, "accept"), stale, htmx=True)
    assert response.status_code == 409 and "moved this client meanwhile" in response.get_data(
        as_text=True
    )
    assert stage_of(prospect.id) == "prospect"
    client.send(card_url(prospect, suggestion, "dismiss"), {}, htmx=True)
    response = client.send(card_url(prospect, suggestion, "accept"), {}, htmx=True)
    assert response.status_code == 422
    assert "dismissed already" in response.get_data(as_text=True)


def test_viewers_get_403_and_invisible_parties_404(client, manager, viewer, prospect):
    suggestion = suggestion_of(prospect)
    client.send("/logout")
    client.login(viewer.email)
    assert client.send(card_url(prospect, suggestion, "accept"), {}).status_code == 403
    html = client.get(f"/clients/{prospect.id}/sales", headers=HTMX).get_data(as_text=True)
    assert "Suggested: First-time buyer" in html and "/accept" not in html
    settings.set_setting("manager_visibility", "own")
    db.session.commit()
    other = make_user("dmitry@example.com", name="Дмитрий Орлов")
    client.send("/logout")
    client.login(other.email)
    assert client.send(card_url(prospect, suggestion, "dismiss"), {}).status_code == 404
    assert client.get(f"/clients/{prospect.id}/sales", headers=HTMX).status_code == 404
    db.session.expire_all()
    assert suggestion_of(prospect).status == SuggestionStatus.OPEN


def test_the_card_and_its_sales_block_stay_within_their_budget(client, manager, admin):
    small, large = add_parties([manager, admin], 2)
    enrich(small, contacts=1, files=1, edits=1)
    enrich(large, contacts=3, files=2, edits=3)
    for party in (small, large):
        place(party, "prospect")
    sale(small, 2)
    for days_ago in range(560, -1, -40):
        sale(large, days_ago)
    client.login(manager.email)
    for url, headers in (("/clients/{}", {}), ("/clients/{}/sales", HTMX)):
        _, few = counted_get(client, url.format(small.id), headers)
        html, many = counted_get(client, url.format(large.id), headers)
        assert len(many) <= CARD_BUDGET, explain(many)
        assert len(many) == len(few), f"small: {explain(few)}\n\nlarge: {explain(many)}"
    assert "Suggested: Repeat buyer" in html and html.count("<td>—</td>") == 5
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 16
