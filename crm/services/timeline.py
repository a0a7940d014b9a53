"""One timeline per party: interactions, stage moves, tasks and field changes, newest first.

Each source is read with its own indexed query (at most `limit + 1` rows before the
cursor), then the pieces are merged; "show more" continues from the last item's cursor.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import lazyload

from crm.extensions import db
from crm.models import AuditEntry, Interaction, Party, StageMove, Task, TaskStatus

KINDS = ("interaction", "stage", "task", "change")


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # interaction, stage, task_created, task_done, change
    id: int
    item: Any

    @property
    def cursor(self) -> str:
        return f"{self.at.isoformat()}|{self.kind}|{self.id}"

    def sort_key(self) -> tuple:
        return (self.at, self.kind, self.id)


def parse_cursor(cursor: str | None) -> tuple | None:
    """(at, kind, id) from a cursor, or None when absent or tampered with."""
    if not cursor:
        return None
    try:
        at, kind, ident = cursor.split("|")
        return (datetime.fromisoformat(at), kind, int(ident))
    except ValueError:
        return None


def _before(column, id_column, kind: str, cursor: tuple | None):  # noqa: ANN001, ANN202
    """Rows of one source that sort strictly after the cursor (newest first)."""
    if cursor is None:
        return column.is_not(None)
    at, cursor_kind, cursor_id = cursor
    if kind < cursor_kind:
        return column <= at
    if kind > cursor_kind:
        return column < at
    return or_(column < at, and_(column == at, id_column < cursor_id))


def party_timeline(
    party: Party,
    *,
    kinds: frozenset[str] | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[list[Event], str | None]:
    """A page of the party's timeline and the cursor of the next page (None at the end)."""
    kinds = kinds or frozenset(KINDS)
    after = parse_cursor(cursor)
    events: list[Event] = []
    if "interaction" in kinds:
        rows = db.session.scalars(
            select(Interaction)
            .where(
                Interaction.party_id == party.id,
                _before(Interaction.occurred_at, Interaction.id, "interaction", after),
            )
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(limit + 1)
        )
        events += [Event(r.occurred_at, "interaction", r.id, r) for r in rows]
    if "stage" in kinds:
        rows = db.session.scalars(
            select(StageMove)
            .where(
                StageMove.party_id == party.id, _before(StageMove.at, StageMove.id, "stage", after)
            )
            .order_by(StageMove.at.desc(), StageMove.id.desc())
            .limit(limit + 1)
        )
        events += [Event(r.at, "stage", r.id, r) for r in rows]
    if "task" in kinds:
        created = db.session.scalars(
            select(Task)
            .options(lazyload(Task.party))  # the party is this one: don't load it again
            .where(
                Task.party_id == party.id, _before(Task.created_at, Task.id, "task_created", after)
            )
            .order_by(Task.created_at.desc(), Task.id.desc())
            .limit(limit + 1)
        )
        events += [Event(t.created_at, "task_created", t.id, t) for t in created]
        done = db.session.scalars(
            select(Task)
            .options(lazyload(Task.party))
            .where(
                Task.party_id == party.id,
                Task.status == TaskStatus.DONE,
                _before(Task.completed_at, Task.id, "task_done", after),
            )
            .order_by(Task.completed_at.desc(), Task.id.desc())
            .limit(limit + 1)
        )
        events += [Event(t.completed_at, "task_done", t.id, t) for t in done]
    if "change" in kinds:
        rows = db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.party_id == party.id,
                _before(AuditEntry.at, AuditEntry.id, "change", after),
            )
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit + 1)
        )
        events += [Event(r.at, "change", r.id, r) for r in rows]
    events.sort(key=Event.sort_key, reverse=True)
    page = events[:limit]
    next_cursor = page[-1].cursor if len(events) > limit else None
    return page, next_cursor
