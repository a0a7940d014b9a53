"""Review: "plan the next contact" pressed twice at once makes two tasks on PostgreSQL."""

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
    # Two requests, each in its own app context and so its own session and transaction.
    first, second = app.app_context(), app.app_context()
    first.push()
    plan_next_contact(db.session.get(User, user_id), db.session.get(Party, party_id))
    second.push()
    plan_next_contact(db.session.get(User, user_id), db.session.get(Party, party_id))
    db.session.commit()
    second.pop()
    db.session.commit()
    first.pop()
    count = db.session.scalar(select(func.count()).select_from(Task))
    assert count == 1
