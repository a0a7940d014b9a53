"""Admin pages for the ladder: the model and its stages (loss reasons: ladder_reasons.py).

Row forms (save, move up/down) work as plain forms; with htmx they swap just the list,
which comes back with 422 when a field is wrong, like the full page does.
"""

from typing import NamedTuple

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from crm.blueprints.admin import bp
from crm.blueprints.admin.ladder_forms import RemoveStageForm, StageForm, mapping_form
from crm.blueprints.admin.ladder_history import describe, model_title
from crm.extensions import db
from crm.models import Stage
from crm.services import ladder_admin, ladder_stats
from crm.services.errors import DomainError, PermissionDeniedError
from crm.services.ladder import stage_name, stages
from crm.services.stage_models import MODELS, STAGE_NAMES
from crm.web import admin_required, wants_fragment


class Notice(NamedTuple):
    """A line shown on one row of a list after an htmx change."""

    row_id: int
    text: str
    error: bool = False


class StageRow(NamedTuple):
    stage: Stage
    name: str
    parties: int
    form: StageForm
    can_go_down: bool
    can_go_up: bool


def _live_stage_or_404(stage_id: int) -> Stage:
    stage = db.get_or_404(Stage, stage_id)
    if stage.archived_at is not None:
        abort(404)
    return stage


def _stage_form(stage: Stage, ladder: list[Stage], bound: bool = False) -> StageForm:
    """The row form of a stage: from the request when `bound`, from the database otherwise."""
    builtin = STAGE_NAMES.get(stage.key or "")
    options = {
        "prefix": f"stage{stage.id}",
        "builtin_name": str(builtin) if builtin else None,
        "taken": [stage_name(other) for other in ladder if other.id != stage.id],
    }
    if bound:
        return StageForm(**options)
    data = {
        "name": stage.custom_name or "",
        "color": stage.color,
        "interval": stage.contact_interval_days,
    }
    return StageForm(formdata=None, data=data, **options)


def _stage_rows(bound: StageForm | None, bound_id: int | None) -> list[StageRow]:
    ladder = stages()
    counts = ladder_stats.parties_per_stage()
    climbing = [stage for stage in ladder if not stage.terminal]
    rows = []
    for stage in ladder:
        form = bound if bound and stage.id == bound_id else _stage_form(stage, ladder)
        rank = None if stage.terminal else climbing.index(stage)
        rows.append(
            StageRow(
                stage,
                stage_name(stage),
                counts.get(stage.id, 0),
                form,
                can_go_down=rank is not None and rank > 0,
                can_go_up=rank is not None and rank < len(climbing) - 1,
            )
        )
    return rows


def _ladder_page(
    status: int = 200,
    *,
    bound: StageForm | None = None,
    bound_id: int | None = None,
    notice: Notice | None = None,
    new_form: StageForm | None = None,
):  # noqa: ANN202
    """The whole ladder page, or (for htmx) just its list of stages."""
    rows = _stage_rows(bound, bound_id)
    history = [(entry, describe(entry)) for entry in ladder_admin.ladder_history()]
    context = {"rows": rows, "notice": notice, "history": history, "history_oob": True}
    template = "admin/_ladder_stages.html"
    if not wants_fragment():
        template = "admin/ladder.html"
        model = ladder_stats.current_model()
        context |= {
            "history_oob": False,
            "new_form": new_form
            or StageForm(formdata=None, prefix="new", taken=[row.name for row in rows]),
            "model": model,
            "model_title": model_title(model),
            "models": [
                (key, str(title), [str(spec.name) for spec in specs if not spec.terminal])
                for key, (title, specs) in MODELS.items()
            ],
            "on_ladder": sum(row.parties for row in rows),
        }
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def _row_done(stage: Stage, message: str):  # noqa: ANN202
    """After a row change: the list with a note on the row (htmx), or back to the page."""
    if wants_fragment():
        return _ladder_page(notice=Notice(stage.id, message))
    flash(message, "success")
    return redirect(url_for("admin.ladder_index", _anchor=f"stage-{stage.id}"))


@bp.get("/ladder")
@admin_required
def ladder_index():
    """The company's model and its stages, bottom rung first, with the clients on each."""
    return _ladder_page()


@bp.post("/ladder/stages")
@admin_required
def ladder_add_stage():
    """Add a rung just below "relationship ended" (the ladder becomes the company's own)."""
    form = StageForm(prefix="new", taken=[stage_name(stage) for stage in stages()])
    if not form.validate_on_submit():
        return _ladder_page(422, new_form=form)
    stage = ladder_admin.add_stage(
        current_user, form.name.data, form.color.data, form.interval.data
    )
    db.session.commit()
    flash(_("The stage “%(name)s” was added.", name=stage_name(stage)), "success")
    return redirect(url_for("admin.ladder_index", _anchor=f"stage-{stage.id}"))


@bp.post("/ladder/stages/<int:stage_id>")
@admin_required
def ladder_update_stage(stage_id: int):
    """Rename (empty: the built-in name), recolour or change a stage's contact interval."""
    stage = _live_stage_or_404(stage_id)
    form = _stage_form(stage, stages(), bound=True)
    if not form.validate_on_submit():
        return _ladder_page(422, bound=form, bound_id=stage.id)
    ladder_admin.update_stage(
        current_user, stage, form.name.data, form.color.data, form.interval.data
    )
    db.session.commit()
    return _row_done(stage, _("Saved."))


@bp.post("/ladder/stages/<int:stage_id>/move/<direction>")
@admin_required
def ladder_shift_stage(stage_id: int, direction: str):
    """Swap a stage with the rung above ("up") or below ("down"); the terminal stage stays last."""
    if direction not in ("up", "down"):
        abort(404)
    stage = _live_stage_or_404(stage_id)
    try:
        ladder_admin.shift_stage(current_user, stage, 1 if direction == "up" else -1)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        return _ladder_page(422, notice=Notice(stage.id, str(exc), error=True))
    db.session.commit()
    return _row_done(stage, _("Moved up.") if direction == "up" else _("Moved down."))


def _removal(stage: Stage, bound: bool = False) -> dict:
    """The removal page: where the clients go (the stage below by default), or why it can't go.

    Only rungs are offered: removing a stage must not end anyone's relationship unexplained.
    """
    others = [other for other in stages() if other.id != stage.id and not other.terminal]
    choices = [(other.id, stage_name(other)) for other in others]
    if bound:
        form = RemoveStageForm(choices=choices)
    else:
        below = [other for other in others if other.position < stage.position]
        default = (below[-1] if below else others[0]).id if others else None
        form = RemoveStageForm(formdata=None, data={"target": default}, choices=choices)
    refusal = None
    if stage.terminal:
        refusal = _(
            "“%(name)s” cannot be removed: every ladder ends with it.", name=stage_name(stage)
        )
    elif not others:
        # ladder_admin.remove_stage allows it, but new clients would have no first rung.
        refusal = _("The ladder needs at least one stage besides the last one.")
    return {
        "stage": stage,
        "name": stage_name(stage),
        "parties": ladder_stats.parties_per_stage().get(stage.id, 0),
        "form": form,
        "refusal": refusal,
    }


@bp.get("/ladder/stages/<int:stage_id>/remove")
@admin_required
def ladder_confirm_removal(stage_id: int):
    """Ask where the clients of the stage go before removing it."""
    stage = _live_stage_or_404(stage_id)
    return render_template("admin/ladder_remove.html", **_removal(stage))


@bp.post("/ladder/stages/<int:stage_id>/remove")
@admin_required
def ladder_remove_stage(stage_id: int):
    """Move the stage's clients to the chosen stage (recorded), then remove the stage."""
    stage = _live_stage_or_404(stage_id)
    context = _removal(stage, bound=True)
    form = context["form"]
    if context["refusal"] or not form.validate_on_submit():
        return render_template("admin/ladder_remove.html", **context), 422
    target = _live_stage_or_404(form.target.data)
    try:
        moved = ladder_admin.remove_stage(current_user, stage, target)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        form.target.errors.append(str(exc))
        return render_template("admin/ladder_remove.html", **context), 422
    db.session.commit()
    message = ngettext(
        "“%(name)s” was removed; %(num)d client moved to “%(target)s”.",
        "“%(name)s” was removed; %(num)d clients moved to “%(target)s”.",
        moved,
        name=context["name"],
        target=stage_name(target),
    )
    flash(message, "success")
    return redirect(url_for("admin.ladder_index"))


def _mapping(model_key: str, bound: bool = False) -> dict:
    """The mapping page for switching to `model_key`: one select per current stage.

    Defaults only fill the form shown; a submitted form must name every stage, so that a
    stage added meanwhile by someone else is not mapped without the admin seeing it.
    """
    if model_key not in MODELS:
        abort(404)
    ladder = stages()
    counts = ladder_stats.parties_per_stage()
    choices = [(spec.key, str(spec.name)) for spec in MODELS[model_key][1]]
    defaults = {} if bound else ladder_stats.default_mapping(ladder, model_key)
    form = mapping_form([(s.id, stage_name(s)) for s in ladder], choices, defaults, bound)
    return {
        "form": form,
        "table": [(stage, form[f"stage_{stage.id}"], counts.get(stage.id, 0)) for stage in ladder],
        "model_key": model_key,
        "model_title": model_title(model_key),
        "on_ladder": sum(counts.values()),
        "errors": [],
    }


@bp.get("/ladder/models/<model_key>")
@admin_required
def ladder_map_stages(model_key: str):
    """Where each current stage's clients go on the new model's ladder."""
    return render_template("admin/ladder_switch.html", **_mapping(model_key))


@bp.post("/ladder/models/<model_key>")
@admin_required
def ladder_switch_model(model_key: str):
    """Switch to a built-in model: every client moves as mapped, recorded as a model change."""
    context = _mapping(model_key, bound=True)
    if not context["form"].validate_on_submit():
        return render_template("admin/ladder_switch.html", **context), 422
    mapping = {stage.id: select.data for stage, select, _count in context["table"]}
    try:
        ladder_admin.switch_model(current_user, model_key, mapping)
    except PermissionDeniedError:
        raise
    except DomainError as exc:
        context["errors"].append(str(exc))
        return render_template("admin/ladder_switch.html", **context), 422
    db.session.commit()
    message = ngettext(
        "The ladder is now “%(model)s”; %(num)d client moved to its stages.",
        "The ladder is now “%(model)s”; %(num)d clients moved to its stages.",
        context["on_ladder"],
        model=context["model_title"],
    )
    flash(message, "success")
    return redirect(url_for("admin.ladder_index"))


from crm.blueprints.admin import ladder_reasons  # noqa: E402, F401 - registers its routes
