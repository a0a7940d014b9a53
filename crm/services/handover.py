"""Hand-over: a leaving manager's parties and open tasks go to another, in one transaction."""

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from crm.extensions import db
from crm.models import OPEN_STATUSES, Offer, Party, Priority, Task, TaskStatus, User
from crm.services import audit
from crm.services.clock import local_today
from crm.services.errors import DomainError, PermissionDeniedError
from crm.services.ladder import stages
from crm.services.users import in_language_of

INTRODUCTION_DUE_DAYS = 3


def is_key_client(party: Party, top_half_from: int) -> bool:
    """A key client stands on the upper half of the ladder (not ended)."""
    stage = party.stage
    return stage is not None and not stage.terminal and stage.position >= top_half_from


def _top_half_from() -> int:
    positions = [s.position for s in stages() if not s.terminal]
    return positions[len(positions) // 2] if positions else 0


def hand_over(
    actor: User, from_user: User, to_user: User, party_ids: list[int] | None = None
) -> int:
    """Give every live party of from_user (or only the listed ones) to to_user.

    Their open tasks and open offers move too, and the receiver gets an "introduce
    yourself" task for each key client. Returns how many parties moved.
    """
    if not actor.is_admin:
        raise PermissionDeniedError(_l("Only an admin can hand over clients."))
    if from_user.id == to_user.id:
        raise DomainError(_l("Choose two different managers."))
    if not to_user.active or not to_user.can_edit:
        raise DomainError(_l("The receiving user must be an active manager."))
    query = select(Party).where(Party.owner_id == from_user.id, Party.deleted_at.is_(None))
    if party_ids is not None:
        query = query.where(Party.id.in_(party_ids))
    moved = list(db.session.scalars(query))
    top_half_from = _top_half_from()
    due = local_today() + timedelta(days=INTRODUCTION_DUE_DAYS)
    for party in moved:
        party.owner_id = to_user.id
        db.session.flush()
        audit.record(
            actor,
            "party",
            party.id,
            "hand_over",
            party_id=party.id,
            changes={"owner_id": [from_user.id, to_user.id]},
            version=party.version,
        )
        if is_key_client(party, top_half_from):
            with in_language_of(to_user):  # the task is theirs: in their language
                title = _("Introduce yourself to %(name)s", name=party.name)[:200]
                description = _("You took over this client from %(name)s.", name=from_user.name)
            db.session.add(
                Task(
                    title=title,
                    description=description,
                    party_id=party.id,
                    assignee_id=to_user.id,
                    due_date=due,
                    priority=Priority.HIGH,
                    created_by_id=actor.id,
                )
            )
    _move_open_tasks(from_user, to_user, [p.id for p in moved], everything=party_ids is None)
    _move_open_offers(from_user, to_user, [p.id for p in moved], everything=party_ids is None)
    db.session.flush()
    return len(moved)


def _move_open_tasks(
    from_user: User, to_user: User, party_ids: list[int], *, everything: bool
) -> None:
    """All open tasks of the leaving manager, or only those of the handed-over parties."""
    query = select(Task).where(Task.assignee_id == from_user.id, Task.status == TaskStatus.OPEN)
    if not everything:
        query = query.where(Task.party_id.in_(party_ids))
    for task in db.session.scalars(query):
        task.assignee_id = to_user.id


def _move_open_offers(
    from_user: User, to_user: User, party_ids: list[int], *, everything: bool
) -> int:
    """The leaving manager's open offers (all, or those of the parties); a new version each."""
    condition = [Offer.owner_id == from_user.id, Offer.status.in_(OPEN_STATUSES)]
    if not everything:
        condition.append(Offer.party_id.in_(party_ids))
    moved = db.session.execute(
        update(Offer)
        .where(*condition)
        .values(owner_id=to_user.id, version=Offer.version + 1)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount
