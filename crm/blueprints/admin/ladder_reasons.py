"""Admin page for the loss reasons: why clients move down the ladder or leave it.

Rows work as plain forms; with htmx a row's save swaps just the list (422 on errors).
"""

from typing import NamedTuple

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.blueprints.admin import bp
from crm.blueprints.admin.ladder_forms import ReasonForm
from crm.extensions import db
from crm.models import LossReason
from crm.services import ladder_admin, ladder_stats
from crm.services.ladder import reason_name
from crm.services.stage_models import LOSS_REASONS
from crm.web import admin_required, wants_fragment


class ReasonRow(NamedTuple):
    reason: LossReason
    name: str
    moves: int
    form: ReasonForm


def _reason_form(reason: LossReason, names: dict[int, str], bound: bool = False) -> ReasonForm:
    """The row form of a reason: from the request when `bound`, from the database otherwise."""
    builtin = LOSS_REASONS.get(reason.key or "")
    options = {
        "prefix": f"reason{reason.id}",
        "builtin_name": str(builtin) if builtin else None,
        "taken": [name for other, name in names.items() if other != reason.id],
    }
    if bound:
        return ReasonForm(**options)
    data = {"name": reason.custom_name or "", "active": reason.active}
    return ReasonForm(formdata=None, data=data, **options)


def _reasons_page(
    status: int = 200,
    *,
    bound: ReasonForm | None = None,
    bound_id: int | None = None,
    notice: tuple[int, str] | None = None,
    new_form: ReasonForm | None = None,
):  # noqa: ANN202
    """The loss-reason page, or (for htmx) just its list; `notice` is (reason id, text)."""
    reasons = ladder_stats.all_reasons()
    names = {reason.id: reason_name(reason) for reason in reasons}
    usage = ladder_stats.moves_per_reason()
    rows = [
        ReasonRow(
            reason,
            names[reason.id],
            usage.get(reason.id, 0),
            bound if bound and reason.id == bound_id else _reason_form(reason, names),
        )
        for reason in reasons
    ]
    context = {"rows": rows, "notice": notice}
    template = "admin/_ladder_reasons.html"
    if not wants_fragment():
        template = "admin/ladder_reasons.html"
        context["new_form"] = new_form or ReasonForm(
            formdata=None, prefix="new", taken=names.values()
        )
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


@bp.get("/ladder/reasons")
@admin_required
def ladder_reasons():
    """Why clients move down or leave: the list offered with such moves."""
    return _reasons_page()


@bp.post("/ladder/reasons")
@admin_required
def ladder_add_reason():
    """Add a loss reason at the end of the list."""
    names = [reason_name(reason) for reason in ladder_stats.all_reasons()]
    form = ReasonForm(prefix="new", taken=names)
    if not form.validate_on_submit():
        return _reasons_page(422, new_form=form)
    reason = ladder_admin.add_reason(current_user, form.name.data)
    db.session.commit()
    flash(_("The reason “%(name)s” was added.", name=reason_name(reason)), "success")
    return redirect(url_for("admin.ladder_reasons", _anchor=f"reason-{reason.id}"))


@bp.post("/ladder/reasons/<int:reason_id>")
@admin_required
def ladder_update_reason(reason_id: int):
    """Rename a reason (empty: the built-in name), retire it or offer it again."""
    reason = db.get_or_404(LossReason, reason_id)
    names = {other.id: reason_name(other) for other in ladder_stats.all_reasons()}
    form = _reason_form(reason, names, bound=True)
    if not form.validate_on_submit():
        return _reasons_page(422, bound=form, bound_id=reason.id)
    ladder_admin.update_reason(current_user, reason, form.name.data, form.active.data)
    db.session.commit()
    message = _("Saved.") if reason.active else _("Saved; no longer offered for new moves.")
    if wants_fragment():
        return _reasons_page(notice=(reason.id, message))
    flash(message, "success")
    return redirect(url_for("admin.ladder_reasons", _anchor=f"reason-{reason.id}"))
