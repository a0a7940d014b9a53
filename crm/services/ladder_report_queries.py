"""The ladder report's queries: set-based reads of the stage moves for one period and user.

Where every party stood at a moment (window queries over the moves on either side of it),
the period's moves counted by from, to, reason and source (one GROUP BY), and the median
length of the stays that ended in the period (one window query). Trashed parties are left
out, and a manager who sees only his own parties gets only theirs. Nothing here runs once
per party: the cost grows with the moves read, not with round trips. The pure calculations
over these numbers live in crm/services/ladder_report.py.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, extract, func, select

from crm.extensions import db
from crm.models import Party, StageMove, User
from crm.services.access import visible

# Below one move in this many in the period, the time-in-stage query reads only the movers.
NARROW_SHARE = 10


@dataclass(frozen=True)
class Period:
    """From `start` (inclusive) to `end` (exclusive), naive UTC like every stored timestamp."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class MoveCount:
    """How many moves went from one stage to another, for one reason, by one source."""

    from_stage_id: int | None
    to_stage_id: int
    reason_id: int | None
    source: str
    count: int


@dataclass(frozen=True)
class StageTime:
    """The stays on one stage that ended in the period: how many, and their median length."""

    stage_id: int
    stays: int
    median_days: float


@dataclass(frozen=True)
class MoveVolume:
    """How many moves (of everyone's) lie before the period's start and end, and in all."""

    before_start: int
    before_end: int
    total: int

    @property
    def in_period(self) -> int:
        return self.before_end - self.before_start


def move_volume(period: Period) -> MoveVolume:
    """Count the moves on each side of the period's bounds (index range counts, one query)."""
    row = db.session.execute(
        select(
            select(func.count()).where(StageMove.at < period.start).scalar_subquery(),
            select(func.count()).where(StageMove.at < period.end).scalar_subquery(),
            select(func.count()).select_from(StageMove).scalar_subquery(),
        )
    ).one()
    return MoveVolume(*row)


def _live(query: Select, user: User) -> Select:
    """Keep parties that are not in the trash and that the user may see (query joins Party)."""
    return visible(query.where(Party.deleted_at.is_(None)), user)


def stages_before(user: User, moment: datetime) -> dict[int, int]:
    """Parties per stage at `moment`, from the history before it (one window query).

    A party stands where its last move before the moment (by time, then id) took it; a
    party without a move by then is not on the ladder yet. Reads every earlier move.
    """
    ranked = (
        select(
            StageMove.party_id,
            StageMove.to_stage_id,
            func.row_number()
            .over(
                partition_by=StageMove.party_id, order_by=(StageMove.at.desc(), StageMove.id.desc())
            )
            .label("rank"),
        )
        .where(StageMove.at < moment)
        .subquery()
    )
    query = (
        select(ranked.c.to_stage_id, func.count())
        .join(Party, Party.id == ranked.c.party_id)
        .where(ranked.c.rank == 1)
        .group_by(ranked.c.to_stage_id)
    )
    return {stage_id: n for stage_id, n in db.session.execute(_live(query, user))}


def current_stages(user: User) -> dict[int, int]:
    """Parties per stage now: the stage every move also writes onto the party."""
    query = (
        select(Party.stage_id, func.count())
        .where(Party.stage_id.is_not(None))
        .group_by(Party.stage_id)
    )
    return {stage_id: n for stage_id, n in db.session.execute(_live(query, user))}


def moves_since(user: User, moment: datetime) -> list[tuple[int | None, int | None, int]]:
    """(stage now, stage at `moment`, parties) for the parties that moved since `moment`.

    The stage at the moment is the from-stage of a party's first move after it (one window
    query over the later moves only).
    """
    ranked = (
        select(
            StageMove.party_id,
            StageMove.from_stage_id,
            func.row_number()
            .over(partition_by=StageMove.party_id, order_by=(StageMove.at, StageMove.id))
            .label("rank"),
        )
        .where(StageMove.at >= moment)
        .subquery()
    )
    query = (
        select(Party.stage_id, ranked.c.from_stage_id, func.count())
        .join(Party, Party.id == ranked.c.party_id)
        .where(ranked.c.rank == 1)
        .group_by(Party.stage_id, ranked.c.from_stage_id)
    )
    return [tuple(row) for row in db.session.execute(_live(query, user))]


def move_counts(user: User, period: Period) -> list[MoveCount]:
    """The period's moves grouped by from-stage, to-stage, reason and source."""
    keys = (StageMove.from_stage_id, StageMove.to_stage_id, StageMove.reason_id, StageMove.source)
    query = (
        select(*keys, func.count())
        .join(Party, Party.id == StageMove.party_id)
        .where(StageMove.at >= period.start, StageMove.at < period.end)
        .group_by(*keys)
    )
    return [MoveCount(*row) for row in db.session.execute(_live(query, user))]


def _seconds_between(earlier: ColumnElement, later: ColumnElement) -> ColumnElement:
    """`later - earlier` in seconds, on SQLite and on PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return extract("epoch", later - earlier)


def stage_times(
    user: User, period: Period, volume: MoveVolume | None = None
) -> dict[int, StageTime]:
    """Median length of the stays on each stage that ended (the party moved on) in the period.

    A stay runs from the move that brought a party onto a stage to its next move. One
    window query pairs each move with the one before; when the period holds a small share
    of all moves, it reads only the histories of the parties that moved in it. The median
    is taken in the database: the middle one or two stays by length.
    """
    volume = volume or move_volume(period)
    window = {"partition_by": StageMove.party_id, "order_by": (StageMove.at, StageMove.id)}
    sequence = select(
        StageMove.party_id,
        func.lag(StageMove.to_stage_id).over(**window).label("stage_id"),
        func.lag(StageMove.at).over(**window).label("arrived"),
        StageMove.at.label("left"),
    ).where(StageMove.at < period.end)
    if volume.in_period * NARROW_SHARE < volume.total:
        in_period = (StageMove.at >= period.start) & (StageMove.at < period.end)
        movers = select(StageMove.party_id).join(Party, Party.id == StageMove.party_id)
        movers = _live(movers.where(in_period), user)
        sequence = sequence.where(StageMove.party_id.in_(movers))
    sequence = sequence.subquery()
    stays = _live(
        select(
            sequence.c.stage_id,
            _seconds_between(sequence.c.arrived, sequence.c.left).label("seconds"),
        )
        .join(Party, Party.id == sequence.c.party_id)
        .where(sequence.c.left >= period.start, sequence.c.arrived.is_not(None)),
        user,
    ).subquery()
    ranked = select(
        stays.c.stage_id,
        stays.c.seconds,
        func.row_number().over(partition_by=stays.c.stage_id, order_by=stays.c.seconds).label("n"),
        func.count().over(partition_by=stays.c.stage_id).label("stays"),
    ).subquery()
    middle = ((ranked.c.stays + 1) // 2, (ranked.c.stays + 2) // 2)
    query = (
        select(ranked.c.stage_id, ranked.c.stays, func.avg(ranked.c.seconds))
        .where(ranked.c.n.in_(middle))
        .group_by(ranked.c.stage_id, ranked.c.stays)
    )
    return {
        stage_id: StageTime(stage_id, int(count), float(seconds) / 86400)
        for stage_id, count, seconds in db.session.execute(query)
    }
