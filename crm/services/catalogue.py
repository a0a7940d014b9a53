"""The product and price catalogue: products, segment prices and volume tiers.

Everyone reads the catalogue; only admins change it. Every change is audited.
"""

import base64
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, not_, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.models import (
    AuditEntry,
    Product,
    RevenueType,
    RuleKind,
    SegmentPrice,
    Tag,
    User,
    VolumeTier,
)
from crm.services import audit
from crm.services.errors import (
    EditConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
)
from crm.services.text import like_escape

STATUSES = ("active", "inactive", "all")
COUNT_CAP = 1000
PICKER_MAX = 100
MAX_MONEY = Decimal("1000000000000")  # Numeric(14, 2)
MAX_QUANTITY = Decimal("1000000000")  # Numeric(12, 3)
PRODUCT_FIELDS = (
    "name",
    "sku",
    "unit",
    "category",
    "description",
    "list_price",
    "vat_rate",
    "revenue_type",
)
LIMITS = {"name": 200, "sku": 60, "unit": 30, "category": 120, "description": 4000}


@dataclass
class ProductData:
    """A product's editable values, as a form or the demo gives them."""

    name: str
    list_price: Decimal | None
    sku: str | None = None
    unit: str = ""
    category: str = ""
    description: str = ""
    vat_rate: Decimal | None = Decimal(20)
    revenue_type: str = RevenueType.ONE_OFF


@dataclass
class ProductFilter:
    """What the user asked /products for; every field comes from the query string."""

    q: str = ""
    category: str = ""
    status: str = "active"
    after: str = ""
    before: str = ""


@dataclass
class ProductPage:
    products: list[Product]
    count: int
    count_capped: bool
    next_cursor: str | None = None
    prev_cursor: str | None = None
    filters: ProductFilter = field(default_factory=ProductFilter)


def require_admin(user: User) -> None:
    """Only admins change the catalogue; managers and viewers read it."""
    if not user.is_admin:
        raise PermissionDeniedError(_l("Only an admin can change the catalogue."))


# --- reading -----------------------------------------------------------------------------------


def _term_matches(term: str, *columns: ColumnElement) -> ColumnElement[bool]:
    """The term in any of the columns, ignoring case.

    ILIKE ignores case on PostgreSQL; SQLite's lower() knows only ASCII, so the usual
    spellings of a Cyrillic term (as typed, lower, upper, capitalised) are tried too.
    """
    term = term.strip()
    variants = dict.fromkeys(
        [term, term.lower(), term.upper(), term.capitalize(), term[:1].upper() + term[1:]]
    )
    patterns = [f"%{like_escape(v)}%" for v in variants]
    return or_(*(c.ilike(p, escape="\\") for c in columns for p in patterns))


def _conditions(filters: ProductFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.status == "active":
        where.append(Product.active)  # a plain comparison, so that the index serves it
    elif filters.status == "inactive":
        where.append(not_(Product.active))
    if filters.q.strip():
        where.append(_term_matches(filters.q, Product.name, Product.sku, Product.category))
    if filters.category:
        where.append(Product.category == filters.category)
    return where


def encode_cursor(product: Product) -> str:
    raw = json.dumps([product.name, product.id], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int] | None:
    """(name, id) from a cursor, or None if it is absent or was tampered with."""
    try:
        name, ident = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return (name, int(ident)) if isinstance(name, str) else None
    except (ValueError, TypeError):
        return None


def list_products(filters: ProductFilter, page_size: int = 25) -> ProductPage:
    """One keyset page of the products matching the filters, by name, with a capped count."""
    base = select(Product).where(*_conditions(filters))
    backwards = bool(filters.before) and not filters.after
    cursor = decode_cursor(filters.before if backwards else filters.after)
    query = base
    if cursor:
        position = tuple_(Product.name, Product.id)
        query = query.where(position < cursor if backwards else position > cursor)
    order = (Product.name.desc(), Product.id.desc()) if backwards else (Product.name, Product.id)
    rows = list(db.session.scalars(query.order_by(*order).limit(page_size + 1)))
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    if not cursor and not more:
        count = len(rows)  # the whole result is on this page
    else:
        capped = base.with_only_columns(Product.id).limit(COUNT_CAP + 1).subquery()
        count = db.session.scalar(select(func.count()).select_from(capped)) or 0
    page = ProductPage(rows, min(count, COUNT_CAP), count > COUNT_CAP, filters=filters)
    if rows:
        page.next_cursor = encode_cursor(rows[-1]) if (more or backwards) else None
        page.prev_cursor = encode_cursor(rows[0]) if (more if backwards else cursor) else None
    return page


def categories() -> list[str]:
    """The categories in use, for the filter and the form's suggestions."""
    query = (
        select(Product.category).distinct().where(Product.category != "").order_by(Product.category)
    )
    return list(db.session.scalars(query.limit(500)))


def get_product(product_id: int) -> Product:
    """The product with its volume tiers; NotFoundError if there is none."""
    query = select(Product).where(Product.id == product_id).options(selectinload(Product.tiers))
    product = db.session.scalar(query)
    if product is None:
        raise NotFoundError(_l("No such product."))
    return product


def find_by_sku(sku: str) -> Product | None:
    """The product with this SKU (ignoring case), if there is one."""
    sku = sku.strip()
    if not sku:
        return None
    return db.session.scalar(select(Product).where(func.lower(Product.sku) == func.lower(sku)))


def active_products_for_picker(term: str, limit: int = 20) -> list[Product]:
    """Active products whose name or SKU matches the term, by name (all of them for no term).

    For the offer editor: inactive products are never offered.
    """
    query = select(Product).where(Product.active)
    if term.strip():
        query = query.where(_term_matches(term[:200], Product.name, Product.sku))
    limit = max(1, min(limit, PICKER_MAX))
    return list(db.session.scalars(query.order_by(Product.name, Product.id).limit(limit)))


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


def changes_since(product_id: int, version: int) -> list[AuditEntry]:
    """The product's own changes saved after the given version, oldest first."""
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.entity == "product",
            AuditEntry.entity_id == product_id,
            AuditEntry.version > version,
        )
        .order_by(AuditEntry.id)
    )
    return list(db.session.scalars(query))


# --- validation --------------------------------------------------------------------------------


def _amount(name: str, value: object, places: int, maximum: Decimal) -> Decimal:
    """A non-negative Decimal with at most `places` decimals, below the column's maximum."""
    if value is None or value == "":
        raise FieldError(name, _l("Enter an amount."))
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise FieldError(name, _l("Enter a number, for example 1250.50.")) from None
    if not amount.is_finite():
        raise FieldError(name, _l("Enter a number, for example 1250.50."))
    if amount < 0:
        raise FieldError(name, _l("It cannot be negative."))
    if amount >= maximum:
        raise FieldError(name, _l("That is too large."))
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise FieldError(name, _l("At most %(places)s decimal places.", places=places))
    return amount.quantize(Decimal(1).scaleb(-places))


def _percent(name: str, value: object) -> Decimal:
    amount = _amount(name, value, 2, MAX_MONEY)
    if amount > 100:
        raise FieldError(name, _l("A percentage is at most 100."))
    return amount


def _clean(data: ProductData, product_id: int | None) -> dict:
    """The values to store, or FieldError for the first one that is wrong."""
    values = {
        "name": (data.name or "").strip(),
        "sku": (data.sku or "").strip() or None,
        "unit": (data.unit or "").strip(),
        "category": (data.category or "").strip(),
        "description": (data.description or "").strip(),
    }
    if not values["name"]:
        raise FieldError("name", _l("Give the product a name."))
    for name, limit in LIMITS.items():
        if len(values[name] or "") > limit:
            raise FieldError(name, _l("At most %(num)s characters.", num=limit))
    values["list_price"] = _amount("list_price", data.list_price, 2, MAX_MONEY)
    values["vat_rate"] = _percent("vat_rate", data.vat_rate)
    if data.revenue_type not in set(RevenueType):
        raise FieldError("revenue_type", _l("Pick one of the revenue types."))
    values["revenue_type"] = RevenueType(data.revenue_type).value
    if values["sku"]:
        query = select(Product.name).where(func.lower(Product.sku) == func.lower(values["sku"]))
        if product_id is not None:
            query = query.where(Product.id != product_id)
        taken_by = db.session.scalar(query.limit(1))
        if taken_by is not None:
            message = _l(
                "The SKU %(sku)s is already used by “%(name)s”.", sku=values["sku"], name=taken_by
            )
            raise FieldError("sku", message)
    return values


def _sku_taken(sku: str | None) -> FieldError:
    """A product saved meanwhile with the same SKU: the same clear message, nothing kept."""
    db.session.rollback()
    return FieldError("sku", _l("The SKU %(sku)s is already used by another product.", sku=sku))


# --- products ----------------------------------------------------------------------------------


def create_product(actor: User, data: ProductData) -> Product:
    """Add a product to the catalogue (active)."""
    require_admin(actor)
    values = _clean(data, None)
    product = Product(active=True, **values)
    db.session.add(product)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise _sku_taken(values["sku"]) from exc
    state = audit.snapshot(product, (*PRODUCT_FIELDS, "active"))
    audit.record(
        actor,
        "product",
        product.id,
        "create",
        changes=audit.diff({}, state),
        version=product.version,
    )
    return product


def update_product(
    actor: User, product: Product, data: ProductData, expected_version: int
) -> Product:
    """Save the changes unless someone saved the product after this user opened it."""
    require_admin(actor)
    if product.version != expected_version:
        raise EditConflictError(changes_since(product.id, expected_version))
    values = _clean(data, product.id)
    before = audit.snapshot(product, PRODUCT_FIELDS)
    for name, value in values.items():
        setattr(product, name, value)
    changes = audit.diff(before, audit.snapshot(product, PRODUCT_FIELDS))
    if not changes:
        return product
    try:
        db.session.flush()  # UPDATE … WHERE version = expected: a racing save fails here
    except StaleDataError as exc:
        db.session.rollback()
        raise EditConflictError([]) from exc
    except IntegrityError as exc:
        raise _sku_taken(values["sku"]) from exc
    audit.record(actor, "product", product.id, "update", changes=changes, version=product.version)
    return product


def set_active(actor: User, product: Product, active: bool) -> Product:
    """Take a product out of the catalogue (it stays on old offers) or put it back."""
    require_admin(actor)
    if product.active == active:
        return product
    product.active = active
    db.session.flush()
    audit.record(
        actor,
        "product",
        product.id,
        "activate" if active else "deactivate",
        changes={"active": [not active, active]},
        version=product.version,
    )
    return product


# --- segment prices and volume tiers -----------------------------------------------------------


def _rule_value(kind: str, value: object) -> tuple[str, Decimal]:
    if kind not in set(RuleKind):
        raise FieldError("kind", _l("Pick a percentage off or a fixed price."))
    if kind == RuleKind.PERCENT:
        return RuleKind.PERCENT.value, _percent("value", value)
    return RuleKind.PRICE.value, _amount("value", value, 2, MAX_MONEY)


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
    quantity = _amount("min_quantity", min_quantity, 3, MAX_QUANTITY)
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
