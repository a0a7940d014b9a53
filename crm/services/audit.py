"""The audit trail: who changed what and when, with old and new values."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, User


def _plain(value: object) -> object:
    """A JSON-safe form of a field value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: object, fields: Iterable[str]) -> dict:
    """The current values of the named fields."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for each field whose value changed (empty and missing are alike)."""
    empty = (None, "", [])
    return {
        k: [before.get(k), v]
        for k, v in after.items()
        if before.get(k) != v and not (before.get(k) in empty and v in empty)
    }


def record(
    actor: User | None,
    entity: str,
    entity_id: int,
    action: str,
    *,
    party_id: int | None = None,
    changes: dict | None = None,
    version: int | None = None,
) -> AuditEntry:
    """Add one audit entry to the session."""
    entry = AuditEntry(
        user_id=actor.id if actor else None,
        entity=entity,
        entity_id=entity_id,
        action=action,
        party_id=party_id,
        changes=changes or {},
        version=version,
    )
    db.session.add(entry)
    return entry


def party_history(party_id: int, *, before_id: int | None = None, limit: int = 20) -> list:
    """A party's audit entries, newest first, a page at a time (keyset on id)."""
    query = select(AuditEntry).where(AuditEntry.party_id == party_id)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    query = query.order_by(AuditEntry.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def party_changes_since(party_id: int, version: int) -> list[AuditEntry]:
    """The party's own field changes saved after the given version, oldest first."""
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.party_id == party_id,
            AuditEntry.entity == "party",
            AuditEntry.version > version,
        )
        .order_by(AuditEntry.id)
    )
    return list(db.session.scalars(query))
