"""Engine tuning: SQLite in WAL mode, foreign keys on, writers that queue instead of failing."""

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def tune_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for every write transaction.

    A deferred transaction that later writes can fail at once with "database is locked";
    an immediate one waits for the lock (busy_timeout) instead. Read-only requests keep
    a deferred BEGIN so that readers never queue behind each other, and so does the read
    phase of a write request (`crm.web.read_phase`), which does slow work (a PDF) before it
    takes the write lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # noqa: ANN001
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # noqa: ANN001
        reading = has_request_context() and (
            request.method in SAFE_METHODS or g.get("crm_reading", False)
        )
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


# The trigram search index (migration 7a1c2e9d4b10) lives outside the models.
SEARCH_INDEX_OBJECTS = frozenset(
    {
        "party_search",
        "party_search_data",
        "party_search_idx",
        "party_search_docsize",
        "party_search_config",
        "party_search_content",
        "ix_parties_search_trgm",
    }
)


def include_object(_obj, name, _type, _reflected, _compare_to) -> bool:  # noqa: ANN001
    """Hide the search index from Alembic's autogenerate: its migration owns it."""
    return name not in SEARCH_INDEX_OBJECTS
