"""Relationship factors (seed 002): satisfaction, trust and engagement, judged 1–5 over time."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Party, RelationshipFactors, User
from crm.services.access import require_editor, visible
from crm.services.errors import DomainError

FIELDS = RelationshipFactors.FIELDS


def record_factors(actor: User, party: Party, scores: dict[str, int]) -> RelationshipFactors:
    """Store one judgement of all five factors, each from 1 to 5."""
    require_editor(actor)
    if set(scores) != set(FIELDS) or not all(
        isinstance(v, int) and 1 <= v <= 5 for v in scores.values()
    ):
        raise DomainError(_l("Every factor needs a score from 1 to 5."))
    row = RelationshipFactors(party_id=party.id, author_id=actor.id, **scores)
    db.session.add(row)
    db.session.flush()
    return row


def latest_two(party: Party) -> tuple[RelationshipFactors | None, RelationshipFactors | None]:
    """The latest judgement and the one before it (for the trend)."""
    query = (
        select(RelationshipFactors)
        .where(RelationshipFactors.party_id == party.id)
        .order_by(RelationshipFactors.id.desc())
        .limit(2)
    )
    rows = list(db.session.scalars(query))
    return (rows[0] if rows else None, rows[1] if len(rows) > 1 else None)


def trend(latest: RelationshipFactors | None, previous: RelationshipFactors | None) -> dict:
    """Per factor: +1 rose, -1 fell, 0 the same or unknown."""
    if latest is None or previous is None:
        return dict.fromkeys(FIELDS, 0)
    return {
        name: (getattr(latest, name) > getattr(previous, name))
        - (getattr(latest, name) < getattr(previous, name))
        for name in FIELDS
    }


def parties_with_falling_factors(user: User, stage_id: int, limit: int = 200) -> list[tuple]:
    """Parties on the stage whose latest judgement totals less than the one before.

    Returns (party, latest total, previous total), biggest fall first.
    """
    total = sum(getattr(RelationshipFactors, name) for name in FIELDS)
    ranked = (
        select(
            RelationshipFactors.party_id,
            total.label("total"),
            func.row_number()
            .over(partition_by=RelationshipFactors.party_id, order_by=RelationshipFactors.id.desc())
            .label("n"),
        )
        .join(Party, Party.id == RelationshipFactors.party_id)
        .where(Party.stage_id == stage_id, Party.deleted_at.is_(None))
        .subquery()
    )
    latest = select(ranked.c.party_id, ranked.c.total).where(ranked.c.n == 1).subquery()
    previous = select(ranked.c.party_id, ranked.c.total).where(ranked.c.n == 2).subquery()
    query = (
        visible(
            select(Party, latest.c.total, previous.c.total)
            .join(latest, latest.c.party_id == Party.id)
            .join(previous, previous.c.party_id == Party.id)
            .where(latest.c.total < previous.c.total),
            user,
        )
        .order_by((latest.c.total - previous.c.total), Party.name_key)
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]
