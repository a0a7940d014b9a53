"""The lines of a draft offer: add, change, remove, reorder — and the totals after each change."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    Offer,
    OfferLine,
    PriceSource,
    Product,
    RevenueType,
    RuleKind,
    SegmentPrice,
    User,
)
from crm.models.base import utcnow
from crm.services.errors import DomainError, FieldError, NotFoundError
from crm.services.offers import flush_or_conflict, require_editable
from crm.services.pricing import (
    HUNDRED,
    PricedLine,
    Rule,
    Tier,
    line_amounts,
    money,
    offer_totals,
    unit_price,
)

MAX_LINES = 200
# A proposal stays a readable document (and renders in seconds): long descriptions are cut.
MAX_DESCRIPTION = 1000
# What Numeric(14, 2) holds, with room: a larger line or total is refused, not stored wrong.
MAX_AMOUNT = Decimal("1000000000000")
MAX_QUANTITY = Decimal("1000000000")
MAX_PRICE = Decimal("1000000000000")


def add_product_line(
    actor: User, offer: Offer, product_id: int, quantity: Decimal, expected_version: int
) -> OfferLine:
    """A catalogue item at the price its rules give this client."""
    require_editable(actor, offer, expected_version)
    product = db.session.get(Product, product_id)
    if product is None:
        raise FieldError("product_id", _l("No such product."))
    if not product.active:
        raise FieldError("product_id", _l("This product is no longer sold."))
    line = OfferLine(
        product_id=product.id,
        name=product.name,
        description=product.description[:MAX_DESCRIPTION],
        sku=product.sku or "",
        unit=product.unit,
        revenue_type=product.revenue_type,
        quantity=check_quantity(quantity),
        list_price=money(product.list_price / (offer.exchange_rate or Decimal(1))),
        unit_price=money(product.list_price / (offer.exchange_rate or Decimal(1))),
        price_source=PriceSource.LIST,
        vat_rate=product.vat_rate,
    )
    return _append(offer, line)


def add_free_line(
    actor: User,
    offer: Offer,
    *,
    name: str,
    unit: str,
    quantity: Decimal,
    price: Decimal,
    vat_rate: Decimal,
    revenue_type: str,
    expected_version: int,
) -> OfferLine:
    """A line that is not in the catalogue: the user's own name and price."""
    require_editable(actor, offer, expected_version)
    name = name.strip()
    if not name:
        raise FieldError("name", _l("Name the line."))
    if revenue_type not in RevenueType.__members__.values():
        raise FieldError("revenue_type", _l("Choose one of the listed revenue types."))
    line = OfferLine(
        name=name[:200],
        unit=unit.strip()[:30],
        revenue_type=revenue_type,
        quantity=check_quantity(quantity),
        unit_price=check_price(price),
        price_source=PriceSource.MANUAL,
        vat_rate=check_percent("vat_rate", vat_rate),
    )
    return _append(offer, line)


def change_line(
    actor: User,
    offer: Offer,
    line_id: int,
    expected_version: int,
    *,
    quantity: Decimal | None = None,
    price: Decimal | None = None,
    discount_percent: Decimal | None = None,
) -> OfferLine:
    """New quantity, price or discount; a typed-in price overrides the catalogue's rules."""
    require_editable(actor, offer, expected_version)
    line = _line(offer, line_id)
    if quantity is not None:
        line.quantity = check_quantity(quantity)
    if price is not None and money(check_price(price)) != line.unit_price:
        line.unit_price = money(price)
        line.price_source = PriceSource.MANUAL
        line.price_note = ""
    if discount_percent is not None:
        line.discount_percent = check_percent("discount_percent", discount_percent)
    recalculate(offer)
    return line


def remove_line(actor: User, offer: Offer, line_id: int, expected_version: int) -> None:
    require_editable(actor, offer, expected_version)
    offer.lines.remove(_line(offer, line_id))
    _renumber(offer)
    recalculate(offer)


def move_line(actor: User, offer: Offer, line_id: int, offset: int, expected_version: int) -> None:
    """Move a line up (−1) or down (+1) by one place."""
    require_editable(actor, offer, expected_version)
    line = _line(offer, line_id)
    index = offer.lines.index(line)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(offer.lines):
        offer.lines.insert(target, offer.lines.pop(index))
        _renumber(offer)
        recalculate(offer, content_changed=False)


def recalculate(offer: Offer, *, content_changed: bool = True) -> None:
    """Reprice the catalogue lines for this client and quantity, then total the offer.

    A change of the content (not a mere reordering) takes back an admin's approval.
    """
    with db.session.no_autoflush:  # one UPDATE per changed row, at the end
        catalogue_prices = _reprice(offer)
    priced = []
    for line in offer.lines:
        amounts = line_amounts(
            line.quantity,
            line.unit_price,
            line.discount_percent,
            line.vat_rate,
            offer.prices_include_vat,
        )
        line.amount, line.discount_amount = amounts.amount, amounts.discount
        line.net_amount, line.vat_amount = amounts.net, amounts.vat
        line.total_amount = amounts.total
        given = _given_discount(line, catalogue_prices.get(id(line)))
        priced.append(PricedLine(amounts, RevenueType(line.revenue_type), given))
    totals = offer_totals(priced)
    if max(totals.subtotal, totals.total) >= MAX_AMOUNT:
        raise DomainError(_l("The amounts are too large for one offer."))
    offer.subtotal, offer.discount_total = totals.subtotal, totals.discount
    offer.net_total, offer.vat_total, offer.total = totals.net, totals.vat, totals.total
    offer.one_off_total, offer.monthly_total = totals.one_off, totals.monthly
    offer.yearly_total, offer.max_discount = totals.yearly, totals.max_discount
    if content_changed:
        offer.approved_discount = None  # the admin approved other lines
    offer.updated_at = utcnow()  # every change of the lines bumps the offer's version
    flush_or_conflict()


def convert_typed_prices(offer: Offer, old_rate: Decimal) -> None:
    """A new currency or rate: typed-in prices keep their value in the base currency."""
    for line in offer.lines:
        if line.price_source == PriceSource.MANUAL and offer.exchange_rate != old_rate:
            line.unit_price = money(line.unit_price * old_rate / offer.exchange_rate)


def check_quantity(value: Decimal) -> Decimal:
    if not _finite(value) or value <= 0:
        raise FieldError("quantity", _l("The quantity must be above zero."))
    if value > MAX_QUANTITY or value != value.quantize(Decimal("0.001")):
        raise FieldError("quantity", _l("The quantity is too large or too precise."))
    return value


def check_price(value: Decimal) -> Decimal:
    if not _finite(value) or value < 0:
        raise FieldError("price", _l("The price can't be negative."))
    if value > MAX_PRICE:
        raise FieldError("price", _l("The price is too large."))
    return money(value)


def check_percent(field: str, value: Decimal) -> Decimal:
    if not _finite(value) or not 0 <= value <= 100:
        raise FieldError(field, _l("Enter a percentage from 0 to 100."))
    return value.quantize(Decimal("0.01"))


def _finite(value: Decimal) -> bool:
    try:
        return value.is_finite()
    except (AttributeError, InvalidOperation):
        return False


def _append(offer: Offer, line: OfferLine) -> OfferLine:
    if len(offer.lines) >= MAX_LINES:
        raise DomainError(_l("An offer can have at most %(count)s lines.", count=MAX_LINES))
    line.position = len(offer.lines) + 1
    line.discount_percent = Decimal(0)
    offer.lines.append(line)
    recalculate(offer)
    return line


def _line(offer: Offer, line_id: int) -> OfferLine:
    for line in offer.lines:
        if line.id == line_id:
            return line
    raise NotFoundError(_l("No such line."))


def _renumber(offer: Offer) -> None:
    for position, line in enumerate(offer.lines, start=1):
        line.position = position


def _given_discount(line: OfferLine, catalogue_price: Decimal | None) -> Decimal:
    """The discount the client really gets: the line's, or more where a typed-in price
    undercuts what the catalogue's rules give (free-text lines have nothing to compare)."""
    if not catalogue_price:
        return line.discount_percent
    paid = line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED
    below = ((1 - paid / catalogue_price) * HUNDRED).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return max(line.discount_percent, below)


def _reprice(offer: Offer) -> dict[int, Decimal]:
    """Catalogue lines take the best of list, segment and tier price (typed-in prices stay).

    The catalogue is in the base currency: an offer in another one gets its prices at the
    offer's rate. Returns that price for every catalogue line, by `id(line)`, typed-in ones
    included.
    """
    lines = [line for line in offer.lines if line.product_id]
    if not lines:
        return {}
    product_ids = {line.product_id for line in lines}
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.id.in_(product_ids)).options(selectinload(Product.tiers))
        )
    }
    rate = offer.exchange_rate or Decimal(1)
    segments = _segment_rules([tag.id for tag in offer.party.tags], product_ids, rate)
    by_line: dict[int, Decimal] = {}
    for line in lines:
        product = products[line.product_id]
        tiers = [
            Tier(t.min_quantity, _converted(Rule(RuleKind(t.kind), t.value), rate))
            for t in product.tiers
        ]
        list_price = money(product.list_price / rate)
        price = unit_price(list_price, line.quantity, segments[None] + segments[product.id], tiers)
        by_line[id(line)] = price.amount
        if line.price_source == PriceSource.MANUAL:
            continue
        line.list_price = list_price
        line.unit_price, line.price_source, line.price_note = price.amount, price.source, price.note
    return by_line


def _converted(rule: Rule, rate: Decimal) -> Rule:
    """A fixed price of the catalogue in the offer's currency (percentages stay)."""
    if rule.kind != RuleKind.PRICE or rate == 1:
        return rule
    return Rule(rule.kind, money(rule.value / rate), rule.label)


def _segment_rules(
    tag_ids: list[int], product_ids: set[int], rate: Decimal
) -> dict[int | None, list[Rule]]:
    """The client's segment rules: catalogue-wide ones under None, the rest by product."""
    rules: dict[int | None, list[Rule]] = defaultdict(list)
    if not tag_ids:
        return rules
    query = select(SegmentPrice).where(
        SegmentPrice.tag_id.in_(tag_ids),
        or_(SegmentPrice.product_id.is_(None), SegmentPrice.product_id.in_(product_ids)),
    )
    for row in db.session.scalars(query):
        rule = Rule(RuleKind(row.kind), row.value, row.tag.name)
        rules[row.product_id].append(_converted(rule, rate))
    return rules
