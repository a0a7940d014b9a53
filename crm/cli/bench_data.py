"""`flask crm bench-data`: a large, realistic client base for benchmarks.

Users go through the users service (Argon2 hashes, as in production). Parties, their
roles, tags, contacts, audit entries and stage moves (built a chunk at a time by
crm/cli/bench_chunk.py from the fake parties of crm/cli/bench_parties.py, places on the
ladder from crm/cli/bench_ladder.py), interactions and tasks (crm/cli/bench_work.py) are
written with bulk Core inserts (executemany), a chunk per transaction, so that 100,000
parties load in well under a minute on SQLite.
The folded search columns are computed exactly as `parties.refresh_search_text` does, and
a sample of the written parties is checked against that function at the end.
"""

import random
import time
from collections.abc import Iterator
from datetime import timedelta

import click
from sqlalchemy import func, insert, select, text

from crm.cli.bench_chunk import build_chunk
from crm.cli.bench_ladder import LadderPlacer
from crm.cli.bench_offers import fill_offers
from crm.cli.bench_parties import PartyGenerator
from crm.cli.bench_work import WORK_TABLES, WorkBuilder
from crm.extensions import db
from crm.models import (
    AuditEntry,
    Contact,
    Party,
    PartyRole,
    Role,
    StageMove,
    Tag,
    User,
    party_tags,
)
from crm.models.base import utcnow
from crm.services import users
from crm.services.clock import local_today
from crm.services.parties import refresh_search_text

BENCH_PASSWORD = "bench-password"  # noqa: S105 - bench/run.py logs in with it
CHUNK = 5_000  # parties per transaction
HISTORY_YEARS = 6

MANAGERS = [
    ("manager01@bench.example", "Олена Коваль"),
    ("manager02@bench.example", "Дмитрий Орлов"),
    ("manager03@bench.example", "James Whitfield"),
    ("manager04@bench.example", "Ирина Соколова"),
    ("manager05@bench.example", "Тарас Шевченко"),
    ("manager06@bench.example", "Алексей Ёлкин"),
    ("manager07@bench.example", "Ґанна Їжакевич"),
    ("manager08@bench.example", "Maria Nowak"),
    ("manager09@bench.example", "Сергей Кузнецов"),
    ("manager10@bench.example", "Наталія Бондаренко"),
]

TAGS = [
    "опт",
    "розница",
    "VIP",
    "постоянный",
    "новый",
    "спящий",
    "тендер",
    "дилер",
    "партнёр",
    "постачальник",
    "гуртовий",
    "роздріб",
    "Москва",
    "Санкт-Петербург",
    "Ярославль",
    "Казань",
    "Новосибирск",
    "Київ",
    "Львів",
    "Одеса",
    "Харків",
    "export",
    "wholesale",
    "retail",
    "key account",
    "предоплата",
    "отсрочка",
    "выставка 2025",
    "холодный",
    "рекомендация",
]


def _managers() -> list[User]:
    """The bench managers, created once (Argon2 hashing, like any user)."""
    found = []
    for email, name in MANAGERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = users.create_user(email, name, BENCH_PASSWORD, Role.MANAGER)
        found.append(user)
    db.session.commit()
    return found


def _tag_ids() -> list[int]:
    """The ids of the tag pool, in pool order (creating the missing tags)."""
    existing = dict(db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(TAGS))).all())
    missing = [{"name": name} for name in TAGS if name not in existing]
    if missing:
        db.session.execute(insert(Tag), missing)
        db.session.commit()
        existing = dict(
            db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(TAGS))).all()
        )
    return [existing[name] for name in TAGS]


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for first in range(0, total, CHUNK):
        yield first, min(CHUNK, total - first)


def _max_id(model: type) -> int:
    return db.session.scalar(select(func.max(model.id))) or 0


def _check_sample(seed: int, sample: int = 25) -> None:
    """Recompute search columns of a few parties with the service; they must not change."""
    rng = random.Random(seed)
    top = _max_id(Party)
    for party_id in {rng.randint(1, top) for _ in range(sample)}:
        party = db.session.get(Party, party_id)
        if party is None:
            continue
        written = (party.search_text, party.name_key)
        refresh_search_text(party)
        if (party.search_text, party.name_key) != written:
            db.session.rollback()
            raise click.ClickException(
                f"Party {party_id}: bench search columns differ from refresh_search_text()."
            )
    db.session.rollback()


def fill(clients: int, seed: int) -> None:
    """Create ~10 managers, `clients` parties with roles and tags, 2 contacts per party."""
    existing = db.session.scalar(select(func.count()).select_from(Party)) or 0
    if existing:
        raise click.ClickException(
            f"The database has {existing:,} parties already; bench data goes into an empty "
            "client base only. Nothing was added. Point DATABASE_URL at a new database."
        )
    if clients < 1:
        raise click.ClickException("--clients must be at least 1.")
    began = time.perf_counter()
    click.echo(f"Bench data: {clients:,} parties, {2 * clients:,} contacts, seed {seed}.")
    owners = [u.id for u in _managers()]
    tag_ids = _tag_ids()
    tag_names = dict(zip(tag_ids, TAGS, strict=True))
    click.echo(
        f"  {len(owners)} managers (password {BENCH_PASSWORD!r}), {len(tag_ids)} tags "
        f"[{time.perf_counter() - began:.1f}s]"
    )

    gen = PartyGenerator(seed, owners, tag_ids)
    placer = LadderPlacer(seed, utcnow())
    work = WorkBuilder(seed, owners, placer.now, local_today())  # interactions and tasks
    ids = {
        "party": _max_id(Party),
        "contact": _max_id(Contact),
        "audit": _max_id(AuditEntry),
    }
    db.session.commit()
    span = HISTORY_YEARS * 365 * 86400.0
    timeline = (utcnow() - timedelta(seconds=span), span - 3600.0)
    totals = dict.fromkeys(("parties", "roles", "tags", "contacts", "audit", "moves"), 0)
    totals.update(dict.fromkeys(WORK_TABLES, 0))
    tables = (
        ("parties", Party.__table__),
        ("roles", PartyRole.__table__),
        ("tags", party_tags),
        ("contacts", Contact.__table__),
        ("audit", AuditEntry.__table__),
        ("moves", StageMove.__table__),
    )
    for first, count in _chunks(clients):
        built = build_chunk(gen, first, count, clients, ids, tag_names, owners, timeline, placer)
        # Interactions and tasks; built first: they set off-ladder parties' last contact.
        work_rows = work.build(built.parties, built.roles, built.contacts)
        with db.engine.begin() as conn:  # one transaction per chunk
            for name, table in (*tables, *((n, WORK_TABLES[n]) for n in work_rows)):
                rows = work_rows[name] if name in work_rows else getattr(built, name)
                if rows:
                    conn.execute(insert(table), rows)
                    totals[name] += len(rows)
        done = first + count
        click.echo(
            f"  {done:>9,} / {clients:,} parties  {totals['contacts']:>9,} contacts  "
            f"{totals['interactions']:>9,} interactions  [{time.perf_counter() - began:.1f}s]"
        )

    if db.engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        with db.engine.begin() as conn:
            for table in ("parties", "contacts", "audit_entries"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    fill_offers(seed, owners, BENCH_PASSWORD)  # catalogue, offers, sales: crm/cli/bench_offers.py
    _check_sample(seed)
    click.echo(
        f"Done: {totals['parties']:,} parties, {totals['roles']:,} roles, "
        f"{totals['tags']:,} tag links, {totals['contacts']:,} contacts, "
        f"{totals['audit']:,} audit entries, {totals['moves']:,} stage moves, "
        f"{totals['interactions']:,} interactions, {totals['tasks']:,} tasks "
        f"in {time.perf_counter() - began:.1f}s."
    )
