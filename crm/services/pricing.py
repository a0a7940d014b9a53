"""Prices and totals of offers: pure functions on Decimal, one rounding rule.

The rule: every amount is rounded half-up to the kopeck (cent) as soon as it is computed, and
anything derived from it uses the rounded value. So the lines always add up to the totals the
client reads.

A unit price is the lowest of the list price, the segment prices of the client's tags and the
volume tier the quantity reaches; the line's negotiated discount comes on top of it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from crm.models import PriceSource, RevenueType, RuleKind

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def money(value: Decimal) -> Decimal:
    """Round to the kopeck, half up (2.345 → 2.35, −2.345 → −2.35)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rule:
    """A pricing rule as the catalogue states it: a percentage off, or a fixed price."""

    kind: RuleKind
    value: Decimal
    # What to show about the rule: the client's tag, the tier's quantity.
    label: str = ""

    def apply(self, list_price: Decimal) -> Decimal:
        if self.kind == RuleKind.PRICE:
            return money(self.value)
        return money(list_price * (HUNDRED - self.value) / HUNDRED)

    def describe(self) -> str:
        """Language-neutral: "Wholesale −7%", "≥ 10: 90.00"."""
        effect = f"−{_plain(self.value)}%" if self.kind == RuleKind.PERCENT else _plain(self.value)
        return f"{self.label} {effect}".strip()


@dataclass(frozen=True)
class Tier:
    """From `min_quantity` on, `rule` prices the product."""

    min_quantity: Decimal
    rule: Rule


@dataclass(frozen=True)
class UnitPrice:
    amount: Decimal
    source: PriceSource
    note: str = ""


def unit_price(
    list_price: Decimal,
    quantity: Decimal,
    segments: Sequence[Rule] = (),
    tiers: Sequence[Tier] = (),
) -> UnitPrice:
    """The best price the client gets; on a tie the list price, then a segment, wins."""
    candidates = [UnitPrice(money(list_price), PriceSource.LIST)]
    candidates += [
        UnitPrice(rule.apply(list_price), PriceSource.SEGMENT, rule.describe()) for rule in segments
    ]
    reached = [tier for tier in tiers if quantity >= tier.min_quantity]
    if reached:
        tier = max(reached, key=lambda t: t.min_quantity)
        note = f"≥ {_plain(tier.min_quantity)}: {tier.rule.describe()}"
        candidates.append(UnitPrice(tier.rule.apply(list_price), PriceSource.TIER, note))
    return min(candidates, key=lambda candidate: candidate.amount)


@dataclass(frozen=True)
class LineAmounts:
    """A line's money: quantity × price, the discount, net, VAT and the total the client pays."""

    amount: Decimal
    discount: Decimal
    net: Decimal
    vat: Decimal
    total: Decimal


def line_amounts(
    quantity: Decimal,
    price: Decimal,
    discount_percent: Decimal,
    vat_rate: Decimal,
    prices_include_vat: bool,
) -> LineAmounts:
    """Totals of one line; with VAT-inclusive prices the VAT is the part of the total."""
    amount = money(quantity * price)
    discount = money(amount * discount_percent / HUNDRED)
    after_discount = amount - discount
    if prices_include_vat:
        vat = money(after_discount * vat_rate / (HUNDRED + vat_rate))
        return LineAmounts(amount, discount, after_discount - vat, vat, after_discount)
    vat = money(after_discount * vat_rate / HUNDRED)
    return LineAmounts(amount, discount, after_discount, vat, after_discount + vat)


@dataclass(frozen=True)
class PricedLine:
    amounts: LineAmounts
    revenue_type: RevenueType
    discount_percent: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount: Decimal
    net: Decimal
    vat: Decimal
    total: Decimal
    one_off: Decimal
    monthly: Decimal
    yearly: Decimal
    max_discount: Decimal


def offer_totals(lines: Iterable[PricedLine]) -> Totals:
    """Sums of the (already rounded) lines; recurring revenue kept apart from one-off."""
    sums = dict.fromkeys(("amount", "discount", "net", "vat", "total"), ZERO)
    by_type = dict.fromkeys(RevenueType, ZERO)
    max_discount = ZERO
    for line in lines:
        for key in sums:
            sums[key] += getattr(line.amounts, key)
        by_type[RevenueType(line.revenue_type)] += line.amounts.total
        max_discount = max(max_discount, line.discount_percent)
    return Totals(
        subtotal=sums["amount"],
        discount=sums["discount"],
        net=sums["net"],
        vat=sums["vat"],
        total=sums["total"],
        one_off=by_type[RevenueType.ONE_OFF],
        monthly=by_type[RevenueType.MONTHLY],
        yearly=by_type[RevenueType.YEARLY],
        max_discount=max_discount,
    )


def _plain(value: Decimal) -> str:
    """10.00 → "10", 7.50 → "7.5", 1E+1 → "10"."""
    return f"{value.normalize():f}"
