"""Sales from accepted offers, and the ladder suggestions they make — services, no HTTP."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from crm.extensions import db
from crm.models import (
    Offer,
    OfferStatus,
    Party,
    Sale,
    Stage,
    StageMove,
    StageSuggestion,
    SuggestionStatus,
    User,
)
from crm.models.base import utcnow
from crm.services import ladder, sales, settings
from crm.services.board import BoardFilter
from crm.services.errors import DomainError, NotFoundError, PermissionDeniedError
from crm.services.sales import SuggestionDecidedError
from tests.factories import make_party, make_user

TODAY = date(2026, 6, 15)


def stage(key: str) -> Stage:
    return db.session.scalar(select(Stage).where(Stage.key == key, Stage.archived_at.is_(None)))


def place(party: Party, key: str) -> Party:
    """Put the party on a stage directly (no move recorded)."""
    db.session.execute(update(Party).where(Party.id == party.id).values(stage_id=stage(key).id))
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Party, party.id)


def make_offer(party: Party, total: str = "1000.00", rate: str = "1", **fields) -> Offer:
    """An accepted offer built with the model (the offers service is not needed here)."""
    count = db.session.scalar(select(func.count()).select_from(Offer)) or 0
    offer = Offer(
        number=f"КП-2026-{count + 1:04}",
        revision=1,
        party_id=party.id,
        owner_id=party.owner_id,
        created_by_id=party.owner_id,
        currency=fields.pop("currency", "UAH"),
        exchange_rate=Decimal(rate),
        language="uk",
        offer_date=TODAY,
        valid_until=TODAY + timedelta(days=14),
        status=fields.pop("status", OfferStatus.ACCEPTED),
        total=Decimal(total),
        one_off_total=Decimal(total),
        **fields,
    )
    db.session.add(offer)
    db.session.flush()
    return offer


def sell(party: Party, on: date = TODAY, total: str = "1000.00") -> Sale:
    owner = db.session.get(User, party.owner_id)
    return sales.record_sale(make_offer(party, total), owner, on)


def suggestions_of(party: Party) -> list[StageSuggestion]:
    query = select(StageSuggestion).where(StageSuggestion.party_id == party.id)
    return list(db.session.scalars(query.order_by(StageSuggestion.id)))


def open_suggestion(party: Party) -> StageSuggestion | None:
    found = [s for s in suggestions_of(party) if s.status == SuggestionStatus.OPEN]
    assert len(found) <= 1, "more than one open suggestion"
    return found[0] if found else None


@pytest.fixture
def prospect(manager):
    return place(make_party(manager, "ТОВ «Перспектива»"), "prospect")


# --- the sale ----------------------------------------------------------------------------------


def test_a_sale_is_in_the_base_currency_at_the_offers_rate_rounded_half_up(manager, prospect):
    settings.set_setting("base_currency", "EUR")
    offer = make_offer(
        prospect,
        total="10.03",
        rate="1.5",
        currency="USD",
        monthly_total=Decimal("2.01"),
        yearly_total=Decimal("0.03"),
    )
    sale = sales.record_sale(offer, manager, TODAY)
    # 15.045 → 15.05 and 0.045 → 0.05: half up, not half to even.
    assert (sale.amount, sale.one_off_amount) == (Decimal("15.05"), Decimal("15.05"))
    assert (sale.monthly_amount, sale.yearly_amount) == (Decimal("3.02"), Decimal("0.05"))
    assert (sale.currency, sale.party_id, sale.offer_id) == ("EUR", prospect.id, offer.id)
    assert (sale.sale_date, sale.created_by_id) == (TODAY, manager.id)


def test_an_offer_is_one_sale_at_most_and_only_once_accepted(manager, prospect):
    offer = make_offer(prospect)
    sales.record_sale(offer, manager, TODAY)
    with pytest.raises(DomainError):
        sales.record_sale(offer, manager, TODAY)
    with pytest.raises(DomainError):
        sales.record_sale(make_offer(prospect, status=OfferStatus.SENT), manager, TODAY)


def test_a_viewer_records_no_sale(viewer, prospect):
    with pytest.raises(PermissionDeniedError):
        sales.record_sale(make_offer(prospect), viewer, TODAY)


# --- what a sale suggests ----------------------------------------------------------------------


def test_the_first_sale_suggests_first_time_buyer_without_moving_anyone(prospect):
    sale = sell(prospect)
    suggestion = open_suggestion(prospect)
    assert suggestion.stage.key == "first_time_buyer"
    assert (suggestion.reason, suggestion.sale_id) == ("first_sale", sale.id)
    assert prospect.stage.key == "prospect"


@pytest.mark.parametrize(
    ("stands_on", "days_between", "suggested"),
    [
        ("first_time_buyer", 30, "repeat_buyer"),
        ("first_time_buyer", 365, "repeat_buyer"),
        # After more than 12 months the client buys "for the first time" again: nothing
        # above first-time buyer for who stands there, a step up for who fell back.
        ("first_time_buyer", 13 * 30, None),
        ("prospect", 13 * 30, "first_time_buyer"),
        # Two sales on one day are one purchase.
        ("prospect", 0, "first_time_buyer"),
    ],
)
def test_a_later_sale_suggests_repeat_buyer_only_within_12_months(
    manager, stands_on, days_between, suggested
):
    party = place(make_party(manager, "ТОВ «Повтор»"), "prospect")
    sell(party, TODAY - timedelta(days=days_between))
    party = place(party, stands_on)
    later = sell(party, TODAY)
    made = [s for s in suggestions_of(party) if s.sale_id == later.id]
    assert [s.stage.key for s in made] == ([suggested] if suggested else [])
    if suggested:
        assert sales.open_suggestions([party.id])[party.id] == made[0]


@pytest.mark.parametrize("stands_on", ["first_time_buyer", "client", "partner"])
def test_a_first_sale_never_suggests_a_step_sideways_or_down(manager, stands_on):
    party = place(make_party(manager), stands_on)
    sell(party)
    assert suggestions_of(party) == []


def test_a_repeat_buyer_buying_again_gets_no_suggestion(manager):
    party = place(make_party(manager), "repeat_buyer")
    sell(party, TODAY - timedelta(days=60))
    sell(party)
    assert suggestions_of(party) == []


def test_a_client_whose_relationship_ended_is_suggested_back_when_buying(manager):
    party = place(make_party(manager), "ended")
    sell(party)
    assert open_suggestion(party).stage.key == "first_time_buyer"


@pytest.mark.parametrize("roles", [["supplier"], ["competitor"]])
def test_parties_off_the_ladder_get_no_suggestion(manager, roles):
    party = make_party(manager, "ТОВ «Постачальник»", roles=roles)
    assert party.stage_id is None
    sell(party)
    assert suggestions_of(party) == []


def test_no_suggestion_when_the_ladder_lacks_the_stage(prospect):
    stage("first_time_buyer").archived_at = utcnow()
    db.session.commit()
    sell(prospect)
    assert suggestions_of(prospect) == []


def test_a_newer_suggestion_replaces_the_open_one(prospect):
    first = sell(prospect, TODAY - timedelta(days=40))
    second = sell(prospect)
    older, newer = suggestions_of(prospect)
    assert (older.sale_id, older.status) == (first.id, SuggestionStatus.DISMISSED)
    assert older.decided_by_id is None  # replaced, not dismissed by someone
    assert (newer.sale_id, newer.status) == (second.id, SuggestionStatus.OPEN)
    assert newer.stage.key == "repeat_buyer"
    assert sales.open_suggestions([prospect.id]) == {prospect.id: newer}


# --- accepting and dismissing ------------------------------------------------------------------


def test_accepting_moves_the_party_up_and_records_the_move(manager, prospect):
    sell(prospect)
    suggestion = open_suggestion(prospect)
    move = sales.accept_suggestion(manager, suggestion.id, prospect.id, stage("prospect").id)
    db.session.commit()
    assert prospect.stage.key == "first_time_buyer"
    assert (move.from_stage_id, move.to_stage_id) == (stage("prospect").id, suggestion.stage_id)
    assert (move.source, move.user_id) == ("sale", manager.id)
    assert ladder.stage_history(prospect, limit=1) == [move]
    assert (suggestion.status, suggestion.decided_by_id) == (SuggestionStatus.ACCEPTED, manager.id)
    assert suggestion.decided_at is not None


def test_dismissing_leaves_the_party_where_it_is(manager, prospect):
    sell(prospect)
    suggestion = open_suggestion(prospect)
    moves = db.session.scalar(select(func.count()).select_from(StageMove))
    sales.dismiss_suggestion(manager, suggestion.id, prospect.id)
    db.session.commit()
    assert prospect.stage.key == "prospect"
    assert db.session.scalar(select(func.count()).select_from(StageMove)) == moves
    assert (suggestion.status, suggestion.decided_by_id) == (SuggestionStatus.DISMISSED, manager.id)
    assert sales.open_suggestions([prospect.id]) == {}


@pytest.mark.parametrize(
    ("first", "then", "message"),
    [
        ("accept", "accept", "accepted already"),
        ("accept", "dismiss", "accepted already"),
        ("dismiss", "accept", "dismissed already"),
        ("dismiss", "dismiss", "dismissed already"),
        ("replace", "accept", "newer sale"),
    ],
)
def test_a_decided_suggestion_cannot_be_decided_again(manager, prospect, first, then, message):
    sell(prospect, TODAY - timedelta(days=40))
    suggestion = open_suggestion(prospect)
    if first == "replace":
        sell(prospect)
    else:
        getattr(sales, f"{first}_suggestion")(manager, suggestion.id, prospect.id)
    db.session.commit()
    with pytest.raises(SuggestionDecidedError, match=message):
        getattr(sales, f"{then}_suggestion")(manager, suggestion.id, prospect.id)


def test_accepting_when_the_party_got_there_meanwhile_only_closes_the_suggestion(manager, prospect):
    sell(prospect)
    suggestion = open_suggestion(prospect)
    party = place(prospect, "client")
    assert sales.open_suggestions([party.id]) == {}  # moot: neither board nor card shows it
    assert sales.accept_suggestion(manager, suggestion.id, party.id, stage("client").id) is None
    db.session.commit()
    assert party.stage.key == "client"
    assert suggestion.status == SuggestionStatus.ACCEPTED


def test_accepting_what_the_user_saw_on_another_stage_is_stale(manager, prospect):
    sell(prospect)
    db.session.commit()
    suggestion = open_suggestion(prospect)
    with pytest.raises(ladder.StaleMoveError):
        sales.accept_suggestion(manager, suggestion.id, prospect.id, stage("suspect").id)
    db.session.rollback()
    assert open_suggestion(prospect) is not None


@pytest.mark.parametrize("decide", ["accept", "dismiss"])
def test_viewers_decide_nothing(viewer, prospect, decide):
    sell(prospect)
    suggestion = open_suggestion(prospect)
    with pytest.raises(PermissionDeniedError):
        getattr(sales, f"{decide}_suggestion")(viewer, suggestion.id, prospect.id)


@pytest.mark.parametrize("decide", ["accept", "dismiss"])
def test_a_party_the_manager_may_not_see_is_not_found(prospect, decide):
    settings.set_setting("manager_visibility", "own")
    db.session.commit()
    sell(prospect)
    other = make_user("dmitry@example.com", name="Дмитрий Орлов")
    suggestion = open_suggestion(prospect)
    with pytest.raises(NotFoundError):
        getattr(sales, f"{decide}_suggestion")(other, suggestion.id, prospect.id)


def test_a_suggestion_of_another_party_is_not_found(manager, prospect):
    sell(prospect)
    other = place(make_party(manager, "ТОВ «Інша»"), "prospect")
    with pytest.raises(NotFoundError):
        sales.accept_suggestion(manager, open_suggestion(prospect).id, other.id)


# --- totals ------------------------------------------------------------------------------------


def test_column_totals_cover_12_months_and_follow_the_boards_filters(manager, prospect):
    other = make_user("dmitry@example.com", name="Дмитрий Орлов")
    client = place(make_party(other, "ТОВ «Клієнт»"), "client")
    today = date.today()
    sell(prospect, today - timedelta(days=10), "100.00")
    sell(prospect, today - timedelta(days=400), "5000.00")  # older than 12 months
    sell(client, today - timedelta(days=364), "250.50")
    sell(client, today, "0.25")
    db.session.commit()
    totals = sales.sales_totals_by_stage(manager, BoardFilter())
    assert totals == {
        stage("prospect").id: Decimal("100.00"),
        stage("client").id: Decimal("250.75"),
    }
    assert sales.sales_totals_by_stage(manager, BoardFilter(mine=True)) == {
        stage("prospect").id: Decimal("100.00")
    }
    settings.set_setting("manager_visibility", "own")
    assert set(sales.sales_totals_by_stage(other, BoardFilter())) == {stage("client").id}


def test_the_cards_sales_newest_first_with_the_12_month_total(manager, prospect):
    today = date.today()
    old = sell(prospect, today - timedelta(days=500), "7000.00")
    recent = sell(prospect, today - timedelta(days=3), "123.45")
    db.session.commit()
    assert sales.party_sales(prospect) == [recent, old]
    assert sales.party_sales_total_12m(prospect) == Decimal("123.45")
    card = sales.card_sales(prospect)
    assert (card.recent, card.total_12m, card.currency) == ([recent, old], Decimal("123.45"), "UAH")
    assert card.suggestion == open_suggestion(prospect)
    assert sales.card_sales(place(make_party(manager, "ТОВ «Нова»"), "prospect")).recent == []
