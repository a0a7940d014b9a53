"""The ladder report as tables and charts with translated labels: one source for page and CSV."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from crm.models import Stage
from crm.services.ladder import reason_name, stage_name
from crm.services.ladder_report import LadderReport
from crm.services.svg_charts import Row, Series, bar_chart

START_COLOUR, END_COLOUR = "#9aa5b8", "#2456c9"
DOWN_COLOUR, ENDED_COLOUR = "#c2410c", "#5d6675"

Cell = str | int | float | None


@dataclass
class Table:
    """A header, rows and an optional totals row; numbers stay numbers until rendered."""

    key: str
    title: str
    header: list[str]
    rows: list[list[Cell]]
    foot: list[Cell] | None = None
    signed: set[int] = field(default_factory=set)  # columns shown with a + for growth
    peak: int = 0  # for a heat map: the largest count in the body (0: no shading)

    def heat(self, value: Cell) -> int:
        """Shade 1–4 for a count relative to the peak, 0 for none."""
        if not self.peak or not isinstance(value, int) or value <= 0:
            return 0
        return min(4, -(-4 * value // self.peak))

    @property
    def all_rows(self) -> list[list[Cell]]:
        return self.rows + ([self.foot] if self.foot else [])


def label(stage: Stage) -> str:
    """The stage's name; a stage of an earlier ladder says so."""
    name = stage_name(stage)
    return _("%(name)s (earlier ladder)", name=name) if stage.archived_at else name


def _stages_to_show(report: LadderReport, *counts: dict[int, int]) -> list[Stage]:
    """The current ladder in full, and an earlier ladder's stages only where they have numbers."""
    return [s for s in report.stages if s.archived_at is None or any(c.get(s.id) for c in counts)]


def start_end(report: LadderReport) -> Table:
    rows: list[list[Cell]] = [
        [label(s), report.start.get(s.id, 0), report.end.get(s.id, 0)]
        for s in _stages_to_show(report, report.start, report.end)
    ]
    for row in rows:
        row.append(row[2] - row[1])
    start, end = sum(report.start.values()), sum(report.end.values())
    return Table(
        "start_end",
        _("Clients per stage"),
        [_("Stage"), _("At the start"), _("At the end"), _("Change")],
        rows,
        [_("Total"), start, end, end - start],
        signed={3},
    )


def matrix(report: LadderReport) -> Table:
    """From (rows) → to (columns); the first row is the parties that entered the ladder."""
    flows: dict[int, int] = {}
    for (from_id, to_id), n in report.matrix.items():
        for stage_id in (from_id, to_id):
            if stage_id is not None:
                flows[stage_id] = flows.get(stage_id, 0) + n
    shown = _stages_to_show(report, flows)
    sources: list[tuple[int | None, str]] = [(None, _("Entered the ladder"))]
    sources += [(s.id, label(s)) for s in shown]
    rows: list[list[Cell]] = []
    for from_id, name in sources:
        counts = [report.matrix.get((from_id, s.id), 0) for s in shown]
        rows.append([name, *counts, sum(counts)])
    totals = [sum(row[i] for row in rows) for i in range(1, len(shown) + 2)]
    return Table(
        "matrix",
        _("Moves from stage to stage"),
        [_("From \\ to"), *[label(s) for s in shown], _("Total")],
        rows,
        [_("Total"), *totals],
        peak=max(report.matrix.values(), default=0),
    )


def reasons(report: LadderReport) -> Table:
    rows: list[list[Cell]] = []
    for r in report.reasons:
        reason = report.reason_by_id.get(r.reason_id) if r.reason_id else None
        name = reason_name(reason) if reason else _("No reason given")
        rows.append([name, r.down, r.ended, r.total])
    foot = [_("Total"), *[sum(row[i] for row in rows) for i in (1, 2, 3)]]
    return Table(
        "reasons",
        _("Reasons for moving down and for endings"),
        [_("Reason"), _("Moved down"), _("Ended"), _("Total")],
        rows,
        foot if rows else None,
    )


def time_in_stage(report: LadderReport) -> Table:
    rows: list[list[Cell]] = []
    for s in _stages_to_show(report, {k: t.stays for k, t in report.times.items()}):
        time = report.times.get(s.id)
        rows.append(
            [label(s), time.stays if time else 0, round(time.median_days, 1) if time else None]
        )
    return Table(
        "time_in_stage",
        _("Median time in stage"),
        [_("Stage"), _("Stays that ended"), _("Median, days")],
        rows,
    )


TABLES: dict[str, Callable[[LadderReport], Table]] = {
    "start_end": start_end,
    "matrix": matrix,
    "reasons": reasons,
    "time_in_stage": time_in_stage,
}
# What each table needs computed (see ladder_report.build_report).
NEEDS = {
    "start_end": ("stages",),
    "matrix": ("moves",),
    "reasons": ("moves",),
    "time_in_stage": ("times",),
}


def _number(value: float) -> str:
    return format_decimal(value, format="#,##0.#")


def charts(report: LadderReport, tables: dict[str, Table], first: date, last: date) -> dict:
    """The SVG charts that go with the tables (none for the matrix: the table is the chart)."""
    by_stage = tables["start_end"].rows
    start_label = _("At the start (%(date)s)", date=format_date(first))
    end_label = _("At the end (%(date)s)", date=format_date(last))
    timed = [s for s in report.stages if s.id in report.times]
    return {
        "start_end": bar_chart(
            "chart-start-end",
            _("Clients per stage at the start and at the end"),
            _("Two bars per stage: clients at the start of the period and at its end."),
            [Row(str(r[0]), [r[1], r[2]]) for r in by_stage],
            [Series(start_label, START_COLOUR), Series(end_label, END_COLOUR)],
            _number,
        ),
        "reasons": bar_chart(
            "chart-reasons",
            _("Reasons for moving down and for endings"),
            _("Two bars per reason: moves down to a lower stage, and ended relationships."),
            [Row(str(r[0]), [r[1], r[2]]) for r in tables["reasons"].rows],
            [Series(_("Moved down"), DOWN_COLOUR), Series(_("Ended"), ENDED_COLOUR)],
            _number,
        )
        if report.reasons
        else Markup(),
        "time_in_stage": bar_chart(
            "chart-time",
            _("Median time in stage, days"),
            _("One bar per stage: the median length of the stays that ended in the period."),
            [Row(label(s), [round(report.times[s.id].median_days, 1)], [s.color]) for s in timed],
            [Series(_("Median, days"), END_COLOUR)],
            _number,
        )
        if timed
        else Markup(),
    }
