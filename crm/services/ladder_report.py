"""The ladder report: how clients moved on the relationship ladder during a period.

The queries in crm/services/ladder_report_queries.py read the numbers; the pure functions
here put them together: stage counts rewound from today's, the movement matrix, moves up
and down, the reasons given, and the stages the report lists. `build_report` runs both
for the page, and `to_csv` writes any of its tables out.
"""

import csv
import io
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import LossReason, Stage, User
from crm.services.ladder import is_down
from crm.services.ladder_report_queries import (
    MoveCount,
    MoveVolume,
    Period,
    StageTime,
    current_stages,
    move_counts,
    move_volume,
    moves_since,
    stage_times,
    stages_before,
)

DEFAULT_DAYS = 90
MODEL_CHANGE = "model_change"
PARTS = ("stages", "moves", "times")


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


# Stages at the start and at the end ------------------------------------------------------


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


# Moves in the period ---------------------------------------------------------------------


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


# The report ------------------------------------------------------------------------------


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
