"""Review: a repeating task's next date, and tasks of trashed parties."""

from datetime import date, datetime

from crm.extensions import db
from crm.services import parties, task_list, tasks
from crm.services.tasks import TaskData
from tests.factories import make_party


def test_a_repeating_task_comes_back_on_a_local_date_not_a_utc_one(app, manager, monkeypatch):
    # 22:30 UTC on 10 March is 00:30 on 11 March in Kyiv (UTC+2 until the end of March).
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "Europe/Kyiv")
    frozen = datetime(2026, 3, 10, 22, 30)
    monkeypatch.setattr("crm.services.tasks.utcnow", lambda: frozen)
    monkeypatch.setattr("crm.services.clock.utcnow", lambda: frozen)
    task = tasks.create_task(
        manager,
        TaskData("Daily call", manager, date(2026, 3, 9), repeat_every=1, repeat_unit="days"),
    )
    db.session.commit()
    follow_up = tasks.complete_task(manager, task)
    today = date(2026, 3, 11)  # the company's today (clock.local_today)
    # Done just now, the next turn must not already be overdue.
    assert follow_up.due_date >= today
    assert tasks.overdue_count(manager, today) == 0


def test_open_tasks_of_a_trashed_party_leave_my_day_and_the_overdue_count(manager):
    party = make_party(manager, "Ромашка")
    tasks.create_task(manager, TaskData("Call", manager, date(2020, 1, 1), party=party))
    db.session.commit()
    parties.trash_party(manager, party)
    db.session.commit()
    today = date(2026, 1, 1)
    # The party is gone for the manager (its page 404s), yet its task keeps nagging.
    assert tasks.overdue_count(manager, today) == 0
    assert task_list.my_day(manager, today).overdue == []
