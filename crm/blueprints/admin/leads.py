"""Admin: the lead pool, shared out among chosen managers in one transaction."""

from flask import Response, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.blueprints.admin import bp
from crm.blueprints.admin.leads_forms import LeadsForm
from crm.extensions import db
from crm.services import ladder, leads, team
from crm.services.errors import DomainError
from crm.services.team import Workload
from crm.web import admin_required, render_page_or_fragment, wants_fragment

POOL_SHOWN = 500
RESULT_KEY = "lead_distribution"


def _leads_form(team_rows: list[Workload], blank: bool = False) -> LeadsForm:
    form = LeadsForm(formdata=None) if blank else LeadsForm()
    form.managers.choices = [(w.user.id, w.user.name) for w in team_rows]
    return form


def _render(
    form: LeadsForm, team_rows: list[Workload], status: int = 200, result: dict | None = None
) -> Response:
    pool = leads.lead_pool(limit=POOL_SHOWN + 1)
    context = {
        "form": form,
        "pool": pool[:POOL_SHOWN],
        "pool_more": len(pool) > POOL_SHOWN,
        "team_rows": team_rows,
        "result": result,
    }
    return render_page_or_fragment("admin/leads.html", "admin/_leads.html", status, **context)


@bp.get("/leads")
@admin_required
def leads_index():
    """The lead pool: tick leads or take all, choose managers and how to share them out."""
    team_rows = team.team_workload(ladder.stages())
    return _render(
        _leads_form(team_rows, blank=True), team_rows, result=session.pop(RESULT_KEY, None)
    )


@bp.post("/leads")
@admin_required
def distribute_leads():
    """Assign the leads in one transaction; each assignment lands in the party's history."""
    team_rows = team.team_workload(ladder.stages())
    form = _leads_form(team_rows)
    if not form.validate_on_submit():
        return _render(form, team_rows, 422)
    # In the order of the page (by name), whatever order the browser sent them in.
    chosen = [w.user for w in team_rows if w.user.id in set(form.managers.data)]
    ticked = None if form.scope.data == "all" else form.leads.data
    try:
        assignments = leads.distribute(current_user, chosen, form.strategy.data, ticked)
    except DomainError as exc:
        form.managers.errors.append(str(exc))
        return _render(form, team_rows, 422)
    if not assignments:
        form.leads.errors.append(
            _("The lead pool is empty.")
            if ticked is None
            else _("None of the ticked leads is in the pool any more.")
        )
        return _render(form, team_rows, 422)
    given = list(assignments.values())
    result = {
        "shares": [[m.name, given.count(m.id)] for m in chosen],
        "total": len(given),
        "skipped": len(set(ticked)) - len(given) if ticked is not None else 0,
    }
    db.session.commit()
    if not wants_fragment():
        session[RESULT_KEY] = result
        return redirect(url_for("admin.leads_index"), 303)
    team_rows = team.team_workload(ladder.stages())  # the loads changed
    fresh = _leads_form(team_rows, blank=True)
    fresh.managers.data, fresh.strategy.data = form.managers.data, form.strategy.data
    return _render(fresh, team_rows, result=result)
