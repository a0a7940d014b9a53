"""Hand-over: move a leaving manager's parties to another in one transaction."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.extensions import db
from crm.models import Party, User
from crm.services import audit
from crm.services.errors import DomainError, PermissionDeniedError


def hand_over(
    actor: User, from_user: User, to_user: User, party_ids: list[int] | None = None
) -> int:
    """Give every live party of from_user (or only the listed ones) to to_user.

    Returns how many parties moved. Later features (tasks, offers) extend this function.
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
    moved = 0
    for party in db.session.scalars(query):
        party.owner_id = to_user.id
        moved += 1
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
    return moved
