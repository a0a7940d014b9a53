"""Sales: an accepted offer becomes revenue in the base currency and may suggest a step up.

A sale never moves a party on the ladder by itself. For a client or partner on the ladder,
the first sale suggests "first-time buyer"; a sale within 12 months of the one before
suggests "repeat buyer"; a sale after a longer pause counts as a first purchase again.
Only a step up is ever suggested: to a current, non-terminal stage above the party's own
(a party whose relationship ended may be suggested back onto the ladder, as leaving the
terminal stage is not a move down). A party has at most one open suggestion, the newest;
a person accepts it (the party moves, recorded as a move from a sale) or dismisses it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload

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
from crm.services import board, ladder, settings
from crm.services.access import require_editor
from crm.services.clock import local_today
from crm.services.errors import DomainError, NotFoundError
from crm.services.parties import get_party
from crm.services.pricing import money

# A sale this many days or fewer after the previous one makes a repeat buyer.
REPEAT_WINDOW_DAYS = 365
# Sales totals on the board and the card cover this many days up to today.
TOTALS_WINDOW_DAYS = 365
FIRST_SALE, REPEAT_SALE = "first_sale", "repeat_sale"
SUGGESTED_STAGE = {FIRST_SALE: "first_time_buyer", REPEAT_SALE: "repeat_buyer"}
MOVE_SOURCE = "sale"


class SuggestionDecidedError(DomainError):
    """The suggestion was accepted, dismissed or replaced already."""


# --- recording a sale --------------------------------------------------------------------------


def record_sale(offer: Offer, actor: User, sale_date: date) -> Sale:
    """Record an accepted offer as a sale in the base currency; may suggest a step up.

    Amounts are converted at the offer's own rate and rounded half up to the cent, each
    on its own. Call it after the offer's status was set to accepted.
    """
    require_editor(actor)
    if offer.status != OfferStatus.ACCEPTED:
        raise DomainError(_l("Only an accepted offer is a sale."))
    if db.session.scalar(select(Sale.id).where(Sale.offer_id == offer.id)) is not None:
        raise DomainError(_l("This offer is recorded as a sale already."))
    rate = offer.exchange_rate
    sale = Sale(
        party_id=offer.party_id,
        offer_id=offer.id,
        sale_date=sale_date,
        currency=settings.base_currency(),
        amount=money(offer.total * rate),
        one_off_amount=money(offer.one_off_total * rate),
        monthly_amount=money(offer.monthly_total * rate),
        yearly_amount=money(offer.yearly_total * rate),
        created_by_id=actor.id,
    )
    db.session.add(sale)
    db.session.flush()
    suggest_after_sale(sale)
    return sale


def suggest_after_sale(sale: Sale) -> StageSuggestion | None:
    """Suggest first-time or repeat buyer for a party on the ladder, if that is a step up."""
    party = db.session.get(Party, sale.party_id)
    if party is None or party.deleted_at is not None or party.stage is None:
        return None
    if not ladder.LADDER_ROLES.intersection(party.role_names):
        return None
    # Two sales of one party at the same moment would both see no open suggestion.
    db.session.execute(select(Party.id).where(Party.id == party.id).with_for_update(key_share=True))
    reason = _reason_for(sale)
    target = db.session.scalar(
        select(Stage)
        .where(Stage.key == SUGGESTED_STAGE[reason], Stage.archived_at.is_(None))
        .order_by(Stage.position, Stage.id)
        .limit(1)
    )
    if target is None or not is_step_up(party.stage, target):
        return None
    db.session.execute(
        update(StageSuggestion)
        .where(
            StageSuggestion.party_id == party.id, StageSuggestion.status == SuggestionStatus.OPEN
        )
        .values(status=SuggestionStatus.DISMISSED, decided_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    suggestion = StageSuggestion(
        party_id=party.id, stage_id=target.id, sale_id=sale.id, reason=reason
    )
    db.session.add(suggestion)
    db.session.flush()
    return suggestion


def _reason_for(sale: Sale) -> str:
    """A repeat sale if another one came at most 12 months earlier (the same day is one buy)."""
    previous = db.session.scalar(
        select(func.max(Sale.sale_date)).where(
            Sale.party_id == sale.party_id, Sale.id != sale.id, Sale.sale_date < sale.sale_date
        )
    )
    if previous is not None and (sale.sale_date - previous).days <= REPEAT_WINDOW_DAYS:
        return REPEAT_SALE
    return FIRST_SALE


def is_step_up(current: Stage, target: Stage) -> bool:
    """Whether moving from current to target goes up: never sideways, down or to the end."""
    if target.terminal or target.archived_at is not None:
        return False
    return current.terminal or target.position > current.position


def _step_up(current: type[Stage], target: type[Stage]) -> ColumnElement[bool]:
    """`is_step_up` in SQL, for aliases of the current and the suggested stage."""
    return and_(
        target.archived_at.is_(None),
        target.terminal.is_(False),
        or_(current.terminal.is_(True), target.position > current.position),
    )


# --- suggestions -------------------------------------------------------------------------------


def _open_query() -> Select:
    """Open suggestions that are still a step up from where their party stands now."""
    current, target = aliased(Stage), aliased(Stage)
    return (
        select(StageSuggestion)
        .join(Party, Party.id == StageSuggestion.party_id)
        .join(current, current.id == Party.stage_id)
        .join(target, target.id == StageSuggestion.stage_id)
        .options(contains_eager(StageSuggestion.stage.of_type(target)))
        .where(StageSuggestion.status == SuggestionStatus.OPEN, _step_up(current, target))
    )


def open_suggestions(party_ids: Iterable[int]) -> dict[int, StageSuggestion]:
    """The open suggestion of each party that has one, in one query (for board and card).

    The query runs even for no parties, so that a page's statement count stays the same.
    """
    ids = sorted(set(party_ids))
    query = _open_query().where(StageSuggestion.party_id.in_(ids)).order_by(StageSuggestion.id)
    return {suggestion.party_id: suggestion for suggestion in db.session.scalars(query)}


def _pending(actor: User, suggestion_id: int, party_id: int) -> tuple[Party, StageSuggestion]:
    """The party (if the actor may see it) and its suggestion, which must still be open."""
    require_editor(actor)
    party = get_party(actor, party_id)
    suggestion = db.session.scalar(
        select(StageSuggestion).where(
            StageSuggestion.id == suggestion_id, StageSuggestion.party_id == party.id
        )
    )
    if suggestion is None:
        raise NotFoundError(_l("No such suggestion."))
    if suggestion.status == SuggestionStatus.ACCEPTED:
        raise SuggestionDecidedError(_l("This suggestion was accepted already."))
    if suggestion.status != SuggestionStatus.OPEN:
        if suggestion.decided_by_id is None:
            raise SuggestionDecidedError(_l("A newer sale replaced this suggestion."))
        raise SuggestionDecidedError(_l("This suggestion was dismissed already."))
    return party, suggestion


def _close(suggestion: StageSuggestion, actor: User, status: SuggestionStatus) -> None:
    """Decide an open suggestion; the UPDATE checks it is still open, so two clicks can't."""
    closed = db.session.execute(
        update(StageSuggestion)
        .where(
            StageSuggestion.id == suggestion.id,
            StageSuggestion.status == SuggestionStatus.OPEN,
        )
        .values(status=status, decided_at=utcnow(), decided_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        raise SuggestionDecidedError(_l("Someone decided on this suggestion meanwhile."))
    db.session.expire(suggestion, ["status", "decided_at", "decided_by_id"])


def accept_suggestion(
    actor: User, suggestion_id: int, party_id: int, expected_stage_id: int | None = None
) -> StageMove | None:
    """Accept: the party moves up to the suggested stage (a move from a sale).

    `expected_stage_id` is the stage the user saw the party on (None: where it is now);
    if it moved meanwhile, StaleMoveError. If the party no longer stands below the
    suggested stage, or has left the ladder, accepting only closes the suggestion and
    returns None.
    """
    party, suggestion = _pending(actor, suggestion_id, party_id)
    seen = party.stage_id if expected_stage_id is None else expected_stage_id
    if party.stage_id != seen:
        raise ladder.StaleMoveError(_l("Someone moved this client meanwhile."))
    target = suggestion.stage
    if target.archived_at is not None:
        raise DomainError(_l("This stage no longer exists."))
    _close(suggestion, actor, SuggestionStatus.ACCEPTED)
    on_ladder = ladder.LADDER_ROLES.intersection(party.role_names)
    if party.stage is None or not on_ladder or not is_step_up(party.stage, target):
        return None
    return ladder.move_party(actor, party, target, seen, source=MOVE_SOURCE)


def dismiss_suggestion(actor: User, suggestion_id: int, party_id: int) -> StageSuggestion:
    """Dismiss: the party stays where it is."""
    _party, suggestion = _pending(actor, suggestion_id, party_id)
    _close(suggestion, actor, SuggestionStatus.DISMISSED)
    return suggestion


# --- totals ------------------------------------------------------------------------------------


def window_start(today: date | None = None) -> date:
    """The first day that counts towards "the last 12 months" (company-local)."""
    return (today or local_today()) - timedelta(days=TOTALS_WINDOW_DAYS)


def sales_totals_by_stage(
    user: User,
    filters: board.BoardFilter,
    stages: list[Stage] | None = None,
    today: date | None = None,
) -> dict[int, Decimal]:
    """Each board column's sales of the last 12 months: one grouped query (absent = none).

    The parties are those the board counts in the column, with the same visibility and
    filters; sales are found by ix_sales_party_date (or ix_sales_date_party).
    """
    stages = ladder.stages() if stages is None else stages
    where = board._conditions(user, filters, stages).for_counts()  # noqa: SLF001 - the board's rules
    # The year's sales per party first (a range of ix_sales_date_party), then their parties by
    # key: far fewer rows than walking every party on the board to look its sales up.
    by_party = (
        select(Sale.party_id, func.sum(Sale.amount).label("total"))
        .where(Sale.sale_date >= window_start(today))
        .group_by(Sale.party_id)
        .subquery()
    )
    query = (
        select(Party.stage_id, func.sum(by_party.c.total))
        .join(by_party, by_party.c.party_id == Party.id)
        .where(*where)
        .group_by(Party.stage_id)
    )
    return {stage_id: money(Decimal(total)) for stage_id, total in db.session.execute(query)}


def party_sales_total_12m(party: Party, today: date | None = None) -> Decimal:
    """The party's sales of the last 12 months, in the base currency."""
    query = select(func.coalesce(func.sum(Sale.amount), 0)).where(
        Sale.party_id == party.id, Sale.sale_date >= window_start(today)
    )
    return money(Decimal(db.session.scalar(query)))


def party_sales(party: Party, limit: int = 10) -> list[Sale]:
    """The party's latest sales, newest first, each with its offer (if any) loaded."""
    query = (
        select(Sale)
        .where(Sale.party_id == party.id)
        .options(joinedload(Sale.offer).options(lazyload(Offer.party), lazyload(Offer.owner)))
        .order_by(Sale.sale_date.desc(), Sale.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class CardSales:
    """What the party card shows of sales: 12-month total, latest sales, open suggestion."""

    currency: str
    total_12m: Decimal
    recent: list[Sale]
    suggestion: StageSuggestion | None


def card_sales(party: Party, limit: int = 5, today: date | None = None) -> CardSales:
    """The card's sales block: three small queries, all by index."""
    return CardSales(
        currency=settings.base_currency(),
        total_12m=party_sales_total_12m(party, today),
        recent=party_sales(party, limit),
        suggestion=open_suggestions([party.id]).get(party.id),
    )
