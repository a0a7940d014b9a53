"""The product catalogue: products, their list prices, the catalogue list and the picker.

Everyone reads the catalogue; only admins change it. Every change is audited. Segment prices
and volume tiers live in `price_rules`.
"""

import base64
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, not_, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.models import (
    AuditEntry,
    Product,
    RevenueType,
    User,
)
from crm.services import audit
from crm.services.errors import (
    EditConflictError,
    FieldError,
    NotFoundError,
    PermissionDeniedError,
)
from crm.services.text import fold, like_escape

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


def search_text_of(name: str, sku: str | None) -> str:
    """What the name/SKU search looks in: both folded (case, ё/е, ї/і, ґ/г, apostrophes)."""
    return f"{fold(name)} | {fold(sku or '')}"


def _search_matches(term: str) -> ColumnElement[bool]:
    """The term, folded the same way, anywhere in the product's name or SKU."""
    return Product.search_text.like(f"%{like_escape(fold(term))}%", escape="\\")


def _term_matches(term: str, *columns: ColumnElement) -> ColumnElement[bool]:
    """The term in any of the columns (the category), ignoring case.

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
        q = filters.q[:200]
        where.append(or_(_search_matches(q), _term_matches(q, Product.category)))
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
        query = query.where(_search_matches(term[:200]))
    limit = max(1, min(limit, PICKER_MAX))
    return list(db.session.scalars(query.order_by(Product.name, Product.id).limit(limit)))


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


def check_amount(name: str, value: object, places: int, maximum: Decimal) -> Decimal:
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


def check_percent(name: str, value: object) -> Decimal:
    amount = check_amount(name, value, 2, MAX_MONEY)
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
    values["list_price"] = check_amount("list_price", data.list_price, 2, MAX_MONEY)
    values["vat_rate"] = check_percent("vat_rate", data.vat_rate)
    if data.revenue_type not in set(RevenueType):
        raise FieldError("revenue_type", _l("Pick one of the revenue types."))
    values["revenue_type"] = RevenueType(data.revenue_type).value
    values["search_text"] = search_text_of(values["name"], values["sku"])
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
