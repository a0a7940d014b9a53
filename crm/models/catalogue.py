"""The product and price catalogue: what we sell, at what list price, and the pricing rules."""

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import utcnow
from crm.models.party import Tag

MONEY = Numeric(14, 2)
PERCENT = Numeric(5, 2)
QUANTITY = Numeric(12, 3)


class RevenueType(enum.StrEnum):
    ONE_OFF = "one_off"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class RuleKind(enum.StrEnum):
    """How a pricing rule sets the price: a percentage off the list price, or a fixed price."""

    PERCENT = "percent"
    PRICE = "price"


class Product(db.Model):
    """A product or service in the catalogue."""

    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_active_name", "active", "name"),
        CheckConstraint("list_price >= 0", name="list_price"),
        CheckConstraint("vat_rate >= 0 AND vat_rate <= 100", name="vat_rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(60), unique=True)
    unit: Mapped[str] = mapped_column(String(30), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(120), default="")
    list_price: Mapped[Decimal] = mapped_column(MONEY)
    vat_rate: Mapped[Decimal] = mapped_column(PERCENT)
    revenue_type: Mapped[str] = mapped_column(String(12), default=RevenueType.ONE_OFF)
    active: Mapped[bool] = mapped_column(default=True)
    # Name and SKU folded for search (crm.services.catalogue.search_text_of), kept by the service.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    tiers: Mapped[list["VolumeTier"]] = relationship(
        cascade="all, delete-orphan", order_by="VolumeTier.min_quantity"
    )

    __mapper_args__ = {"version_id_col": version}


class SegmentPrice(db.Model):
    """A price for the clients with a tag: a percentage off, or a fixed price.

    Without a product the rule covers the whole catalogue (percentages only).
    """

    __tablename__ = "segment_prices"
    __table_args__ = (
        Index("ix_segment_prices_tag_product", "tag_id", "product_id", unique=True),
        Index("ix_segment_prices_product", "product_id"),
        CheckConstraint("value >= 0", name="value"),
        CheckConstraint("kind = 'price' OR value <= 100", name="percent"),
        CheckConstraint("product_id IS NOT NULL OR kind = 'percent'", name="catalogue_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[Decimal] = mapped_column(MONEY)

    tag: Mapped[Tag] = relationship(lazy="joined")
    product: Mapped[Product | None] = relationship()


class VolumeTier(db.Model):
    """From a quantity on, a product costs a price or a percentage less."""

    __tablename__ = "volume_tiers"
    __table_args__ = (
        Index("ix_volume_tiers_product_qty", "product_id", "min_quantity", unique=True),
        CheckConstraint("min_quantity > 0", name="min_quantity"),
        CheckConstraint("value >= 0", name="value"),
        CheckConstraint("kind = 'price' OR value <= 100", name="percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    min_quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[Decimal] = mapped_column(MONEY)
