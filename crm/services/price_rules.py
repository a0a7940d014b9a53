"""Pricing rules of the catalogue: segment prices (per client tag) and volume tiers.

Everyone reads them; only admins change them. Every change is audited.
"""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from crm.extensions import db
from crm.models import Product, RuleKind, SegmentPrice, Tag, User, VolumeTier
from crm.services import audit
from crm.services.catalogue import (
    MAX_MONEY,
    MAX_QUANTITY,
    check_amount,
    check_percent,
    get_product,
    require_admin,
)
from crm.services.errors import FieldError, NotFoundError


def _rules_query():  # noqa: ANN202
    return (
        select(SegmentPrice)
        .join(SegmentPrice.tag)
        .outerjoin(SegmentPrice.product)
        .options(contains_eager(SegmentPrice.tag), contains_eager(SegmentPrice.product))
    )


def segment_prices(product: Product | None = None, limit: int = 1000) -> list[SegmentPrice]:
    """Segment rules: catalogue-wide ones first, then per product; for a product, the ones
    that apply to it (its own and the catalogue-wide ones)."""
    query = _rules_query()
    if product is not None:
        query = query.where(
            or_(SegmentPrice.product_id == product.id, SegmentPrice.product_id.is_(None))
        )
    order = (SegmentPrice.product_id.is_not(None), Product.name, Tag.name, SegmentPrice.id)
    return list(db.session.scalars(query.order_by(*order).limit(limit)))


def tags() -> list[Tag]:
    """The existing tags, for the rule form's picker."""
    return list(db.session.scalars(select(Tag).order_by(Tag.name).limit(500)))


def _rule_value(kind: str, value: object) -> tuple[str, Decimal]:
    if kind not in set(RuleKind):
        raise FieldError("kind", _l("Pick a percentage off or a fixed price."))
    if kind == RuleKind.PERCENT:
        return RuleKind.PERCENT.value, check_percent("value", value)
    return RuleKind.PRICE.value, check_amount("value", value, 2, MAX_MONEY)


def add_segment_price(
    actor: User, *, tag_id: int, product_id: int | None, kind: str, value: object
) -> SegmentPrice:
    """A price for the clients with a tag: for one product, or a percentage off everything."""
    require_admin(actor)
    tag = db.session.get(Tag, tag_id) if tag_id else None
    if tag is None:
        raise FieldError("tag_id", _l("Pick a tag."))
    product = get_product(product_id) if product_id else None
    kind, amount = _rule_value(kind, value)
    if product is None and kind != RuleKind.PERCENT:
        raise FieldError("kind", _l("A rule for the whole catalogue can only be a percentage off."))
    same = select(SegmentPrice.id).where(
        SegmentPrice.tag_id == tag.id,
        SegmentPrice.product_id == product.id if product else SegmentPrice.product_id.is_(None),
    )
    if db.session.scalar(same.limit(1)) is not None:
        if product is None:
            message = _l("“%(tag)s” already has a catalogue-wide rule.", tag=tag.name)
        else:
            message = _l("“%(tag)s” already has a rule for this product.", tag=tag.name)
        raise FieldError("tag_id", message)
    rule = SegmentPrice(tag=tag, product=product, kind=kind, value=amount)
    db.session.add(rule)
    db.session.flush()
    audit.record(
        actor, "segment_price", rule.id, "create", changes=audit.diff({}, _rule_state(rule))
    )
    return rule


def _rule_state(rule: SegmentPrice) -> dict:
    product = rule.product
    return {
        "tag": rule.tag.name,
        "product_id": rule.product_id,
        "product": product.name if product else None,
        "kind": rule.kind,
        "value": str(rule.value),
    }


def remove_segment_price(
    actor: User, rule_id: int, *, product_id: int | None = None
) -> SegmentPrice:
    """Delete a segment rule (the audit entry keeps what it was); with a product, only
    one of that product's own rules."""
    require_admin(actor)
    rule = db.session.get(SegmentPrice, rule_id)
    if rule is None or (product_id is not None and rule.product_id != product_id):
        raise NotFoundError(_l("No such price rule."))
    changes = {k: [v, None] for k, v in _rule_state(rule).items() if v is not None}
    audit.record(actor, "segment_price", rule.id, "delete", changes=changes)
    db.session.delete(rule)
    db.session.flush()
    return rule


def add_volume_tier(
    actor: User, product: Product, *, min_quantity: object, kind: str, value: object
) -> VolumeTier:
    """From a quantity on, the product costs a percentage less or a fixed price."""
    require_admin(actor)
    quantity = check_amount("min_quantity", min_quantity, 3, MAX_QUANTITY)
    if quantity <= 0:
        raise FieldError("min_quantity", _l("The quantity must be more than 0."))
    kind, amount = _rule_value(kind, value)
    if any(tier.min_quantity == quantity for tier in product.tiers):
        raise FieldError("min_quantity", _l("This product already has a tier from that quantity."))
    tier = VolumeTier(min_quantity=quantity, kind=kind, value=amount)
    product.tiers.append(tier)
    db.session.flush()
    changes = {"product_id": [None, product.id], "min_quantity": [None, str(quantity)]}
    changes.update(kind=[None, kind], value=[None, str(amount)])
    audit.record(actor, "volume_tier", tier.id, "create", changes=changes)
    return tier


def remove_volume_tier(actor: User, product: Product, tier_id: int) -> None:
    """Delete one of the product's tiers."""
    require_admin(actor)
    tier = next((t for t in product.tiers if t.id == tier_id), None)
    if tier is None:
        raise NotFoundError(_l("No such volume tier."))
    changes = {
        "product_id": [product.id, None],
        "min_quantity": [str(tier.min_quantity), None],
        "kind": [tier.kind, None],
        "value": [str(tier.value), None],
    }
    audit.record(actor, "volume_tier", tier.id, "delete", changes=changes)
    product.tiers.remove(tier)
    db.session.flush()
