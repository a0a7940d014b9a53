"""Review: "plan the next contact" pressed twice at once must plan one task (PostgreSQL)."""

import threading
import time

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Party, Task, User
from crm.services.cadence import plan_next_contact
from tests.factories import make_party


def test_two_simultaneous_presses_plan_one_task(app, manager):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite writers queue (BEGIN IMMEDIATE); the race is PostgreSQL's")
    party_id, user_id = make_party(manager, "Ромашка").id, manager.id
    db.session.commit()
    errors = []

    def press(pause: float) -> None:
        """One request: its own app context, session and transaction."""
        try:
            with app.app_context():
                plan_next_contact(db.session.get(User, user_id), db.session.get(Party, party_id))
                time.sleep(pause)  # the first press is still open when the second arrives
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    first = threading.Thread(target=press, args=(0.5,))
    second = threading.Thread(target=press, args=(0,))
    first.start()
    time.sleep(0.1)
    second.start()
    first.join(10)
    second.join(10)
    assert errors == []
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Task)) == 1
