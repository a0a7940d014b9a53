"""Pricing and totals, table-driven: every rule, rounding, VAT included and excluded."""

from decimal import Decimal as D

import pytest

from crm.models import PriceSource, RevenueType, RuleKind
from crm.services.pricing import (
    LineAmounts,
    PricedLine,
    Rule,
    Tier,
    line_amounts,
    money,
    offer_totals,
    unit_price,
)

PERCENT, PRICE = RuleKind.PERCENT, RuleKind.PRICE
TIERS = (Tier(D(10), Rule(PERCENT, D(5))), Tier(D(50), Rule(PRICE, D("80.00"))))


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("2.345", "2.35"),
        ("2.344", "2.34"),
        ("2.355", "2.36"),
        ("-2.345", "-2.35"),
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("1000000.125", "1000000.13"),
    ],
)
def test_money_rounds_half_up_to_the_kopeck(value, rounded):
    assert money(D(value)) == D(rounded)


@pytest.mark.parametrize(
    ("quantity", "segments", "expected", "source", "note"),
    [
        # No rule reached: the list price.
        ("1", (), "100.00", PriceSource.LIST, ""),
        ("9.999", (), "100.00", PriceSource.LIST, ""),
        # Tiers: the highest tier the quantity reaches.
        ("10", (), "95.00", PriceSource.TIER, "≥ 10: −5%"),
        ("49", (), "95.00", PriceSource.TIER, "≥ 10: −5%"),
        ("50", (), "80.00", PriceSource.TIER, "≥ 50: 80"),
        # Segment price, percentage and fixed; the lowest price wins.
        ("1", (Rule(PERCENT, D(7), "Wholesale"),), "93.00", PriceSource.SEGMENT, "Wholesale −7%"),
        ("10", (Rule(PERCENT, D(3), "VIP"),), "95.00", PriceSource.TIER, "≥ 10: −5%"),
        ("10", (Rule(PRICE, D("90"), "VIP"),), "90.00", PriceSource.SEGMENT, "VIP 90"),
        (
            "1",
            (Rule(PERCENT, D(7), "A"), Rule(PERCENT, D("7.5"), "B")),
            "92.50",
            PriceSource.SEGMENT,
            "B −7.5%",
        ),
        # A rule that would raise the price loses to the list price.
        ("1", (Rule(PRICE, D("120"), "Odd"),), "100.00", PriceSource.LIST, ""),
        # A tie keeps the list price.
        ("1", (Rule(PERCENT, D(0), "Zero"),), "100.00", PriceSource.LIST, ""),
    ],
)
def test_unit_price_takes_the_best_rule(quantity, segments, expected, source, note):
    price = unit_price(D("100.00"), D(quantity), segments, TIERS)
    assert (price.amount, price.source, price.note) == (D(expected), source, note)


def test_a_percentage_rule_rounds_the_unit_price():
    # 33.33 × 0.9 = 29.997 → 30.00
    assert unit_price(D("33.33"), D(1), (Rule(PERCENT, D(10), "S"),)).amount == D("30.00")


@pytest.mark.parametrize(
    ("qty", "price", "discount", "vat", "included", "expected"),
    [
        # amount, discount, net, vat, total
        ("1", "100.00", "0", "20", False, ("100.00", "0.00", "100.00", "20.00", "120.00")),
        ("3", "33.33", "0", "20", False, ("99.99", "0.00", "99.99", "20.00", "119.99")),
        ("3", "33.33", "10", "20", False, ("99.99", "10.00", "89.99", "18.00", "107.99")),
        ("2.5", "19.99", "0", "7", False, ("49.98", "0.00", "49.98", "3.50", "53.48")),
        ("1", "0.05", "50", "20", False, ("0.05", "0.03", "0.02", "0.00", "0.02")),
        ("1", "100.00", "100", "20", False, ("100.00", "100.00", "0.00", "0.00", "0.00")),
        ("1", "100.00", "0", "0", False, ("100.00", "0.00", "100.00", "0.00", "100.00")),
        # VAT included: the total is the price; VAT is the part of it (20/120).
        ("1", "120.00", "0", "20", True, ("120.00", "0.00", "100.00", "20.00", "120.00")),
        ("1", "100.00", "0", "20", True, ("100.00", "0.00", "83.33", "16.67", "100.00")),
        ("3", "33.33", "10", "20", True, ("99.99", "10.00", "74.99", "15.00", "89.99")),
        ("1", "100.00", "0", "7", True, ("100.00", "0.00", "93.46", "6.54", "100.00")),
        ("0.125", "10.00", "0", "20", False, ("1.25", "0.00", "1.25", "0.25", "1.50")),
    ],
)
def test_line_amounts(qty, price, discount, vat, included, expected):
    amounts = line_amounts(D(qty), D(price), D(discount), D(vat), included)
    assert amounts == LineAmounts(*map(D, expected))


def test_totals_are_sums_of_rounded_lines_and_keep_recurring_apart():
    lines = [
        PricedLine(line_amounts(D(3), D("33.33"), D(10), D(20), False), RevenueType.ONE_OFF, D(10)),
        PricedLine(line_amounts(D(1), D("0.05"), D(50), D(20), False), RevenueType.ONE_OFF, D(50)),
        PricedLine(line_amounts(D(5), D("199.99"), D(0), D(20), False), RevenueType.MONTHLY, D(0)),
        PricedLine(line_amounts(D(1), D("1200"), D(0), D(20), False), RevenueType.YEARLY, D(0)),
    ]
    totals = offer_totals(lines)
    assert totals.subtotal == D("99.99") + D("0.05") + D("999.95") + D("1200.00")
    assert totals.discount == D("10.03")
    assert totals.net == totals.subtotal - totals.discount
    assert totals.vat == D("18.00") + D("0.00") + D("199.99") + D("240.00")
    assert totals.total == totals.net + totals.vat
    assert totals.one_off == D("107.99") + D("0.02")
    assert totals.monthly == D("1199.94")
    assert totals.yearly == D("1440.00")
    assert totals.one_off + totals.monthly + totals.yearly == totals.total
    assert totals.max_discount == D(50)


def test_an_empty_offer_totals_zero():
    totals = offer_totals([])
    assert (totals.total, totals.vat, totals.max_discount) == (D(0), D(0), D(0))
