"""One task's actions, in its row: complete, cancel, reschedule, complete and log.

Each answers htmx with the updated row (and a repeating task's next one), a plain form
with a redirect back; a form with errors comes back with 422, a stale one with 409.
Unknown tasks (or ones the user may not see) are 404 for everyone; viewers get 403.
"""

from flask import abort, flash, g, redirect, render_template
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user, login_required

from crm.blueprints.tasks import bp, today
from crm.blueprints.tasks.forms import LogForm, RescheduleForm, TaskActionForm
from crm.blueprints.tasks.routes import form_next, render_row_page, safe_next
from crm.extensions import db
from crm.models import Contact, Task, TaskStatus
from crm.models.base import utcnow
from crm.services import interactions, parties
from crm.services.errors import (
    DomainError,
    EditConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from crm.services.task_list import changeable, get_task
from crm.services.tasks import cancel_task, complete_task, may_change, reschedule_task
from crm.web import wants_fragment


def _task_to_change(task_id: int) -> Task:
    """The task (404 if unknown or hidden), if the user may change it (403 otherwise)."""
    task = get_task(current_user, task_id)
    if not current_user.can_edit or not may_change(current_user, task):
        abort(403)
    return task


def _closed(task: Task):  # noqa: ANN202
    """A form for a task that is closed already: its row, saying so."""
    return render_row_page(task, 409, message=_("This task is closed already."))


def _conflict_message(exc: DomainError) -> str:
    if isinstance(exc, EditConflictError):
        return _("Someone changed this task after you opened it. This is how it is now.")
    return str(exc)


def _reload(task_id: int) -> Task:
    """The task as it is in the database now, after a refused change was rolled back."""
    db.session.rollback()
    return get_task(current_user, task_id)


def _idunique(form: TaskActionForm, task: Task) -> TaskActionForm:
    """Field ids unique per task, so that forms open in several rows don't share ids."""
    for field in form:
        field.id = f"{field.id}-{task.id}"
        field.label.field_id = field.id
    return form


def _changed(task: Task, follow_up: Task | None, message: str):  # noqa: ANN202
    """After a successful change: the updated row(s) for htmx, or back to the list."""
    db.session.commit()
    if not wants_fragment():
        flash(message, "success")
        return redirect(safe_next(form_next()))
    g.pop("overdue_count", None)  # the badge is counted after the change
    rows = [task] if follow_up is None else [task, follow_up]
    response = render_template(
        "tasks/_changed.html",
        tasks=rows,
        follow_up=follow_up,
        changeable=changeable(current_user, rows),
        mode="view",
        today=today(),
        back=safe_next(form_next()),
    )
    return response, 200, {"HX-Trigger": "tasks-changed", "Vary": "HX-Request"}


@bp.post("/<int:task_id>/complete")
@login_required
def complete(task_id: int):
    """Mark the task done in one click; a repeating one shows its next turn."""
    task = _task_to_change(task_id)
    form = TaskActionForm()
    try:
        follow_up = complete_task(current_user, task, form.expected_version)
    except (PermissionDeniedError, NotFoundError):
        raise
    except DomainError as exc:
        return render_row_page(_reload(task_id), 409, message=_conflict_message(exc))
    return _changed(task, follow_up, _("Done: %(title)s.", title=task.title))


@bp.post("/<int:task_id>/cancel")
@login_required
def cancel(task_id: int):
    """Cancel the task (it stays on record, closed)."""
    task = _task_to_change(task_id)
    form = TaskActionForm()
    try:
        cancel_task(current_user, task, form.expected_version)
    except (PermissionDeniedError, NotFoundError):
        raise
    except DomainError as exc:
        return render_row_page(_reload(task_id), 409, message=_conflict_message(exc))
    return _changed(task, None, _("Cancelled: %(title)s.", title=task.title))


@bp.get("/<int:task_id>/reschedule")
@login_required
def reschedule_form(task_id: int):
    """The row with a date (and time) form in it."""
    task = _task_to_change(task_id)
    if task.status != TaskStatus.OPEN:
        return _closed(task)
    form = RescheduleForm(
        formdata=None, due_date=task.due_date, due_time=task.due_time, version=task.version
    )
    return render_row_page(task, mode="reschedule", form=_idunique(form, task))


@bp.post("/<int:task_id>/reschedule")
@login_required
def reschedule(task_id: int):
    """Move the task to another day; a bad date comes back next to its field."""
    task = _task_to_change(task_id)
    form = _idunique(RescheduleForm(), task)
    if not form.validate_on_submit():
        return render_row_page(task, 422, mode="reschedule", form=form)
    try:
        reschedule_task(
            current_user,
            task,
            form.due_date.data,
            form.due_time.data,
            form.expected_version,
            whole_series=form.whole_series.data,
        )
    except (PermissionDeniedError, NotFoundError):
        raise
    except DomainError as exc:
        task = _reload(task_id)
        form.version.data = str(task.version)  # what the user typed stays; saving again wins
        return render_row_page(
            task, 409, mode="reschedule", form=form, message=_conflict_message(exc)
        )
    return _changed(task, None, _("Rescheduled: %(title)s.", title=task.title))


def _log_form(task: Task, **kwargs) -> LogForm:  # noqa: ANN003
    form = LogForm(**kwargs)
    contacts = task.party.contacts if task.party is not None else []
    form.contact_id.choices = [(0, _("— nobody in particular —"))] + [
        (c.id, c.name) for c in contacts
    ]
    return _idunique(form, task)


def _task_with_party(task_id: int) -> Task:
    task = _task_to_change(task_id)
    if task.party is None:
        abort(404)  # an interaction belongs to a client
    parties.get_party(current_user, task.party_id)  # the client must be one this user sees
    return task


@bp.get("/<int:task_id>/log")
@login_required
def log_form(task_id: int):
    """The row with the "complete and log" form in it."""
    task = _task_with_party(task_id)
    if task.status != TaskStatus.OPEN:
        return _closed(task)
    now = to_user_timezone(utcnow()).replace(tzinfo=None)
    form = _log_form(
        task,
        formdata=None,
        occurred_at=now,
        contact_id=task.contact_id or 0,
        version=task.version,
    )
    return render_row_page(task, mode="log", form=form)


@bp.post("/<int:task_id>/log")
@login_required
def log(task_id: int):
    """Complete the task and log the interaction with its client, in one transaction."""
    task = _task_with_party(task_id)
    form = _log_form(task)
    if not form.validate_on_submit():
        return render_row_page(task, 422, mode="log", form=form)
    occurred_at = to_utc(form.occurred_at.data).replace(tzinfo=None)
    if occurred_at > utcnow() + interactions.FUTURE_TOLERANCE:
        form.occurred_at.errors.append(_("An interaction cannot be in the future."))
        return render_row_page(task, 422, mode="log", form=form)
    try:
        follow_up = complete_task(current_user, task, form.expected_version)
    except (PermissionDeniedError, NotFoundError):
        raise
    except DomainError as exc:
        task = _reload(task_id)
        form.version.data = str(task.version)
        return render_row_page(task, 409, mode="log", form=form, message=_conflict_message(exc))
    contact = db.session.get(Contact, form.contact_id.data) if form.contact_id.data else None
    try:
        interactions.log_interaction(
            current_user,
            task.party,
            type=form.type.data,
            occurred_at=occurred_at,
            summary=form.summary.data,
            outcome=form.outcome.data,
            contact=contact,
            satisfaction=int(form.satisfaction.data) if form.satisfaction.data else None,
        )
    except (PermissionDeniedError, NotFoundError):
        raise
    except DomainError as exc:
        task = _reload(task_id)  # the task is not completed either
        return render_row_page(task, 422, mode="log", form=form, form_error=str(exc))
    return _changed(task, follow_up, _("Done and logged: %(title)s.", title=task.title))
