"""Interactions: calls, meetings, letters… and the last meaningful contact they set."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select, update

from crm.extensions import db
from crm.models import MEANINGFUL, Contact, Interaction, InteractionType, Party, User
from crm.models.base import utcnow
from crm.services.access import require_editor
from crm.services.errors import DomainError

# A little slack for clocks and time zones; anything later is not an interaction yet.
FUTURE_TOLERANCE = timedelta(days=1)


def log_interaction(
    actor: User,
    party: Party,
    *,
    type: str,
    occurred_at: datetime,
    summary: str,
    outcome: str = "",
    contact: Contact | None = None,
    satisfaction: int | None = None,
) -> Interaction:
    """Record an interaction; a meaningful one moves the party's last contact forward."""
    require_editor(actor)
    if type not in set(InteractionType):
        raise DomainError(_l("Unknown interaction type."))
    if not summary.strip():
        raise DomainError(_l("Say in a few words what happened."))
    if occurred_at > utcnow() + FUTURE_TOLERANCE:
        raise DomainError(_l("An interaction cannot be in the future."))
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise DomainError(_l("Satisfaction is a score from 1 to 5."))
    if contact is not None and (contact.party_id != party.id or contact.deleted_at is not None):
        raise DomainError(_l("This contact works elsewhere."))
    interaction = Interaction(
        party_id=party.id,
        type=type,
        occurred_at=occurred_at,
        summary=summary.strip(),
        outcome=outcome.strip(),
        contact_id=contact.id if contact else None,
        satisfaction=satisfaction,
        author_id=actor.id,
    )
    db.session.add(interaction)
    if type in MEANINGFUL:
        note_contact(party, occurred_at)
    db.session.flush()
    return interaction


def note_contact(party: Party, occurred_at: datetime) -> None:
    """Move the party's last contact forward (never back), without a profile version bump."""
    later = case(
        (Party.last_contact_at.is_(None), occurred_at),
        (Party.last_contact_at < occurred_at, occurred_at),
        else_=Party.last_contact_at,
    )
    db.session.execute(
        update(Party)
        .where(Party.id == party.id)
        .values(last_contact_at=later)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(party, ["last_contact_at"])


def recent_interactions(party: Party, limit: int = 20) -> list[Interaction]:
    query = (
        select(Interaction)
        .where(Interaction.party_id == party.id)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
