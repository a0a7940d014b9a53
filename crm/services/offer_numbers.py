"""Offer numbers: unique per company, sequential per year, e.g. КП-2026-0001."""

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from crm.extensions import db
from crm.models import OfferCounter


def next_number(year: int, prefix: str) -> str:
    """Take the year's next number.

    The counter row is created if missing (a racing insert is ignored) and then incremented
    in one UPDATE … RETURNING: PostgreSQL locks the row until the transaction ends and SQLite
    write transactions are serial, so two users creating offers at once get different numbers.
    """
    dialect = sqlite if db.engine.dialect.name == "sqlite" else postgresql
    db.session.execute(
        dialect.insert(OfferCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    taken = db.session.execute(
        update(OfferCounter)
        .where(OfferCounter.year == year)
        .values(last_number=OfferCounter.last_number + 1)
        .returning(OfferCounter.last_number)
    ).scalar_one()
    return f"{prefix}{year}-{taken:04d}"
