"""The task list with its filters, a task on its own, and the new-task form."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.blueprints.tasks import bp, today
from crm.blueprints.tasks.forms import TaskForm
from crm.extensions import db
from crm.models import Contact, Party, User
from crm.services import users
from crm.services.errors import DomainError, NotFoundError, PermissionDeniedError
from crm.services.parties import get_party
from crm.services.task_list import (
    DUE_FILTERS,
    STATUSES,
    TaskFilter,
    changeable,
    get_task,
    list_tasks,
)
from crm.services.tasks import TaskData, create_task
from crm.web import editor_required, render_page_or_fragment, wants_fragment

PARTY_CHOICES_LIMIT = 300


def safe_next(target: str | None, default: str | None = None) -> str:
    """Only same-site relative paths are followed back after a plain (non-htmx) form."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default or url_for("tasks.index")


def _digits(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _assignee_arg() -> str:
    """The assignee filter: "me", "all" or a user id.

    By default a user sees their own tasks; but a client's tasks (a link from its card)
    are everyone's, and viewers, who have no tasks of their own, see all.
    """
    value = request.args.get("assignee", "")
    if value in ("me", "all") or (value.isdigit() and len(value) < 12):
        return value
    return "me" if current_user.can_edit and not _digits("party") else "all"


def _filters_from_request() -> tuple[TaskFilter, str]:
    """The filters from the query string (unknown values fall back to the defaults)."""
    assignee = _assignee_arg()
    status = request.args.get("status", "")
    due = request.args.get("due", "")
    assignee_id = {"me": current_user.id, "all": None}.get(assignee)
    filters = TaskFilter(
        assignee_id=int(assignee) if assignee.isdigit() else assignee_id,
        status=status if status in STATUSES else STATUSES[0],
        due=due if due in DUE_FILTERS else "",
        party_id=_digits("party"),
        after=request.args.get("after", "")[:40],
    )
    return filters, assignee


@bp.get("")
@login_required
def index():
    """Tasks with filters; the list updates in place, "show more" adds the next rows."""
    filters, assignee = _filters_from_request()
    party = get_party(current_user, filters.party_id) if filters.party_id else None
    day = today()
    page = list_tasks(current_user, filters, day, current_app.config["PAGE_SIZE"])
    context = {
        "page": page,
        "filters": filters,
        "assignee": assignee,
        "party": party,
        "today": day,
        "changeable": changeable(current_user, page.tasks),
        "back": request.full_path.rstrip("?"),
    }
    more_rows = wants_fragment() and bool(filters.after)
    if not wants_fragment():
        context["assignees"] = users.managers()
    fragment = "tasks/_rows.html" if more_rows else "tasks/_results.html"
    return render_page_or_fragment("tasks/index.html", fragment, **context)


@bp.get("/<int:task_id>")
@login_required
def show(task_id: int):
    """One task on its own (htmx: its row, e.g. after closing a form in the row)."""
    task = get_task(current_user, task_id)
    return render_row_page(task)


def render_row_page(task, status: int = 200, **context):  # noqa: ANN001, ANN201
    """The task's row alone for htmx, or a page around it."""
    context.setdefault("mode", "view")
    context.setdefault("back", safe_next(request.values.get("next")))
    return render_page_or_fragment(
        "tasks/task.html",
        "tasks/_row.html",
        status,
        task=task,
        today=today(),
        changeable=changeable(current_user, [task]),
        **context,
    )


def _party_choices(selected: Party | None) -> list[tuple[int, str]]:
    """No client, the user's own clients by name, and the preselected one."""
    query = (
        select(Party.id, Party.name)
        .where(Party.owner_id == current_user.id, Party.deleted_at.is_(None))
        .order_by(Party.name_key, Party.id)
        .limit(PARTY_CHOICES_LIMIT)
    )
    choices = [(row.id, row.name) for row in db.session.execute(query)]
    if selected is not None and selected.id not in {c[0] for c in choices}:
        choices.insert(0, (selected.id, selected.name))
    return [(0, _("— no client —")), *choices]


def _contact_choices(party: Party | None) -> list[tuple[int, str]]:
    contacts = party.contacts if party is not None else []
    return [(0, _("— nobody in particular —")), *[(c.id, c.name) for c in contacts]]


def _chosen_party(raw: str | None) -> Party | None:
    """The party picked in the form; one the user may not see is a 404, as everywhere."""
    raw = (raw or "").strip()
    if not raw.isdigit() or int(raw) == 0 or len(raw) > 11:
        return None
    return get_party(current_user, int(raw))


def _task_form(party: Party | None, **kwargs) -> TaskForm:  # noqa: ANN003
    form = TaskForm(**kwargs)
    form.party_id.choices = _party_choices(party)
    form.party_id.render_kw = {  # picking a client reloads the contact field with its people
        "hx-get": url_for("tasks.contact_options"),
        "hx-target": "#contact-field",
        "hx-swap": "outerHTML",
    }
    form.contact_id.choices = _contact_choices(party)
    form.assignee_id.choices = [(u.id, u.name) for u in users.managers()]
    return form


def _render_form(form: TaskForm, party: Party | None, status: int = 200):  # noqa: ANN202
    back = safe_next(request.values.get("next"))
    return render_template("tasks/form.html", form=form, party=party, back=back), status


@bp.get("/new")
@editor_required
def new():
    """An empty task form; ?party=<id> preselects the client."""
    party = _chosen_party(request.args.get("party"))
    form = _task_form(
        party,
        party_id=party.id if party else 0,
        assignee_id=current_user.id,
        due_date=today(),
    )
    return _render_form(form, party)


@bp.post("/new")
@editor_required
def create():
    """Save a new task; errors come back next to their fields with 422, nothing saved."""
    party = _chosen_party(request.form.get("party_id"))
    form = _task_form(party)
    if not form.validate_on_submit():
        return _render_form(form, party, 422)
    contact = db.session.get(Contact, form.contact_id.data) if form.contact_id.data else None
    data = TaskData(
        title=form.title.data,
        description=form.description.data,
        assignee=db.session.get(User, form.assignee_id.data),
        due_date=form.due_date.data,
        due_time=form.due_time.data,
        party=party,
        contact=contact,
        priority=form.priority.data,
        repeat_every=form.repeat_every.data,
        repeat_unit=form.repeat_unit.data or None,
    )
    try:
        task = create_task(current_user, data)
    except (PermissionDeniedError, NotFoundError):
        raise
    except DomainError as exc:
        # What the form cannot check is about the assignee: active, and allowed to see the client.
        db.session.rollback()
        form.assignee_id.errors.append(str(exc))
        return _render_form(form, party, 422)
    db.session.commit()
    flash(_("Task “%(title)s” added.", title=task.title), "success")
    return redirect(safe_next(form_next(), url_for("tasks.index")))


def form_next() -> str | None:
    return request.form.get("next") or request.args.get("next")


@bp.get("/new/contacts")
@editor_required
def contact_options():
    """The contact field for the client just picked in the new-task form (htmx)."""
    party = _chosen_party(request.args.get("party_id"))
    form = _task_form(party, formdata=None)
    return render_template("tasks/_contact_field.html", form=form)
