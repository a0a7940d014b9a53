"""Who stands far above the rest of the team: a pure rule, testable without HTTP."""

from collections.abc import Iterable
from statistics import median

# "Far above" the team median: at least this many times it, and at least this many more.
FACTOR = 2
MARGIN = 5
MEASURES = ("overdue_tasks", "needing_contact")


def team_medians(rows: Iterable[object]) -> dict[str, float]:
    """The median of each measure over the whole team (0 for an empty team)."""
    rows = list(rows)
    return {m: median(getattr(r, m) for r in rows) if rows else 0 for m in MEASURES}


def far_above(value: int, team_median: float) -> bool:
    """Whether a count stands far above the team median."""
    return value >= FACTOR * team_median and value >= team_median + MARGIN


def overloaded_measures(row: object, medians: dict[str, float]) -> set[str]:
    """The measures on which this manager stands far above the team."""
    return {m for m in MEASURES if far_above(getattr(row, m), medians[m])}
