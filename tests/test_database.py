"""SQLite runs with WAL and foreign keys, and concurrent writers wait instead of failing."""

import threading
import time

import pytest
from sqlalchemy import text

from crm.extensions import db
from tests.factories import make_party


@pytest.fixture
def sqlite_only():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite tuning")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_only):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_a_second_writer_waits_for_the_first_instead_of_failing(app, sqlite_only, manager):
    party_id = make_party(manager, "Shared").id
    db.session.rollback()  # the test itself holds no transaction while the writers run
    first_has_lock, errors = threading.Event(), []

    def first_writer():
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(
                text("UPDATE parties SET notes = 'first' WHERE id = :id"), {"id": party_id}
            )
            first_has_lock.set()
            time.sleep(0.5)  # hold the write lock while the second writer arrives

    def second_writer():
        try:
            assert first_has_lock.wait(timeout=10), "the first writer never got the lock"
            with app.app_context(), db.engine.begin() as connection:
                connection.execute(
                    text("UPDATE parties SET notes = notes || '+second' WHERE id = :id"),
                    {"id": party_id},
                )
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(exc)

    threads = [threading.Thread(target=first_writer), threading.Thread(target=second_writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    notes = db.session.scalar(text("SELECT notes FROM parties WHERE id = :id"), {"id": party_id})
    assert notes == "first+second"
