"""Team pages: each manager's workload and the cadence report; both respect visibility."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import render_template, url_for
from flask_babel import format_percent
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from crm.blueprints.team import bp
from crm.blueprints.team.overload import FACTOR, MARGIN, overloaded_measures, team_medians
from crm.models import Stage, User
from crm.services import ladder, team, users
from crm.services.access import sees_only_own
from crm.services.cadence import CadenceRow, cadence_report


def tasks_url(**args: object) -> str:
    """A link into the task list, also before the tasks blueprint is registered."""
    try:
        return url_for("tasks.index", **args)
    except BuildError:
        return "/tasks?" + urlencode(args)


@bp.get("")
@login_required
def index():
    """Per manager: parties, open and overdue tasks, recent contacts, parties needing contact."""
    rows = team.team_workload(ladder.stages())
    # The rule compares with the whole team, even for a manager who sees only their own row.
    medians = team_medians(rows)
    flags = {w.user.id: overloaded_measures(w, medians) for w in rows}
    only_own = sees_only_own(current_user)
    if only_own:
        rows = [w for w in rows if w.user.id == current_user.id]
    return render_template(
        "team/index.html",
        rows=rows,
        flags=flags,
        medians=None if only_own else medians,
        factor=FACTOR,
        margin=MARGIN,
        tasks_url=tasks_url,
    )


@dataclass
class CadenceLine:
    stage: Stage | None
    kept: int = 0
    missed: int = 0

    @property
    def total(self) -> int:
        return self.kept + self.missed

    @property
    def kept_share(self) -> str:
        return format_percent(self.kept / self.total) if self.total else "—"

    @property
    def kept_percent(self) -> int:
        return round(100 * self.kept / self.total) if self.total else 0


@dataclass
class CadenceGroup:
    owner_id: int | None
    owner: User | None
    lines: list[CadenceLine] = field(default_factory=list)
    total: CadenceLine = field(default_factory=lambda: CadenceLine(None))


def _group(rows: list[CadenceRow], stages: list[Stage], owners: list[User]) -> list[CadenceGroup]:
    """One group per owner (by name, the lead pool last), one line per stage in ladder order."""
    by_owner: dict[int | None, dict[int, CadenceRow]] = {}
    for row in rows:
        by_owner.setdefault(row.owner_id, {})[row.stage_id] = row
    known = {u.id: u for u in owners}
    order = [u.id for u in owners if u.id in by_owner]
    order += sorted(k for k in by_owner if k is not None and k not in known)
    order += [None] if None in by_owner else []
    groups = []
    for owner_id in order:
        group = CadenceGroup(owner_id, known.get(owner_id))
        for stage in stages:
            row = by_owner[owner_id].get(stage.id)
            if row is None:
                continue
            group.lines.append(CadenceLine(stage, row.kept, row.missed))
            group.total.kept += row.kept
            group.total.missed += row.missed
        groups.append(group)
    return groups


def _team_total(groups: list[CadenceGroup], stages: list[Stage]) -> CadenceGroup:
    total = CadenceGroup(None, None)
    for stage in stages:
        line = CadenceLine(stage)
        for group in groups:
            for own in group.lines:
                if own.stage is stage:
                    line.kept += own.kept
                    line.missed += own.missed
        if line.total:
            total.lines.append(line)
            total.total.kept += line.kept
            total.total.missed += line.missed
    return total


@bp.get("/cadence")
@login_required
def cadence():
    """Per manager and stage: parties contacted within the stage's interval, and those not."""
    stages = [s for s in ladder.stages() if not s.terminal]
    rows = cadence_report(current_user, stages)
    groups = _group(rows, stages, users.managers(include_inactive=True))
    only_own = sees_only_own(current_user)
    return render_template(
        "team/cadence.html",
        groups=groups,
        team_total=None if only_own or len(groups) < 2 else _team_total(groups, stages),
        stages=stages,
    )
