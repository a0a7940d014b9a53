"""Task lists: who sees which tasks, the filters of /tasks, keyset pages, and "my day"."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, select, tuple_
from sqlalchemy.orm import joinedload

from crm.extensions import db
from crm.models import Party, Task, TaskStatus, User
from crm.services.errors import NotFoundError
from crm.services.tasks import due_window, may_change, visible_condition

DUE_FILTERS = ("overdue", "today", "week", "later")
STATUSES = tuple(TaskStatus)
UPCOMING_DAYS = 7
# A page, not a report: past this many tasks due soon, My day links to the full list.
SOON_LIMIT = 40


@dataclass
class TaskFilter:
    """What the user asked /tasks for; every field comes from the query string.

    `assignee_id` None means anyone; `status` is one of TaskStatus; `due` is "" or a
    name from DUE_FILTERS; `after` is the keyset cursor of the previous page's last row.
    """

    assignee_id: int | None = None
    status: str = TaskStatus.OPEN
    due: str = ""
    party_id: int | None = None
    after: str = ""


@dataclass
class TaskPage:
    """One page of tasks and the cursor of the next page (None on the last page)."""

    tasks: list[Task]
    next_cursor: str | None = None
    filters: TaskFilter = field(default_factory=TaskFilter)


@dataclass
class MyDay:
    """The landing page's tasks: overdue ones, today's, and the next days'."""

    overdue: list[Task]
    overdue_more: bool
    today: list[Task]
    upcoming: list[Task]
    upcoming_more: bool = False


def visible_tasks(query: Select, user: User) -> Select:
    """Limit a query on Task to what the user may see."""
    condition = visible_condition(user)
    return query if condition is None else query.where(condition)


def _with_row_data(query: Select) -> Select:
    """Load what a task row shows in the same statement, and nothing of the party beyond."""
    party = joinedload(Task.party)
    return query.options(
        party.load_only(Party.id, Party.name, Party.owner_id, Party.deleted_at),
        party.lazyload(Party.owner),
        party.lazyload(Party.stage),
        party.lazyload(Party.roles),
        party.lazyload(Party.tags),
        joinedload(Task.contact),
    )


def get_task(user: User, task_id: int) -> Task:
    """The task if it exists and the user may see it; NotFoundError otherwise."""
    query = visible_tasks(select(Task).where(Task.id == task_id), user)
    task = db.session.scalar(query)
    if task is None:
        raise NotFoundError(_l("No such task."))
    return task


def encode_cursor(task: Task) -> str:
    """The keyset position of a row: its due date and id."""
    return f"{task.due_date.isoformat()}.{task.id}"


def decode_cursor(cursor: str) -> tuple[date, int] | None:
    """(due date, id) from a cursor, or None when it is absent or was tampered with."""
    day, _, ident = cursor.partition(".")
    try:
        return date.fromisoformat(day), int(ident)
    except ValueError:
        return None


def conditions(filters: TaskFilter, today: date) -> list[ColumnElement[bool]]:
    """The WHERE clauses for the filters; the due windows come from tasks.due_window."""
    where: list[ColumnElement[bool]] = [Task.status == filters.status]
    if filters.assignee_id is not None:
        where.append(Task.assignee_id == filters.assignee_id)
    if filters.party_id is not None:
        where.append(Task.party_id == filters.party_id)
    if filters.due in DUE_FILTERS:
        start, end = due_window(today)[filters.due]
        if start is not None:
            where.append(Task.due_date >= start)
        if end is not None:
            where.append(Task.due_date < end)
    return where


def list_tasks(user: User, filters: TaskFilter, today: date, page_size: int = 25) -> TaskPage:
    """One page of the tasks the user may see: open ones soonest first, closed ones latest first.

    One statement: the assignee, party (name only) and contact come joined; reading one
    row more than the page tells whether there is a next page.
    """
    newest_first = filters.status != TaskStatus.OPEN
    query = visible_tasks(select(Task), user).where(*conditions(filters, today))
    cursor = decode_cursor(filters.after) if filters.after else None
    if cursor:
        position = tuple_(Task.due_date, Task.id)
        query = query.where(position < cursor if newest_first else position > cursor)
    order = (Task.due_date.desc(), Task.id.desc()) if newest_first else (Task.due_date, Task.id)
    rows = list(db.session.scalars(_with_row_data(query).order_by(*order).limit(page_size + 1)))
    page = TaskPage(rows[:page_size], filters=filters)
    if len(rows) > page_size:
        page.next_cursor = encode_cursor(page.tasks[-1])
    return page


def _by_time(task: Task) -> tuple:
    """Within a day: timed tasks by time, then the rest by priority (highest first)."""
    return (task.due_date, task.due_time is None, task.due_time, -task.priority, task.id)


def my_day(user: User, today: date, overdue_limit: int = 20) -> MyDay:
    """The user's open tasks that are overdue, due today, or due in the next seven days."""
    mine = visible_tasks(
        select(Task).where(Task.assignee_id == user.id, Task.status == TaskStatus.OPEN), user
    )
    overdue_query = mine.where(Task.due_date < today).order_by(Task.due_date, Task.id)
    overdue = list(db.session.scalars(_with_row_data(overdue_query).limit(overdue_limit + 1)))
    soon = mine.where(
        Task.due_date >= today, Task.due_date <= today + timedelta(days=UPCOMING_DAYS)
    ).order_by(Task.due_date, Task.id)
    upcoming = list(db.session.scalars(_with_row_data(soon).limit(SOON_LIMIT + 1)))
    more = len(upcoming) > SOON_LIMIT
    upcoming = sorted(upcoming[:SOON_LIMIT], key=_by_time)
    return MyDay(
        overdue=overdue[:overdue_limit],
        overdue_more=len(overdue) > overdue_limit,
        today=[t for t in upcoming if t.due_date == today],
        upcoming=[t for t in upcoming if t.due_date > today],
        upcoming_more=more,
    )


def changeable(user: User, tasks: list[Task]) -> set[int]:
    """The ids of the tasks the user may change (tasks.may_change on each)."""
    return {task.id for task in tasks if may_change(user, task)}
