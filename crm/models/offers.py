"""Commercial proposals (offers), their lines and history, and the sales they turn into."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import utcnow
from crm.models.catalogue import MONEY, PERCENT, QUANTITY, Product, RevenueType
from crm.models.ladder import Stage
from crm.models.party import Contact, Party
from crm.models.user import User


class OfferStatus(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    # A later revision replaced it.
    SUPERSEDED = "superseded"
    # Called off before it was sent; it keeps its number (no gaps), a revision brings it back.
    CANCELLED = "cancelled"


OPEN_STATUSES = (OfferStatus.DRAFT, OfferStatus.AWAITING_APPROVAL, OfferStatus.SENT)


class PriceSource(enum.StrEnum):
    """Which rule set a line's unit price."""

    LIST = "list"
    SEGMENT = "segment"
    TIER = "tier"
    MANUAL = "manual"


class OfferCounter(db.Model):
    """The last offer number handed out in a year."""

    __tablename__ = "offer_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Offer(db.Model):
    """A commercial proposal to a party; revisions share the number."""

    __tablename__ = "offers"
    __table_args__ = (
        UniqueConstraint("number", "revision", name="uq_offers_number_revision"),
        Index("ix_offers_status_id", "status", "id"),
        Index("ix_offers_owner_id", "owner_id", "id"),
        Index("ix_offers_party_id", "party_id", "id"),
        Index("ix_offers_status_valid", "status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=OfferStatus.DRAFT)
    currency: Mapped[str] = mapped_column(String(3))
    # Units of the base currency for one unit of the offer's currency, fixed on the offer.
    exchange_rate: Mapped[Decimal] = mapped_column(Numeric(14, 6), default=Decimal(1))
    language: Mapped[str] = mapped_column(String(8))
    offer_date: Mapped[date]
    valid_until: Mapped[date]
    intro: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text, default="")
    prices_include_vat: Mapped[bool] = mapped_column(default=False)
    # Totals, recalculated by the pricing service after every change of the lines.
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    discount_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    net_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    vat_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    one_off_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    monthly_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    yearly_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    max_discount: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    # An admin allowed discounts up to this percentage (cleared when the lines change).
    approved_discount: Mapped[Decimal | None] = mapped_column(PERCENT)
    sent_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    party: Mapped[Party] = relationship(lazy="joined")
    contact: Mapped[Contact | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    previous: Mapped["Offer | None"] = relationship(remote_side=[id])
    lines: Mapped[list["OfferLine"]] = relationship(
        cascade="all, delete-orphan", order_by="OfferLine.position", back_populates="offer"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_number(self) -> str:
        return self.number if self.revision == 1 else f"{self.number}-v{self.revision}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class OfferLine(db.Model):
    """One line of an offer: a catalogue item or free text, priced and totalled."""

    __tablename__ = "offer_lines"
    __table_args__ = (
        Index("ix_offer_lines_offer_position", "offer_id", "position"),
        Index("ix_offer_lines_product", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    position: Mapped[int]
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    sku: Mapped[str] = mapped_column(String(60), default="")
    unit: Mapped[str] = mapped_column(String(30), default="")
    revenue_type: Mapped[str] = mapped_column(String(12), default=RevenueType.ONE_OFF)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    list_price: Mapped[Decimal | None] = mapped_column(MONEY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    price_source: Mapped[str] = mapped_column(String(12), default=PriceSource.MANUAL)
    # What the rule was: the tag of a segment price, the quantity of a tier.
    price_note: Mapped[str] = mapped_column(String(120), default="")
    discount_percent: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    vat_rate: Mapped[Decimal] = mapped_column(PERCENT)
    # Quantity × unit price, before the discount.
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    discount_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    net_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    vat_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    total_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))

    offer: Mapped[Offer] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()


class OfferEvent(db.Model):
    """Something that happened to an offer: sent, approval asked, approved, rejected …"""

    __tablename__ = "offer_events"
    __table_args__ = (Index("ix_offer_events_offer", "offer_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship(lazy="joined")


class OfferPdf(db.Model):
    """The PDF exactly as the client received it, frozen when the offer was sent."""

    __tablename__ = "offer_pdfs"

    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sale(db.Model):
    """Revenue from a party: an accepted offer, in the base currency at the offer's rate."""

    __tablename__ = "sales"
    __table_args__ = (
        Index("ix_sales_party_date", "party_id", "sale_date"),
        Index("ix_sales_date_party", "sale_date", "party_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"), unique=True)
    sale_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    one_off_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    monthly_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    yearly_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offer: Mapped[Offer | None] = relationship()


class SuggestionStatus(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class StageSuggestion(db.Model):
    """A sale suggests moving the party up the ladder; a person accepts or dismisses it."""

    __tablename__ = "stage_suggestions"
    __table_args__ = (
        Index("ix_stage_suggestions_party_status", "party_id", "status"),
        Index("ix_stage_suggestions_status_party", "status", "party_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id", ondelete="SET NULL"))
    # "first_sale" or "repeat_sale".
    reason: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=SuggestionStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    stage: Mapped[Stage] = relationship(lazy="joined")
