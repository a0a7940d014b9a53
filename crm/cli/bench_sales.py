"""Bench data: the sales the offers made, and the ladder suggestions those sales leave.

A sale per accepted offer (in the base currency at the offer's rate), DIRECT_SALES more
recorded by hand over three years, and what `crm.services.sales.suggest_after_sale` would have
left: the recent suggestions open, most older ones dismissed by the party's owner.
"""

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from crm.cli.bench_catalogue import cumulative, max_id, pick
from crm.models import Sale
from crm.models.offers import OfferStatus as S
from crm.services import settings
from crm.services.pricing import money
from crm.services.sales import FIRST_SALE, REPEAT_SALE, REPEAT_WINDOW_DAYS, SUGGESTED_STAGE

if TYPE_CHECKING:
    from crm.cli.bench_offers import OfferBuilder

DIRECT_SALES = 6_000
# Suggestions of the last 45 days are open; of older ones the owner dismissed 70 %.
SUGGESTION_OPEN_DAYS, DISMISSED = 45, 0.7


def add_sales(builder: "OfferBuilder", offers: list[dict], stages: dict) -> None:
    """A sale per accepted offer, DIRECT_SALES more without one, and their suggestions."""
    rng, next_id = builder.rng, max_id(Sale)
    sales = []
    for offer in offers:
        if offer["status"] == S.ACCEPTED:
            rate = offer["exchange_rate"]
            sales.append(
                {
                    "party_id": offer["party_id"],
                    "offer_id": offer["id"],
                    "sale_date": offer["decided_at"].date(),
                    "amount": money(offer["total"] * rate),
                    "one_off_amount": money(offer["one_off_total"] * rate),
                    "monthly_amount": money(offer["monthly_total"] * rate),
                    "yearly_amount": money(offer["yearly_total"] * rate),
                    "created_by_id": offer["owner_id"],
                    "created_at": offer["decided_at"],
                    "_party": offer["_party"],
                }
            )
    buyers = [p for p in builder.parties if p["position"] >= 2 and not p["terminal"]]
    chosen = cumulative(buyers, [p["position"] for p in buyers])
    for _ in range(DIRECT_SALES):  # recorded by hand, without an offer
        party = pick(rng, chosen)
        first = max(builder.start, party["created"].date() + timedelta(days=1))
        day = first + timedelta(days=int((builder.today - first).days * rng.random()))
        amount = money(Decimal(rng.lognormvariate(10.3, 0.9)))
        sales.append(
            {
                "party_id": party["id"],
                "offer_id": None,
                "sale_date": day,
                "amount": amount,
                "one_off_amount": amount,
                "monthly_amount": Decimal(0),
                "yearly_amount": Decimal(0),
                "created_by_id": party["owner"] or rng.choice(builder.managers),
                "created_at": min(builder.moment(day), builder.now),
                "_party": party,
            }
        )
    sales.sort(key=lambda sale: (sale["sale_date"], sale["created_at"]))
    currency = settings.base_currency()
    for number, sale in enumerate(sales, start=next_id + 1):
        sale.update(id=number, currency=currency)
    builder.rows["sales"] = sales
    _add_suggestions(builder, sales, stages)


def _add_suggestions(builder: "OfferBuilder", sales: list[dict], stages: dict) -> None:
    """What `sales.suggest_after_sale` would have left: one open suggestion per party at
    most: the recent ones open, most older ones dismissed by the owner, some ignored."""
    rng, last_sale, open_ones = builder.rng, {}, {}
    for sale in sales:
        party = sale["_party"]
        previous = last_sale.get(party["id"])
        repeat = previous and 0 < (sale["sale_date"] - previous).days <= REPEAT_WINDOW_DAYS
        last_sale[party["id"]] = sale["sale_date"]
        reason = REPEAT_SALE if repeat else FIRST_SALE
        target = stages[SUGGESTED_STAGE[reason]]
        if not (party["terminal"] or target["position"] > party["position"]):
            continue
        replaced = open_ones.get(party["id"])
        if replaced:
            replaced.update(status="dismissed", decided_at=sale["created_at"])
        suggestion = {
            "party_id": party["id"],
            "stage_id": target["id"],
            "sale_id": sale["id"],
            "reason": reason,
            "status": "open",
            "created_at": sale["created_at"],
            "decided_at": None,
            "decided_by_id": None,
        }
        open_ones[party["id"]] = suggestion
        builder.rows["suggestions"].append(suggestion)
    cutoff = builder.now - timedelta(days=SUGGESTION_OPEN_DAYS)
    for suggestion in open_ones.values():
        if suggestion["created_at"] < cutoff and rng.random() < DISMISSED:
            later = suggestion["created_at"] + timedelta(days=rng.expovariate(1 / 10))
            suggestion.update(status="dismissed", decided_at=min(later, builder.now))
            suggestion["decided_by_id"] = builder.owners[suggestion["party_id"]]
