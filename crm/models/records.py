"""Audit trail, attached documents and company settings."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import utcnow
from crm.models.user import User


class AuditEntry(db.Model):
    """Who changed what, when: each field's old and new value."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_party_id", "party_id", "id"),
        # One kind of entry (exports, ladder changes, a product's edits) without a full scan.
        Index("ix_audit_entity", "entity", "entity_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(24))
    # {"field": [old, new]} for updates; the party's version after the change.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int | None]

    user: Mapped[User | None] = relationship(lazy="joined")


class Document(db.Model):
    """A file a party handed over; stored outside the static folder."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_party", "party_id", "deleted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    uploaded_by: Mapped[User] = relationship(lazy="joined")


class Setting(db.Model):
    """A company-wide setting, changed by an admin."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class CompanyImage(db.Model):
    """The company's logo or signature/stamp image, printed on offers."""

    __tablename__ = "company_images"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    mime_type: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
