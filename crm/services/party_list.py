"""The party list: search, filters, sort and keyset pagination with a capped count."""

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, tuple_

from crm.extensions import db
from crm.models import Party, PartyRole, User, party_tags
from crm.services.access import visible
from crm.services.cadence import needs_contact_condition
from crm.services.ladder import stages
from crm.services.search_index import candidates
from crm.services.text import like_escape, search_pattern

COUNT_CAP = 1000
# sort name -> (column, descending?)
SORTS = {
    "name": (Party.name_key, False),
    "-name": (Party.name_key, True),
    "-created": (Party.created_at, True),
    "created": (Party.created_at, False),
}


@dataclass
class PartyFilter:
    """What the user asked the list for; every field comes from the query string."""

    q: str = ""
    role: str = ""
    owner_id: int | None = None
    tag_id: int | None = None
    sort: str = "name"
    after: str = ""
    before: str = ""
    needs_contact: bool = False


@dataclass
class PartyPage:
    parties: list[Party]
    count: int
    count_capped: bool
    next_cursor: str | None = None
    prev_cursor: str | None = None
    filters: PartyFilter = field(default_factory=PartyFilter)


def encode_cursor(key: object, party_id: int) -> str:
    if isinstance(key, datetime):
        key = key.isoformat()
    raw = json.dumps([key, party_id], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, column: ColumnElement) -> tuple | None:
    """(key, id) from a cursor, or None if it was tampered with."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key, party_id = json.loads(raw)
        if column is Party.created_at:
            key = datetime.fromisoformat(key)
        return (key, int(party_id)) if isinstance(key, str | datetime) else None
    except (ValueError, TypeError):
        return None


def conditions(filters: PartyFilter) -> list:
    """The WHERE clauses for the filters (live parties only)."""
    where = [Party.deleted_at.is_(None)]
    if filters.q.strip():
        term = search_pattern(filters.q)
        where.append(Party.search_text.like(f"%{like_escape(term)}%", escape="\\"))
        narrowed = candidates(term)
        if narrowed is not None:
            where.append(narrowed)
    if filters.role:
        with_role = select(PartyRole.party_id).where(PartyRole.role == filters.role)
        where.append(Party.id.in_(with_role))
    if filters.owner_id:
        where.append(Party.owner_id == filters.owner_id)
    if filters.tag_id:
        tagged = select(party_tags.c.party_id).where(party_tags.c.tag_id == filters.tag_id)
        where.append(Party.id.in_(tagged))
    if filters.needs_contact:
        where.append(needs_contact_condition(stages()))
    return where


def list_parties(user: User, filters: PartyFilter, page_size: int = 25) -> PartyPage:
    """One page of the parties the user may see, matching the filters."""
    column, descending = SORTS.get(filters.sort, SORTS["name"])
    base = visible(select(Party), user).where(*conditions(filters))
    backwards = bool(filters.before) and not filters.after
    cursor = decode_cursor(filters.before if backwards else filters.after, column)
    # Walking backwards is walking forwards in the opposite order.
    forward_desc = descending != backwards
    query = base
    if cursor:
        position = tuple_(column, Party.id)
        query = query.where(position < cursor if forward_desc else position > cursor)
    order = (column.desc(), Party.id.desc()) if forward_desc else (column.asc(), Party.id.asc())
    rows = list(db.session.scalars(query.order_by(*order).limit(page_size + 1)))
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()

    if not cursor and not more:
        count = len(rows)  # the whole result is on this page: no need to count again
    else:
        count_query = select(func.count()).select_from(
            base.with_only_columns(Party.id).limit(COUNT_CAP + 1).subquery()
        )
        count = db.session.scalar(count_query) or 0

    def cursor_of(party: Party) -> str:
        return encode_cursor(getattr(party, column.key), party.id)

    page = PartyPage(rows, min(count, COUNT_CAP), count > COUNT_CAP, filters=filters)
    if rows:
        has_next = more if not backwards else True
        has_prev = more if backwards else bool(cursor)
        page.next_cursor = cursor_of(rows[-1]) if has_next else None
        page.prev_cursor = cursor_of(rows[0]) if has_prev else None
    return page
