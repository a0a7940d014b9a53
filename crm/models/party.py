"""Parties (organisations and people), their roles, tags and contacts."""

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import utcnow
from crm.models.ladder import Stage
from crm.models.user import User


class PartyKind(enum.StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


class PartyRoleName(enum.StrEnum):
    CLIENT = "client"
    PARTNER = "partner"
    SUPPLIER = "supplier"
    COMPETITOR = "competitor"


party_tags = Table(
    "party_tags",
    db.metadata,
    Column("party_id", ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_party_tags_tag_party", "tag_id", "party_id"),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)


class PartyRole(db.Model):
    """One role a party holds; a party may hold several at once."""

    __tablename__ = "party_roles"
    __table_args__ = (Index("ix_party_roles_role_party", "role", "party_id"),)

    party_id: Mapped[int] = mapped_column(
        ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class Party(db.Model):
    __tablename__ = "parties"
    __table_args__ = (
        Index("ix_parties_live_name", "deleted_at", "name_key", "id"),
        Index("ix_parties_live_created", "deleted_at", "created_at", "id"),
        Index("ix_parties_owner_name", "owner_id", "name_key", "id"),
        Index("ix_parties_deleted_at", "deleted_at"),
        Index("ix_parties_board", "deleted_at", "stage_id", "last_contact_at", "id"),
        Index("ix_parties_owner_board", "deleted_at", "owner_id", "stage_id", "last_contact_at"),
        Index("ix_parties_owner_contact", "owner_id", "last_contact_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=PartyKind.ORGANISATION)
    name: Mapped[str] = mapped_column(String(200))
    legal_name: Mapped[str] = mapped_column(String(250), default="")
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    industry: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(250), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phones: Mapped[str] = mapped_column(Text, default="")
    emails: Mapped[str] = mapped_column(Text, default="")
    employees: Mapped[int | None]
    product_range: Mapped[str] = mapped_column(Text, default="")
    end_customers: Mapped[str] = mapped_column(Text, default="")
    price_range: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # The language documents (offers) for this party are written in; None: the company's default.
    language: Mapped[str | None] = mapped_column(String(8))
    # None: an unassigned lead, waiting in the pool for an admin to distribute it.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    # The relationship ladder: where the party stands, since when, and when we last talked.
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    stage_since: Mapped[datetime | None]
    last_contact_at: Mapped[datetime | None]
    # Normalised copies for sorting and for search that behaves alike on SQLite and PostgreSQL.
    name_key: Mapped[str] = mapped_column(String(200), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    stage: Mapped["Stage | None"] = relationship(lazy="joined")
    roles: Mapped[list[PartyRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PartyRole.role
    )
    tags: Mapped[list[Tag]] = relationship(secondary=party_tags, lazy="selectin", order_by=Tag.name)
    contacts: Mapped[list["Contact"]] = relationship(
        primaryjoin="and_(Contact.party_id == Party.id, Contact.deleted_at.is_(None))",
        order_by="Contact.name",
        viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def role_names(self) -> list[str]:
        return [r.role for r in self.roles]

    @property
    def phone_list(self) -> list[str]:
        return [p for p in self.phones.splitlines() if p.strip()]

    @property
    def email_list(self) -> list[str]:
        return [e for e in self.emails.splitlines() if e.strip()]

    def __repr__(self) -> str:
        return f"<Party {self.id} {self.name!r}>"


class Contact(db.Model):
    """A person at an organisation."""

    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_party", "party_id", "deleted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(120), default="")
    phones: Mapped[str] = mapped_column(Text, default="")
    emails: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]

    party: Mapped[Party] = relationship()

    @property
    def phone_list(self) -> list[str]:
        return [p for p in self.phones.splitlines() if p.strip()]

    @property
    def email_list(self) -> list[str]:
        return [e for e in self.emails.splitlines() if e.strip()]
