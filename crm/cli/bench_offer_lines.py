"""Bench data: an offer's lines, from the catalogue or typed in, priced and totalled by
crm/services/pricing.py exactly as the editor would (a revision starts from its
predecessor's lines); and how many lines each offer gets, LINES in all.
"""

import random
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from crm.cli.bench_catalogue import cumulative, pick
from crm.models import RevenueType
from crm.services.pricing import PricedLine, line_amounts, money, offer_totals
from crm.services.pricing import unit_price as best_price

if TYPE_CHECKING:
    from crm.cli.bench_offers import OfferBuilder

LINES = 100_000
LINE_WEIGHTS = [9, 12, 13, 13, 12, 10, 9, 7, 5, 4, 3, 3]  # 1-12 lines; the total is then exact
PLAIN, BIG = [2, 3, 5, 7, 10], [12, 15, 18, 20, 25]  # line discounts: within / above the limit
FREE_LINES = ["Доставка на объект", "Демонтаж старой мебели", "Индивидуальный размер", "Подъём"]


def count_lines(builder: "OfferBuilder", families: list[list[dict]]) -> None:
    """1-12 lines an offer, revisions about as many as before; LINES in all, exactly."""
    rng = builder.rng
    sizes = cumulative(list(range(1, 13)), LINE_WEIGHTS)
    for family in families:
        n = pick(rng, sizes)
        for offer in family:
            offer["_n"] = n
            n = min(12, max(1, n + rng.choices((-1, 0, 1), (10, 70, 20))[0]))
    singles = [family[0] for family in families if len(family) == 1]
    missing = LINES - sum(offer["_n"] for family in families for offer in family)
    while missing:
        offer, step = rng.choice(singles), 1 if missing > 0 else -1
        if 1 <= offer["_n"] + step <= 12:
            offer["_n"] += step
            missing -= step


# --- lines --------------------------------------------------------------------------------


def price_lines(builder: "OfferBuilder", offer: dict, previous: list[dict]) -> list[dict]:
    """The offer's lines (a revision starts from its predecessor's) and its totals."""
    rng = builder.rng
    lines = [dict(line) for line in previous[: offer["_n"]]]
    if lines and rng.random() < 0.6:  # what the client asked to change
        line = rng.choice(lines)
        if rng.random() < 0.5:
            line["quantity"] = max(Decimal(1), (line["quantity"] * Decimal("1.5")).quantize(1))
        else:
            line["discount_percent"] = Decimal(rng.choice(PLAIN))
    recent = offer["offer_date"] > builder.today - timedelta(days=365)
    used = {line["product_id"] for line in lines}
    while len(lines) < offer["_n"]:
        lines.append(_new_line(builder, offer, used, recent))
    if offer["_big"]:
        rng.choice(lines)["discount_percent"] = Decimal(rng.choice(BIG))
    tags = offer["_party"]["tags"]
    catalogue = builder.catalogue
    wide = catalogue.rules_for(tags, None)
    priced = []
    for position, line in enumerate(lines, start=1):
        line["position"] = position
        if line["product_id"] and line["price_source"] != "manual":
            pid = line["product_id"]
            rules = wide + catalogue.rules_for(tags, pid)
            tiers = catalogue.tiers[pid]
            price = best_price(line["list_price"], line["quantity"], rules, tiers)
            line.update(unit_price=price.amount, price_source=price.source.value)
            line["price_note"] = price.note
        amounts = line_amounts(
            line["quantity"],
            line["unit_price"],
            line["discount_percent"],
            line["vat_rate"],
            builder.with_vat,
        )
        line.update(amount=amounts.amount, discount_amount=amounts.discount)
        line.update(net_amount=amounts.net, vat_amount=amounts.vat)
        line["total_amount"] = amounts.total
        revenue = RevenueType(line["revenue_type"])
        priced.append(PricedLine(amounts, revenue, line["discount_percent"]))
    totals = offer_totals(priced)
    offer.update(
        subtotal=totals.subtotal,
        discount_total=totals.discount,
        net_total=totals.net,
        vat_total=totals.vat,
        total=totals.total,
        one_off_total=totals.one_off,
        monthly_total=totals.monthly,
        yearly_total=totals.yearly,
        max_discount=totals.max_discount,
        _lines=lines,
    )
    return lines


def _new_line(builder: "OfferBuilder", offer: dict, used: set, recent: bool) -> dict:
    rng = builder.rng
    line = {"discount_percent": Decimal(rng.choice(PLAIN) if rng.random() < 0.25 else 0)}
    if rng.random() < 0.05:  # a line that is not in the catalogue
        name = rng.choice(FREE_LINES)
        price = Decimal(rng.randrange(500, 8000) // 50 * 50)
        return {
            **line,
            "product_id": None,
            "name": name,
            "description": "",
            "sku": "",
            "unit": "рейс" if name == "Доставка на объект" else "шт",
            "revenue_type": "one_off",
            "quantity": Decimal(rng.randint(1, 3)),
            "list_price": None,
            "unit_price": price,
            "price_source": "manual",
            "price_note": "",
            "vat_rate": Decimal(20),
        }
    product = pick(rng, builder.catalogue.picks[recent])
    for _ in range(5):
        if product["id"] not in used:
            break
        product = pick(rng, builder.catalogue.picks[recent])
    used.add(product["id"])
    line.update(
        {key: product[key] for key in ("name", "description", "sku", "unit", "revenue_type")},
        product_id=product["id"],
        quantity=_quantity(rng, product["unit"]),
        list_price=product["list_price"],
        unit_price=product["list_price"],
        price_source="list",
        price_note="",
        vat_rate=product["vat_rate"],
    )
    if offer["currency"] != "UAH":  # the catalogue is in hryvnias: the price typed in
        line["unit_price"] = money(product["list_price"] / offer["exchange_rate"])
        line["price_source"] = "manual"
    elif rng.random() < 0.03:  # a price agreed by hand
        factor = Decimal(rng.randrange(80, 96)) / 100
        line["unit_price"] = money(product["list_price"] * factor)
        line["price_source"] = "manual"
    return line


def _quantity(rng: random.Random, unit: str) -> Decimal:
    """How much of an item an offer asks for, as people order it in that unit."""
    if unit == "шт":
        low, high = rng.choices([(1, 4), (5, 20), (20, 120)], [60, 30, 10])[0]
        return Decimal(rng.randint(low, high))
    if unit == "пог. м":
        return Decimal(rng.randint(24, 90)) / 10
    if unit == "м":
        return Decimal(rng.randint(5, 120))
    if unit == "ч":
        return Decimal(rng.randint(2, 40))
    if unit == "мес.":
        return Decimal(rng.choice([1, 3, 6, 12]))
    return Decimal(1)
