"""Contact cadence (seed 001): each stage has a contact interval; who is overdue for a call."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, false, func, or_, select

from crm.extensions import db
from crm.models import Party, Stage, Task, TaskStatus, User
from crm.models.base import utcnow
from crm.services.access import visible
from crm.services.clock import local_date, local_today
from crm.services.tasks import TaskData, create_task
from crm.services.users import in_language_of


def due_since(stage: Stage, now: datetime | None = None) -> datetime:
    """Parties on this stage last contacted before this moment need contact."""
    return (now or utcnow()) - timedelta(days=stage.contact_interval_days)


def needs_contact_condition(
    ladder: list[Stage], now: datetime | None = None
) -> ColumnElement[bool]:
    """SQL for "needs contact": the last meaningful contact is older than the stage interval."""
    clauses = [
        and_(
            Party.stage_id == stage.id,
            or_(Party.last_contact_at.is_(None), Party.last_contact_at < due_since(stage, now)),
        )
        for stage in ladder
        if not stage.terminal
    ]
    return or_(*clauses) if clauses else false()


def needs_contact(party: Party, now: datetime | None = None) -> bool:
    stage = party.stage
    if stage is None or stage.terminal:
        return False
    return party.last_contact_at is None or party.last_contact_at < due_since(stage, now)


def my_parties_needing_contact(user: User, ladder: list[Stage], limit: int = 20) -> list[Party]:
    """The user's own parties that are due a contact and have no open task, longest silence
    first."""
    planned = select(Task.id).where(Task.party_id == Party.id, Task.status == TaskStatus.OPEN)
    query = (
        select(Party)
        .where(
            Party.owner_id == user.id,
            Party.deleted_at.is_(None),
            needs_contact_condition(ladder),
            ~planned.exists(),  # a contact already planned is off the list
        )
        .order_by(Party.last_contact_at.is_not(None), Party.last_contact_at, Party.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass
class CadenceRow:
    owner_id: int
    stage_id: int
    kept: int
    missed: int


def cadence_report(user: User, ladder: list[Stage]) -> list[CadenceRow]:
    """Per owner and stage: parties contacted within the interval (kept) and not (missed)."""
    missed = needs_contact_condition(ladder)
    query = visible(
        select(
            Party.owner_id,
            Party.stage_id,
            func.sum(case((missed, 0), else_=1)),
            func.sum(case((missed, 1), else_=0)),
        )
        .where(
            Party.deleted_at.is_(None),
            Party.stage_id.in_([s.id for s in ladder if not s.terminal]),
        )
        .group_by(Party.owner_id, Party.stage_id),
        user,
    )
    return [CadenceRow(*row) for row in db.session.execute(query)]


def plan_next_contact(actor: User, party: Party) -> tuple[Task, bool]:
    """One click from the card: a task for the owner to contact the party when it is due.

    Returns (task, created). If the owner already has an open task for this party, that
    task is the plan and nothing new is created, however often the button is pressed.
    """
    stage = party.stage
    interval = timedelta(days=stage.contact_interval_days if stage else 30)
    assignee = party.owner if party.owner and party.owner.active else actor
    # Two clicks at once must not plan two contacts: hold the party's row while checking.
    # FOR NO KEY UPDATE: it serialises two clicks, but not a task being added meanwhile.
    db.session.execute(select(Party.id).where(Party.id == party.id).with_for_update(key_share=True))
    existing = db.session.scalar(
        select(Task)
        .where(
            Task.party_id == party.id,
            Task.assignee_id == assignee.id,
            Task.status == TaskStatus.OPEN,
        )
        .order_by(Task.due_date, Task.id)
        .limit(1)
    )
    if existing is not None:
        return existing, False
    today = local_today()
    due = local_date(party.last_contact_at + interval) if party.last_contact_at else today
    with in_language_of(assignee):  # the task is theirs: in their language
        title = str(_l("Contact %(name)s", name=party.name))[:200]
    task = create_task(
        actor,
        TaskData(
            title=title,
            assignee=assignee,
            due_date=max(due, today),
            party=party,
        ),
    )
    return task, True
