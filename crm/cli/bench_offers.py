"""Bench data for offers: a catalogue, three years of commercial proposals and their sales.

Used by `crm/cli/bench_data.py` once the parties are in: the catalogue of
`crm/cli/bench_catalogue.py`; 20,000 offers to clients on the ladder over
three years (drafts, awaiting approval, sent — some past their validity —, accepted, rejected,
expired, and superseded revisions that share their number), numbered per year with an
offer_counters row each; their 100,000 lines from `crm/cli/bench_offer_lines.py`; the
offers' events; then the sales and
the "step up" suggestions of `crm/cli/bench_sales.py`. Bulk Core inserts; its own random
generator.
"""

import random
import time as clock
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import click
from sqlalchemy import insert, select, text

from crm.cli.bench_catalogue import BenchCatalogue, build_catalogue, cumulative, max_id, pick
from crm.cli.bench_offer_lines import count_lines, price_lines
from crm.cli.bench_sales import add_sales
from crm.cli.bench_work import _language
from crm.extensions import db
from crm.models import (
    Contact,
    Offer,
    OfferCounter,
    OfferEvent,
    OfferLine,
    Party,
    Product,
    Role,
    Sale,
    SegmentPrice,
    Stage,
    StageSuggestion,
    Tag,
    User,
    party_tags,
)
from crm.models.base import utcnow
from crm.models.catalogue import VolumeTier
from crm.models.offers import OfferStatus as S
from crm.services import settings, users
from crm.services.clock import local_today

OFFERS = 20_000
HISTORY_DAYS = 3 * 365
REVISIONS = {1: 86, 2: 10, 3: 4}
# Offers per party by its stage now: buyers get more; final status by the offer's age in days.
STAGE_WEIGHTS = {"suspect": 0.15, "prospect": 0.6, "first_time_buyer": 1.5, "repeat_buyer": 2.5}
STATUS_BY_AGE = [
    (3, {S.DRAFT: 45, S.AWAITING_APPROVAL: 10, S.SENT: 45}),
    (14, {S.DRAFT: 12, S.AWAITING_APPROVAL: 5, S.SENT: 50, S.ACCEPTED: 18, S.REJECTED: 15}),
    (60, {S.DRAFT: 4, S.AWAITING_APPROVAL: 1, S.SENT: 25, S.ACCEPTED: 38, S.REJECTED: 30}),
    (None, {S.DRAFT: 2, S.SENT: 3, S.EXPIRED: 17, S.ACCEPTED: 42, S.REJECTED: 36}),
]
ADMIN = ("director@bench.example", "Віктор Директоренко")  # approves discounts above 10 %
FOREIGN = [("USD", "41.250000"), ("EUR", "44.800000")]  # ~3 % of offers, typed-in prices

TEXTS = {  # intro, terms per document language
    "ru": ("Благодарим за интерес к нашей продукции. Предлагаем:",
           "Предоплата 50 %, поставка 14 рабочих дней."),
    "uk": ("Дякуємо за інтерес до нашої продукції. Пропонуємо:",
           "Передоплата 50 %, постачання 14 робочих днів."),
    "en": ("Thank you for your interest. We are pleased to offer:",
           "50 % prepayment, delivery in 14 working days."),
}  # fmt: skip


class OfferBuilder:
    """Deterministic (per seed) catalogue, offers, lines, events, sales and suggestions."""

    def __init__(self, seed: int, managers: list[int], admin_id: int) -> None:
        self.rng = random.Random(f"offers-{seed}")
        self.managers, self.admin_id = managers, admin_id
        self.now, self.today = utcnow().replace(microsecond=0), local_today()
        self.start = self.today - timedelta(days=HISTORY_DAYS)
        self.prefix, self.with_vat = settings.offer_prefix(), settings.prices_include_vat()
        self.limit = Decimal(10)  # the bench managers' discount limit (the default)
        self.catalogue: BenchCatalogue | None = None
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.parties = _parties()
        self.owners = {p["id"]: p["owner"] or managers[0] for p in self.parties}

    def add_catalogue(self, tags: dict[str, int]) -> None:
        """The products, tiers and segment prices the offers are priced with."""
        self.catalogue = build_catalogue(self.rng, self.now, tags)
        self.rows.update(self.catalogue.rows)

    # --- offers -------------------------------------------------------------------------------

    def offers(self) -> list[list[dict]]:
        """OFFERS offers in families of revisions, LINES lines in all, priced and totalled."""
        rng, parties = self.rng, self.parties
        weights = []
        for party in parties:
            days = (self.today - max(self.start, party["created"].date())).days
            stage = STAGE_WEIGHTS.get(party["stage"], 0.8 if party["terminal"] else 3.5)
            weights.append(max(days, 0) * stage * rng.gammavariate(0.7, 1 / 0.7))
        chosen = cumulative(parties, weights)
        families, total = [], 0
        while total < OFFERS:
            family = self._family(pick(rng, chosen))
            if len(family) > OFFERS - total:  # the last one: fewer revisions
                family = family[: OFFERS - total]
                self._decide(family[-1])
            families.append(family)
            total += len(family)
        count_lines(self, families)
        for family in families:
            previous: list[dict] = []
            for offer in family:
                previous = price_lines(self, offer, previous)
        return families

    def _family(self, party: dict) -> list[dict]:
        """An offer and its revisions: each one sent, then replaced after the client's answer."""
        rng = self.rng
        first = max(self.start, party["created"].date() + timedelta(days=1))
        day = first + timedelta(days=int((self.today - first).days * rng.random() ** 0.8))
        created = self.moment(day)
        currency, rate = ("UAH", "1") if rng.random() > 0.03 else rng.choice(FOREIGN)
        language = _language(party["name"])
        owner = party["owner"] if party["owner"] and rng.random() < 0.9 else None
        common = {
            "party_id": party["id"],
            "contact_id": rng.choice(party["contacts"])
            if party["contacts"] and rng.random() < 0.7
            else None,
            "owner_id": owner or rng.choice(self.managers),
            "currency": currency,
            "exchange_rate": Decimal(rate),
            "language": language,
            "intro": TEXTS[language][0] if rng.random() < 0.8 else "",
            "terms": TEXTS[language][1] if rng.random() < 0.8 else "",
            "prices_include_vat": self.with_vat,
            "_validity": 14 if rng.random() < 0.8 else 30,
            "_party": party,
        }
        family: list[dict] = []
        revisions = pick(rng, cumulative(list(REVISIONS), list(REVISIONS.values())))
        for revision in range(1, revisions + 1):
            offer = {**common, "revision": revision, "created_at": created}
            offer.update(offer_date=created.date(), created_by_id=common["owner_id"])
            offer["valid_until"] = offer["offer_date"] + timedelta(days=common["_validity"])
            offer["_big"] = False
            family.append(offer)
            sent = created + timedelta(hours=rng.expovariate(1 / 6))
            created = sent + timedelta(days=rng.uniform(2, 20))
            if revision == revisions or created >= self.now:
                break
            offer.update(status=S.SUPERSEDED, sent_at=sent, decided_at=None)
        self._decide(family[-1])
        return family

    def _decide(self, offer: dict) -> None:
        """The latest revision's status, by its age; sent, decided, and when."""
        rng = self.rng
        age = (self.today - offer["offer_date"]).days
        table = next(t for limit, t in STATUS_BY_AGE if limit is None or age <= limit)
        status = pick(rng, cumulative(list(table), list(table.values())))
        if status == S.EXPIRED and offer["valid_until"] >= self.today:
            status = S.SENT
        offer.update(status=status, sent_at=None, decided_at=None)
        offer["_big"] = status == S.AWAITING_APPROVAL or rng.random() < 0.05
        if status in (S.DRAFT, S.AWAITING_APPROVAL):
            return
        latest = self.now - timedelta(minutes=1)
        sent = min(offer["created_at"] + timedelta(hours=rng.expovariate(1 / 6)), latest)
        offer["sent_at"] = max(sent, offer["created_at"] + timedelta(minutes=1))
        if status in (S.ACCEPTED, S.REJECTED):
            until = min(datetime.combine(offer["valid_until"], time(16)), latest)
            wait = max(until - offer["sent_at"], timedelta(minutes=2))
            offer["decided_at"] = offer["sent_at"] + wait * (0.05 + 0.95 * rng.random() ** 1.5)

    def moment(self, day: date) -> datetime:
        """A moment of a working day (09:00-19:00 at UTC+3), never in the future."""
        at = datetime.combine(day, time(6)) + timedelta(seconds=int(self.rng.random() * 36000))
        return min(at, self.now - timedelta(minutes=self.rng.randrange(5, 600)))

    # --- ids, numbers, history, sales ---------------------------------------------------------

    def finish(self, families: list[list[dict]], stages: dict) -> None:
        """Ids in time order, yearly numbers, lines, events, sales and suggestions as rows."""
        offers = sorted((o for family in families for o in family), key=lambda o: o["created_at"])
        first = max_id(Offer)
        for number, offer in enumerate(offers, start=first + 1):
            offer["id"] = number
        counters: dict[int, int] = defaultdict(int)
        for family in sorted(families, key=lambda f: f[0]["created_at"]):
            year = family[0]["offer_date"].year
            counters[year] += 1
            number = f"{self.prefix}{year}-{counters[year]:04d}"
            for before, offer in zip([None, *family], family, strict=False):
                offer.update(number=number, previous_id=before["id"] if before else None)
                offer["_before"] = before
        self.rows["counters"] = [{"year": y, "last_number": n} for y, n in sorted(counters.items())]
        for offer in offers:
            self._history(offer)
            self.rows["offers"].append(offer)
            self.rows["lines"] += [{**line, "offer_id": offer["id"]} for line in offer["_lines"]]
        add_sales(self, offers, stages)

    def _history(self, offer: dict) -> None:
        """The offer's events, its approval when a discount is above the limit, its version."""
        owner, created, status = offer["owner_id"], offer["created_at"], offer["status"]
        before = offer["_before"]
        events = [
            ("revised", created, owner, _display(before))
            if before
            else ("created", created, owner, "")
        ]
        offer["approved_discount"] = None
        sent = offer["sent_at"] or created + timedelta(hours=2)
        if offer["max_discount"] > self.limit and status != S.DRAFT:
            events.append(("approval_requested", created + (sent - created) * 0.3, owner, ""))
            if status != S.AWAITING_APPROVAL:
                at = created + (sent - created) * 0.6
                events.append(("approved", at, self.admin_id, ""))
                offer["approved_discount"] = offer["max_discount"]
        if offer["sent_at"]:
            events.append(("sent", offer["sent_at"], owner, ""))
        if offer["decided_at"]:
            events.append((status.value, offer["decided_at"], owner, ""))
        for kind, at, user, comment in events:
            self.rows["events"].append(
                {
                    "offer_id": offer["id"],
                    "kind": kind,
                    "user_id": user,
                    "at": at,
                    "comment": comment,
                }
            )
        offer["version"] = 1 + len(offer["_lines"]) + len(events)
        offer["updated_at"] = max(at for _, at, _, _ in events)


def fill_offers(seed: int, managers: list[int], password: str) -> None:
    """The catalogue, offers, lines, events, sales and suggestions (after the parties)."""
    began = clock.perf_counter()
    builder = OfferBuilder(seed, managers, _admin(password))
    tags = dict(db.session.execute(select(Tag.name, Tag.id)).all())
    builder.add_catalogue(tags)
    stages = {
        s.key: {"id": s.id, "position": s.position}
        for s in db.session.execute(select(Stage.key, Stage.id, Stage.position))
    }
    families = builder.offers()
    builder.finish(families, stages)
    db.session.commit()  # the session's reads end: the inserts take the write lock
    _insert(builder.rows)
    rows = builder.rows
    opened = sum(s["status"] == "open" for s in rows["suggestions"])
    click.echo(
        f"  Offers: {len(rows['products'])} products ({len(rows['tiers'])} tiers, "
        f"{len(rows['segments'])} segment prices), {len(rows['offers']):,} offers, "
        f"{len(rows['lines']):,} lines, {len(rows['events']):,} events, "
        f"{len(rows['sales']):,} sales, {opened} open suggestions "
        f"[{clock.perf_counter() - began:.1f}s]"
    )


def _admin(password: str) -> int:
    """The director who approves discounts above the managers' limit."""
    email, name = ADMIN
    user_id = db.session.scalar(select(User.id).where(User.email == email))
    if user_id is None:
        user_id = users.create_user(email, name, password, Role.ADMIN).id
        db.session.commit()
    return user_id


def _parties() -> list[dict]:
    """Live parties on the ladder (the ones offers go to), with their tags and contacts."""
    tags, contacts = defaultdict(set), defaultdict(list)
    for party_id, tag_id in db.session.execute(select(party_tags.c.party_id, party_tags.c.tag_id)):
        tags[party_id].add(tag_id)
    live = select(Contact.id, Contact.party_id).where(Contact.deleted_at.is_(None))
    for contact_id, party_id in db.session.execute(live.order_by(Contact.id)):
        contacts[party_id].append(contact_id)
    query = (
        select(Party.id, Party.owner_id, Party.created_at, Party.name, Stage.key, Stage.position)
        .add_columns(Stage.terminal)
        .join(Stage, Stage.id == Party.stage_id)
        .where(Party.deleted_at.is_(None))
        .order_by(Party.id)
    )
    return [
        {
            "id": row[0],
            "owner": row[1],
            "created": row[2],
            "name": row[3],
            "stage": row[4],
            "position": row[5],
            "terminal": row[6],
            "tags": tags[row[0]],
            "contacts": contacts[row[0]],
        }
        for row in db.session.execute(query)
    ]


TABLES = {
    "products": Product,
    "tiers": VolumeTier,
    "segments": SegmentPrice,
    "counters": OfferCounter,
    "offers": Offer,
    "lines": OfferLine,
    "events": OfferEvent,
    "sales": Sale,
    "suggestions": StageSuggestion,
}


def _insert(rows: dict[str, list[dict]], chunk: int = 5_000) -> None:
    """Every table in one transaction, executemany a chunk at a time; only real columns."""
    with db.engine.begin() as conn:
        for name, model in TABLES.items():
            table = model.__table__
            if not rows[name]:
                continue
            keys = [c.key for c in table.columns if c.key in rows[name][0]]
            for first in range(0, len(rows[name]), chunk):
                part = rows[name][first : first + chunk]
                conn.execute(insert(table), [{key: row.get(key) for key in keys} for row in part])
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("products", "offers", "sales"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


def _display(offer: dict) -> str:
    return offer["number"] if offer["revision"] == 1 else f"{offer['number']}-v{offer['revision']}"
