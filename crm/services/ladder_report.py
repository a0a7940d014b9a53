"""The ladder report: how clients moved on the relationship ladder during a period.

Set-based queries feed pure functions: where every party stood at the start and at the end
(window queries over the moves on the cheaper side of each moment), the period's moves
counted by from, to, reason and source (one GROUP BY), and the median length of the stays
that ended in the period (one window query). Trashed parties are left out, and a manager who
sees only his own parties gets only theirs. Nothing here runs once per party: the cost grows
with the moves read, not with round trips.
"""

import csv
import io
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, extract, func, select

from crm.extensions import db
from crm.models import LossReason, Party, Stage, StageMove, User
from crm.services.access import visible
from crm.services.ladder import is_down

DEFAULT_DAYS = 90
MODEL_CHANGE = "model_change"
# Below one move in this many in the period, the time-in-stage query reads only the movers.
NARROW_SHARE = 10
PARTS = ("stages", "moves", "times")


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
class Directions:
    """The period's moves by kind; `ended` is the part of `down` that ended a relationship."""

    entered: int = 0
    up: int = 0
    down: int = 0
    ended: int = 0
    remapped: int = 0


@dataclass(frozen=True)
class ReasonCount:
    """Down-moves (to a lower stage) and endings that gave this reason (None: no reason)."""

    reason_id: int | None
    down: int
    ended: int

    @property
    def total(self) -> int:
        return self.down + self.ended


@dataclass
class LadderReport:
    """Everything the page shows, computed for one period and one user."""

    period: Period
    stages: list[Stage]
    start: dict[int, int]
    end: dict[int, int]
    matrix: dict[tuple[int | None, int], int]
    directions: Directions
    reasons: list[ReasonCount]
    times: dict[int, StageTime]
    reason_by_id: dict[int, LossReason] = field(default_factory=dict)

    @property
    def moves(self) -> int:
        return sum(self.matrix.values())


# Periods ---------------------------------------------------------------------------------


def default_dates(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The last `days` days, today included."""
    return today - timedelta(days=days - 1), today


# Queries ---------------------------------------------------------------------------------


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


def rewind(
    current: dict[int, int], changes: Iterable[tuple[int | None, int | None, int]]
) -> dict[int, int]:
    """Stage counts at an earlier moment: take back every party that moved since."""
    counts = dict(current)
    for now, then, n in changes:
        if now is not None:
            counts[now] = counts.get(now, 0) - n
        if then is not None:
            counts[then] = counts.get(then, 0) + n
    return {stage_id: n for stage_id, n in counts.items() if n}


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


def stage_counts(
    user: User, period: Period, volume: MoveVolume | None = None
) -> tuple[dict[int, int], dict[int, int]]:
    """Parties per stage just before the period starts and at its end.

    Each moment is worked out from whichever side of it holds fewer moves: the history
    before it, or today's stages rewound through the moves since (a recent period reads
    only the moves since its start, an old one only the moves before it). Both give the
    same counts as long as every stage change is recorded as a move, as the ladder
    service makes sure.
    """
    volume = volume or move_volume(period)
    current: dict[int, int] | None = None
    counts = []
    for moment, before in ((period.start, volume.before_start), (period.end, volume.before_end)):
        if volume.total - before <= before:
            if current is None:
                current = current_stages(user)
            counts.append(rewind(current, moves_since(user, moment)))
        else:
            counts.append(stages_before(user, moment))
    return counts[0], counts[1]


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


# Pure computations -----------------------------------------------------------------------


def movement_matrix(counts: Iterable[MoveCount]) -> dict[tuple[int | None, int], int]:
    """Moves from → to (from None: entered the ladder), every source and reason together."""
    matrix: dict[tuple[int | None, int], int] = {}
    for c in counts:
        key = (c.from_stage_id, c.to_stage_id)
        matrix[key] = matrix.get(key, 0) + c.count
    return matrix


def _kind(count: MoveCount, stage_by_id: dict[int, Stage]) -> str:
    """entered, up, down, ended or remapped: what one group of moves was."""
    if count.from_stage_id is None:
        return "entered"
    if count.source == MODEL_CHANGE:
        return "remapped"  # the admin changed the ladder: positions of two ladders don't compare
    to_stage = stage_by_id[count.to_stage_id]
    if to_stage.terminal:
        return "ended"
    return "down" if is_down(stage_by_id[count.from_stage_id], to_stage) else "up"


def directions(counts: Iterable[MoveCount], stage_by_id: dict[int, Stage]) -> Directions:
    """Moves up and down by stage position; endings count as down; ladder changes apart."""
    totals = {"entered": 0, "up": 0, "down": 0, "ended": 0, "remapped": 0}
    for c in counts:
        totals[_kind(c, stage_by_id)] += c.count
    totals["down"] += totals["ended"]
    return Directions(**totals)


def reason_counts(
    counts: Iterable[MoveCount], stage_by_id: dict[int, Stage], reason_order: Sequence[int]
) -> list[ReasonCount]:
    """Down-moves and endings per reason: the admin's order, then "no reason" last."""
    down: dict[int | None, int] = {}
    ended: dict[int | None, int] = {}
    for c in counts:
        kind = _kind(c, stage_by_id)
        if kind == "down":
            down[c.reason_id] = down.get(c.reason_id, 0) + c.count
        elif kind == "ended":
            ended[c.reason_id] = ended.get(c.reason_id, 0) + c.count
    rank = {reason_id: i for i, reason_id in enumerate(reason_order)}
    found = sorted(down.keys() | ended.keys(), key=lambda r: (r is None, rank.get(r, len(rank))))
    return [ReasonCount(r, down.get(r, 0), ended.get(r, 0)) for r in found]


def report_stages(all_stages: Iterable[Stage], used: set[int]) -> list[Stage]:
    """The current ladder bottom-up, then any archived stage the numbers still mention."""
    current = [s for s in all_stages if s.archived_at is None]
    archived = [s for s in all_stages if s.archived_at is not None and s.id in used]
    current.sort(key=lambda s: (s.position, s.id))
    archived.sort(key=lambda s: (s.archived_at, s.position, s.id))
    return current + archived


def build_report(user: User, period: Period, parts: Collection[str] = PARTS) -> LadderReport:
    """Run the queries for the period and put the numbers together.

    `parts` picks what to compute (a CSV of one table needs one): "stages" (start and
    end), "moves" (matrix, up and down, reasons), "times" (time in stage); the rest stays
    empty.
    """
    all_stages = list(db.session.scalars(select(Stage)))
    stage_by_id = {s.id: s for s in all_stages}
    reasons = list(db.session.scalars(select(LossReason)))
    reasons.sort(key=lambda r: (r.position, r.id))
    volume = move_volume(period) if {"stages", "times"} & set(parts) else None
    start, end = stage_counts(user, period, volume) if "stages" in parts else ({}, {})
    counts = move_counts(user, period) if "moves" in parts else []
    times = stage_times(user, period, volume) if "times" in parts else {}
    matrix = movement_matrix(counts)
    used = set(start) | set(end) | set(times) | {t for _, t in matrix} | {f for f, _ in matrix}
    return LadderReport(
        period=period,
        stages=report_stages(all_stages, {s for s in used if s is not None}),
        start=start,
        end=end,
        matrix=matrix,
        directions=directions(counts, stage_by_id),
        reasons=reason_counts(counts, stage_by_id, [r.id for r in reasons]),
        times=times,
        reason_by_id={r.id: r for r in reasons},
    )


# CSV -------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula: risky text gets a leading '."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def to_csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """UTF-8 CSV text with a BOM (so spreadsheets read Cyrillic right), every cell made safe."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue()
