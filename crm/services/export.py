"""Export of the client list to CSV: controlled (who may) and logged (who did, what, when)."""

import csv
import io
import re

from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, Party, Role, User
from crm.services import audit
from crm.services.access import visible
from crm.services.errors import PermissionDeniedError
from crm.services.party_list import PartyFilter, conditions
from crm.services.settings import managers_may_export

BATCH = 1000
COLUMNS = (
    "id",
    "name",
    "kind",
    "roles",
    "legal_name",
    "tax_id",
    "industry",
    "website",
    "phones",
    "emails",
    "address",
    "employees",
    "product_range",
    "end_customers",
    "price_range",
    "tags",
    "owner",
    "created_at",
)
_HARMLESS = re.compile(r"[\d\s()+\-.]*")  # phone numbers: no formula can hide in these


def may_export(user: User) -> bool:
    """Admins may; managers only when the company allows it; viewers never."""
    return user.is_admin or (user.role == Role.MANAGER and managers_may_export())


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _HARMLESS.fullmatch(text):
        return "'" + text
    return text


def _row(party: Party) -> list[str]:
    values = {
        **{name: getattr(party, name) for name in COLUMNS if hasattr(Party, name)},
        "roles": ", ".join(party.role_names),
        "phones": ", ".join(party.phone_list),
        "emails": ", ".join(party.email_list),
        "tags": ", ".join(t.name for t in party.tags),
        "owner": party.owner.name if party.owner else "",
        "created_at": party.created_at.isoformat(timespec="seconds"),
    }
    return [_cell(values[name]) for name in COLUMNS]


def export_csv(user: User, filters: PartyFilter) -> str:
    """Every party the user may see that matches the filters, as UTF-8 CSV; the export is logged."""
    if not may_export(user):
        raise PermissionDeniedError("Export not allowed.")
    out = io.StringIO()
    out.write("\ufeff")  # a BOM, so that spreadsheet programs read Cyrillic as UTF-8
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    base = visible(select(Party), user).where(*conditions(filters)).order_by(Party.id)
    last_id, rows = 0, 0
    while True:
        batch = db.session.scalars(base.where(Party.id > last_id).limit(BATCH)).all()
        if not batch:
            break
        writer.writerows(_row(p) for p in batch)
        rows += len(batch)
        last_id = batch[-1].id
        for party in batch:
            db.session.expunge(party)  # keep memory flat on a large base
    audit.record(
        user,
        "export",
        0,
        "export",
        changes={"filters": _describe(filters), "rows": rows},
    )
    return out.getvalue()


def _describe(filters: PartyFilter) -> dict:
    fields = {
        "q": filters.q,
        "role": filters.role,
        "owner_id": filters.owner_id,
        "tag_id": filters.tag_id,
        "needs_contact": filters.needs_contact,
    }
    return {k: v for k, v in fields.items() if v}


def recent_exports(limit: int = 20) -> list[AuditEntry]:
    """The latest exports, for the admins to see who took what."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.entity == "export")
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
