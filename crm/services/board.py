"""The pipeline board: who stands on which stage, column by column, longest silence first.

Each column is read with the index ix_parties_board (deleted_at, stage_id,
last_contact_at, id): a keyset page of one stage in contact order never sorts, and the
counts of every column come from one grouped scan of the same index.
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_

from crm.extensions import db
from crm.models import Party, PartyRole, Stage, User, party_tags
from crm.models.base import utcnow
from crm.services import ladder
from crm.services.access import sees_only_own, visible

PAGE_SIZE = 25


@dataclass(frozen=True)
class BoardFilter:
    """What the board shows; every field comes from the query string."""

    owner_id: int | None = None
    role: str = ""
    tag_id: int | None = None
    mine: bool = False
    at_risk: bool = False


@dataclass(frozen=True)
class BoardCard:
    """One party as a card: what the board shows of it, nothing more."""

    id: int
    name: str
    stage_id: int
    owner_name: str | None  # None: an unassigned lead
    last_contact_at: datetime | None  # the last meaningful contact; None: none yet
    days_since_contact: int | None
    at_risk: bool  # ladder.is_at_risk


@dataclass
class ColumnPage:
    """One stage's cards after a cursor, and the cursor of the next page if there is one."""

    stage: Stage
    cards: list[BoardCard] = field(default_factory=list)
    next_cursor: str | None = None


@dataclass
class Board:
    """Every current stage (bottom rung first, the terminal one last) with its count and cards."""

    stages: list[Stage]
    counts: dict[int, int]
    columns: list[ColumnPage]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def encode_cursor(card: BoardCard) -> str:
    """An opaque cursor after this card: its last contact and id."""
    key = card.last_contact_at.isoformat() if card.last_contact_at else None
    raw = json.dumps([key, card.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime | None, int] | None:
    """(last contact, id) from a cursor, or None if it was tampered with."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, party_id = json.loads(raw)
        if key is not None and not isinstance(key, str):
            return None
        return (datetime.fromisoformat(key) if key else None, int(party_id))
    except (ValueError, TypeError):
        return None


@dataclass
class _Where:
    """The board's WHERE clauses, the owner restrictions kept apart (see `for_counts`)."""

    clauses: list
    owners: list  # visibility (access.visible), the owner filter, "only mine"

    def for_cards(self) -> list:
        """A column walks ix_parties_board in card order: a direct owner test per row is cheap."""
        return [*self.clauses, *self.owners]

    def for_counts(self) -> list:
        """Counting scans the whole index; owner_id is not in it, and looking each row up
        costs 300 ms at 100,000 parties. As an id list (from ix_parties_owner_name) the
        scan stays covering: about 50 ms."""
        where = [*self.clauses, Party.stage_id.is_not(None)]
        if self.owners:
            owned = select(Party.id).where(*self.owners).correlate(None)
            where.append(Party.id.in_(owned))
        return where


def _conditions(user: User, filters: BoardFilter, stages: list[Stage]) -> _Where:
    """What the user may see (access.visible), live, matching the filters."""
    where = _Where([Party.deleted_at.is_(None)], [])
    scope = visible(select(Party.id), user).whereclause
    if scope is not None:
        where.owners.append(scope)
    if filters.owner_id and not sees_only_own(user):
        where.owners.append(Party.owner_id == filters.owner_id)
    if filters.mine:
        where.owners.append(Party.owner_id == user.id)
    if filters.role:
        with_role = select(PartyRole.party_id).where(PartyRole.role == filters.role)
        where.clauses.append(Party.id.in_(with_role))
    if filters.tag_id:
        tagged = select(party_tags.c.party_id).where(party_tags.c.tag_id == filters.tag_id)
        where.clauses.append(Party.id.in_(tagged))
    if filters.at_risk:
        where.clauses.append(ladder.at_risk_condition(stages))
    return where


def _after(cursor: tuple[datetime | None, int]) -> ColumnElement[bool]:
    """Cards after the cursor in (last contact, id) order; never contacted comes first."""
    contact, party_id = cursor
    if contact is None:
        return or_(
            and_(Party.last_contact_at.is_(None), Party.id > party_id),
            Party.last_contact_at.is_not(None),
        )
    return tuple_(Party.last_contact_at, Party.id) > tuple_(contact, party_id)


def _card_query(where: _Where) -> Select:
    """What a card shows of the parties that match; the owner's name joined, not loaded."""
    query = select(
        Party.id,
        Party.name,
        Party.stage_id,
        Party.last_contact_at,
        Party.stage_since,
        User.name.label("owner"),
    ).outerjoin(User, User.id == Party.owner_id)
    return query.where(*where.for_cards())


def _days(now: datetime, contact: datetime | None) -> int | None:
    return (now - contact).days if contact else None


def _page(base: Select, stage: Stage, after: str | None, limit: int, now: datetime) -> ColumnPage:
    query = base.where(Party.stage_id == stage.id)
    cursor = decode_cursor(after) if after else None
    if cursor:
        query = query.where(_after(cursor))
    order = (Party.last_contact_at.asc().nulls_first(), Party.id.asc())
    rows = db.session.execute(query.order_by(*order).limit(limit + 1)).all()
    cut_off = None if stage.terminal else ladder.at_risk_since(stage, now)
    cards = []
    for row in rows[:limit]:
        # The same rule as ladder.is_at_risk, from the loaded row: no query per card.
        silent_since = row.last_contact_at or row.stage_since
        cards.append(
            BoardCard(
                id=row.id,
                name=row.name,
                stage_id=stage.id,
                owner_name=row.owner,
                last_contact_at=row.last_contact_at,
                days_since_contact=_days(now, row.last_contact_at),
                at_risk=bool(cut_off and silent_since and silent_since < cut_off),
            )
        )
    next_cursor = encode_cursor(cards[-1]) if len(rows) > limit else None
    return ColumnPage(stage, cards, next_cursor)


def column_counts(
    user: User, filters: BoardFilter, stages: list[Stage] | None = None
) -> dict[int, int]:
    """How many parties the user sees on each stage, in one grouped query (absent = 0)."""
    stages = ladder.stages() if stages is None else stages
    return _counts(_conditions(user, filters, stages))


def _counts(where: _Where) -> dict[int, int]:
    query = select(Party.stage_id, func.count()).where(*where.for_counts())
    query = query.group_by(Party.stage_id)
    return {stage_id: count for stage_id, count in db.session.execute(query)}


def column_cards(
    user: User,
    stage: Stage,
    filters: BoardFilter,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> ColumnPage:
    """One page of a stage's cards, longest without contact first, after the cursor."""
    where = _conditions(user, filters, [stage])
    return _page(_card_query(where), stage, after, limit, utcnow())


def load_board(user: User, filters: BoardFilter, limit: int = PAGE_SIZE) -> Board:
    """The whole board: the ladder, every column's count and its first page of cards."""
    stages = ladder.stages()
    where = _conditions(user, filters, stages)
    base, now = _card_query(where), utcnow()
    columns = [_page(base, stage, None, limit, now) for stage in stages]
    return Board(stages, _counts(where), columns)


def card_of(party: Party, now: datetime | None = None) -> BoardCard | None:
    """The card of a party already loaded (after a move); None when it is off the ladder."""
    stage = party.stage
    if stage is None:
        return None
    now = now or utcnow()
    contact = party.last_contact_at
    return BoardCard(
        id=party.id,
        name=party.name,
        stage_id=stage.id,
        owner_name=party.owner.name if party.owner else None,
        last_contact_at=contact,
        days_since_contact=_days(now, contact),
        at_risk=ladder.is_at_risk(party, now),
    )
