"""Audit entries turned into readable history rows for the party card."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.blueprints.clients.labels import (
    EVENT_LABELS,
    FIELD_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
)
from crm.extensions import db
from crm.models import AuditEntry, User
from crm.services import audit

PAGE = 20


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryRow:
    id: int
    at: datetime
    author: str
    title: str
    created: bool
    changes: list[Change]


def _readable(field: str, value: object, user_names: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if field == "owner_id":
        return user_names.get(value, f"#{value}")
    if field == "kind":
        return str(KIND_LABELS.get(value, value))
    if field == "roles":
        return ", ".join(str(ROLE_LABELS.get(r, r)) for r in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _label(entity: str, field: str) -> object:
    """A field's name in words; a contact's name is a person's full name."""
    if entity == "contact" and field == "name":
        return _l("Full name")
    return FIELD_LABELS.get(field, field)


def history_rows(
    party_id: int, *, before_id: int | None = None, entries: list[AuditEntry] | None = None
) -> list[HistoryRow]:
    """A page of the party's history, newest first, with readable values."""
    if entries is None:
        entries = audit.party_history(party_id, before_id=before_id, limit=PAGE)
    owner_ids = {v for e in entries for v in e.changes.get("owner_id", []) if isinstance(v, int)}
    user_names = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(owner_ids))).all())
        if owner_ids
        else {}
    )
    rows = []
    for entry in entries:
        changes = [
            Change(
                str(_label(entry.entity, field)),
                _readable(field, values[0], user_names),
                _readable(field, values[1], user_names),
            )
            for field, values in entry.changes.items()
        ]
        rows.append(
            HistoryRow(
                id=entry.id,
                at=entry.at,
                author=entry.user.name if entry.user else "—",
                title=str(EVENT_LABELS.get((entry.entity, entry.action), entry.action)),
                changes=changes,
                created=entry.action == "create",
            )
        )
    return rows
