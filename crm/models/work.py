"""The daily work: interactions with parties, and tasks."""

import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import utcnow
from crm.models.party import Contact, Party
from crm.models.user import User


class InteractionType(enum.StrEnum):
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    LETTER = "letter"
    VISIT = "visit"
    NOTE = "note"


# A note is not a contact with the client.
MEANINGFUL = frozenset(t for t in InteractionType if t != InteractionType.NOTE)


class Interaction(db.Model):
    """Who talked to whom, how, what was said and agreed."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_party_at", "party_id", "occurred_at", "id"),
        Index("ix_interactions_author_at", "author_id", "occurred_at"),
        # The team's contacts of the last 30 days, counted from the index alone.
        Index("ix_interactions_at_type_author", "occurred_at", "type", "author_id"),
        CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[int | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="joined")
    contact: Mapped[Contact | None] = relationship(lazy="joined")
    party: Mapped[Party] = relationship()

    @property
    def meaningful(self) -> bool:
        return self.type in MEANINGFUL


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Priority(enum.IntEnum):
    LOW = 1
    NORMAL = 2
    HIGH = 3


class Task(db.Model):
    """Something someone must do by a date, maybe for a party, maybe again and again."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_assignee_open_due", "assignee_id", "status", "due_date", "id"),
        Index("ix_tasks_party_status", "party_id", "status", "due_date", "id"),
        # assignee_id last: open and overdue tasks per person are counted from the index alone.
        Index("ix_tasks_status_due", "status", "due_date", "id", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[date]
    due_time: Mapped[time | None]
    priority: Mapped[int] = mapped_column(default=Priority.NORMAL)
    status: Mapped[str] = mapped_column(String(12), default=TaskStatus.OPEN)
    # Repeat every N days/weeks/months: completing it creates the next one. The series is
    # counted from its first date (turn 0), so that a monthly task from the 31st comes back
    # on the last day of shorter months and on the 31st again after them.
    repeat_every: Mapped[int | None]
    repeat_unit: Mapped[str | None] = mapped_column(String(8))
    repeat_start: Mapped[date | None]
    repeat_turn: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id], lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    party: Mapped[Party | None] = relationship(lazy="joined")
    contact: Mapped[Contact | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
