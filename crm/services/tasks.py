"""Tasks: who must do what by when; repeating tasks; what is overdue."""

from dataclasses import dataclass
from datetime import date, time, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.models import Contact, Party, Priority, Task, TaskStatus, User
from crm.models.base import utcnow
from crm.services.access import require_editor, sees_only_own
from crm.services.clock import local_today
from crm.services.errors import DomainError, EditConflictError, PermissionDeniedError

REPEAT_UNITS = ("days", "weeks", "months")
MAX_TITLE = 200


@dataclass
class TaskData:
    """What a user fills in for a task."""

    title: str
    assignee: User
    due_date: date
    due_time: time | None = None
    description: str = ""
    party: Party | None = None
    contact: Contact | None = None
    priority: int = Priority.NORMAL
    repeat_every: int | None = None
    repeat_unit: str | None = None


def _check(actor: User, data: TaskData) -> None:
    require_editor(actor)
    if not data.title.strip() or len(data.title) > MAX_TITLE:
        raise DomainError(_l("A task needs a title of at most 200 characters."))
    if not data.assignee.active or not data.assignee.can_edit:
        raise DomainError(_l("Tasks go to active managers or admins."))
    if (
        data.party is not None
        and sees_only_own(data.assignee)
        and (data.party.owner_id != data.assignee.id)
    ):
        raise DomainError(_l("This person may not see that client."))
    if data.contact is not None and (data.party is None or data.contact.party_id != data.party.id):
        raise DomainError(_l("This contact works elsewhere."))
    if (data.repeat_every is None) != (data.repeat_unit is None):
        raise DomainError(_l("A repetition needs both a number and a unit."))
    if data.repeat_unit is not None and (
        data.repeat_unit not in REPEAT_UNITS or not 1 <= (data.repeat_every or 0) <= 365
    ):
        raise DomainError(_l("Repeat every 1 to 365 days, weeks or months."))
    if data.priority not in set(Priority):
        raise DomainError(_l("Unknown priority."))


def create_task(actor: User, data: TaskData) -> Task:
    """Add an open task."""
    _check(actor, data)
    task = Task(
        title=data.title.strip(),
        description=data.description.strip(),
        party_id=data.party.id if data.party else None,
        contact_id=data.contact.id if data.contact else None,
        assignee_id=data.assignee.id,
        due_date=data.due_date,
        due_time=data.due_time,
        priority=data.priority,
        repeat_every=data.repeat_every,
        repeat_unit=data.repeat_unit,
        repeat_start=data.due_date if data.repeat_unit else None,
        created_by_id=actor.id,
    )
    db.session.add(task)
    db.session.flush()
    return task


def visible_condition(user: User) -> ColumnElement[bool] | None:
    """SQL for the tasks a user may see (None: all of them).

    A task on a trashed party is gone for everyone but admins. A manager limited to own
    clients sees a party's tasks only while owning that party, and the tasks without a
    party that they were given or created.
    """
    conditions = []
    if not user.is_admin:
        trashed = select(Party.id).where(Party.deleted_at.is_not(None))
        conditions.append(or_(Task.party_id.is_(None), Task.party_id.not_in(trashed)))
    if sees_only_own(user):
        own = select(Party.id).where(Party.owner_id == user.id)
        conditions.append(
            or_(
                Task.party_id.in_(own),
                and_(
                    Task.party_id.is_(None),
                    or_(Task.assignee_id == user.id, Task.created_by_id == user.id),
                ),
            )
        )
    return and_(*conditions) if conditions else None


def may_change(actor: User, task: Task) -> bool:
    """Whoever may see the task's party may change its tasks; a task without a party
    belongs to its assignee, its creator and the admins."""
    if not actor.can_edit:
        return False
    party = task.party
    if party is None:
        return actor.is_admin or actor.id in (task.assignee_id, task.created_by_id)
    if party.deleted_at is not None and not actor.is_admin:
        return False
    return not (sees_only_own(actor) and party.owner_id != actor.id)


def _require_change(actor: User, task: Task, expected_version: int | None) -> None:
    if not may_change(actor, task):
        raise PermissionDeniedError(_l("You may not change this task."))
    if task.status != TaskStatus.OPEN:
        raise DomainError(_l("This task is closed already."))
    if expected_version is not None and task.version != expected_version:
        raise EditConflictError([])


def next_due(task: Task, today: date) -> date:
    """The next date of a repeating task: its cadence kept, missed turns skipped."""
    return _next_turn(task, today)[1]


def _next_turn(task: Task, today: date) -> tuple[int, date]:
    """The series' next turn due today or later, and after the task's date if it was moved.

    Turns count from the series' first date, so months never drift: a monthly task from
    31 January comes back on 28 February, then on 31 March.
    """
    start = task.repeat_start or task.due_date
    turn = task.repeat_turn + 1
    while True:
        due = start + relativedelta(**{task.repeat_unit: task.repeat_every * turn})
        if due >= today and due > task.due_date:
            return turn, due
        turn += 1


def complete_task(actor: User, task: Task, expected_version: int | None = None) -> Task | None:
    """Mark the task done; a repeating task comes back as a new one, which is returned."""
    _require_change(actor, task, expected_version)
    task.status, task.completed_at = TaskStatus.DONE, utcnow()
    _flush()
    if not task.repeat_unit:
        return None
    turn, due = _next_turn(task, local_today())
    follow_up = Task(
        title=task.title,
        description=task.description,
        party_id=task.party_id,
        contact_id=task.contact_id,
        assignee_id=task.assignee_id,
        due_date=due,
        due_time=task.due_time,
        priority=task.priority,
        repeat_every=task.repeat_every,
        repeat_unit=task.repeat_unit,
        repeat_start=task.repeat_start or task.due_date,
        repeat_turn=turn,
        created_by_id=actor.id,
    )
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


def cancel_task(actor: User, task: Task, expected_version: int | None = None) -> None:
    """Close the task without doing it."""
    _require_change(actor, task, expected_version)
    task.status, task.completed_at = TaskStatus.CANCELLED, utcnow()
    _flush()


def reschedule_task(
    actor: User,
    task: Task,
    due_date: date,
    due_time: time | None,
    expected_version: int | None = None,
    *,
    whole_series: bool = False,
) -> None:
    """Move the task to another day (and time). For a repeating task only this time moves,
    unless `whole_series`: then the next repetitions count from the new date."""
    _require_change(actor, task, expected_version)
    task.due_date, task.due_time = due_date, due_time
    if whole_series and task.repeat_unit:
        task.repeat_start, task.repeat_turn = due_date, 0
    _flush()


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:  # someone else changed the task at the same moment
        db.session.rollback()
        raise EditConflictError([]) from exc


def overdue_count(user: User, today: date | None = None) -> int:
    """How many of the user's open tasks are past due (for the navigation)."""
    today = today or local_today()
    query = select(func.count()).where(
        Task.assignee_id == user.id, Task.status == TaskStatus.OPEN, Task.due_date < today
    )
    condition = visible_condition(user)
    if condition is not None:
        query = query.where(condition)
    return db.session.scalar(query) or 0


def open_tasks_of(party: Party, limit: int = 20) -> list[Task]:
    """The party's open tasks, soonest first."""
    query = (
        select(Task)
        .options(lazyload(Task.party))  # the caller has the party
        .where(Task.party_id == party.id, Task.status == TaskStatus.OPEN)
        .order_by(Task.due_date, Task.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def due_window(today: date) -> dict[str, tuple[date | None, date | None]]:
    """The due filters: [start, end) per name."""
    week_end = today + timedelta(days=7 - today.weekday())
    return {
        "overdue": (None, today),
        "today": (today, today + timedelta(days=1)),
        "week": (today, week_end),
        "later": (week_end, None),
    }
