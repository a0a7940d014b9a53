"""Task lists: filters, keyset pages without gaps, who sees which tasks, and "my day"."""

from datetime import date, time, timedelta

import pytest

from crm.extensions import db
from crm.models import TaskStatus
from crm.services import task_list, tasks
from crm.services.errors import NotFoundError
from crm.services.settings import set_setting
from crm.services.task_list import TaskFilter, list_tasks
from crm.services.tasks import TaskData
from tests.factories import make_party, make_user

TODAY = date(2026, 11, 4)  # a Wednesday: "this week" runs to Sunday the 8th


def make_task(actor, assignee=None, due=TODAY, **fields):  # noqa: ANN001, ANN201
    data = TaskData(
        title=fields.pop("title", "Call back"),
        assignee=assignee or actor,
        due_date=due,
        **fields,
    )
    task = tasks.create_task(actor, data)
    db.session.commit()
    return task


def titles(page) -> list[str]:  # noqa: ANN001
    return [t.title for t in page.tasks]


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("", ["last month", "yesterday", "today", "friday", "next monday"]),
        ("overdue", ["last month", "yesterday"]),
        ("today", ["today"]),
        ("week", ["today", "friday"]),
        ("later", ["next monday"]),
    ],
)
def test_due_filters_follow_the_due_windows(manager, due, expected):
    for title, days in [
        ("last month", -30),
        ("yesterday", -1),
        ("today", 0),
        ("friday", 2),
        ("next monday", 5),
    ]:
        make_task(manager, due=TODAY + timedelta(days=days), title=title)

    page = list_tasks(manager, TaskFilter(assignee_id=manager.id, due=due), TODAY)

    assert titles(page) == expected


def test_assignee_status_and_party_filters(manager, admin):
    party = make_party(manager)
    make_task(manager, title="mine")
    make_task(manager, title="mine for the client", party=party)
    make_task(admin, admin, title="the admin's")
    done = make_task(manager, title="done")
    tasks.complete_task(manager, done)
    cancelled = make_task(manager, title="cancelled")
    tasks.cancel_task(manager, cancelled)
    db.session.commit()

    def listed(**filters) -> list[str]:  # noqa: ANN003
        return sorted(titles(list_tasks(manager, TaskFilter(**filters), TODAY)))

    assert listed(assignee_id=manager.id) == ["mine", "mine for the client"]
    assert listed() == ["mine", "mine for the client", "the admin's"]
    assert listed(assignee_id=admin.id) == ["the admin's"]
    assert listed(status=TaskStatus.DONE) == ["done"]
    assert listed(status=TaskStatus.CANCELLED) == ["cancelled"]
    assert listed(party_id=party.id) == ["mine for the client"]


@pytest.mark.parametrize("status", [TaskStatus.OPEN, TaskStatus.DONE])
def test_pages_follow_each_other_without_gaps_or_repeats(manager, status):
    made = [make_task(manager, due=TODAY + timedelta(days=i % 4), title=f"t{i}") for i in range(11)]
    if status == TaskStatus.DONE:
        for task in made:
            tasks.complete_task(manager, task)
        db.session.commit()

    seen, cursor, pages = [], "", 0
    while True:
        page = list_tasks(manager, TaskFilter(status=status, after=cursor), TODAY, page_size=4)
        seen += page.tasks
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert pages == 3
    assert sorted(t.id for t in seen) == sorted(t.id for t in made)
    keys = [(t.due_date, t.id) for t in seen]
    # Open tasks soonest first; closed ones latest first.
    assert keys == sorted(keys, reverse=status == TaskStatus.DONE)


@pytest.mark.parametrize("cursor", ["nonsense", "2026-13-01.4", "2026-11-01.x", "."])
def test_a_tampered_cursor_starts_from_the_first_page(manager, cursor):
    make_task(manager)

    page = list_tasks(manager, TaskFilter(after=cursor), TODAY)

    assert titles(page) == ["Call back"]


def test_a_manager_limited_to_own_clients_sees_only_tasks_that_concern_them(manager, admin):
    other = make_user("dmitry@example.com", name="Dmitry")
    mine, theirs = make_party(manager, "Mine"), make_party(other, "Theirs")
    make_task(other, other, title="theirs, their client", party=theirs)
    make_task(other, other, title="theirs, no client")
    make_task(other, other, title="theirs, on my client", party=mine)
    make_task(other, manager, title="given to me")
    make_task(manager, other, title="I gave it")
    set_setting("manager_visibility", "own")
    db.session.commit()

    listed = sorted(titles(list_tasks(manager, TaskFilter(), TODAY)))

    assert listed == ["I gave it", "given to me", "theirs, on my client"]
    hidden = make_task(other, other, title="hidden")
    with pytest.raises(NotFoundError):
        task_list.get_task(manager, hidden.id)
    assert task_list.get_task(admin, hidden.id) == hidden


def test_my_day_splits_my_open_tasks_into_overdue_today_and_the_next_seven_days(manager, admin):
    make_task(manager, due=TODAY - timedelta(days=3), title="overdue")
    make_task(manager, due=TODAY, title="today, any time", priority=3)
    make_task(manager, due=TODAY, due_time=time(9, 30), title="today at 9:30")
    make_task(manager, due=TODAY + timedelta(days=7), title="in a week")
    make_task(manager, due=TODAY + timedelta(days=8), title="too far")
    make_task(admin, admin, due=TODAY, title="not mine")
    done = make_task(manager, due=TODAY, title="done already")
    tasks.complete_task(manager, done)
    db.session.commit()

    day = task_list.my_day(manager, TODAY)

    assert [t.title for t in day.overdue] == ["overdue"]
    assert not day.overdue_more
    assert [t.title for t in day.today] == ["today at 9:30", "today, any time"]
    assert [t.title for t in day.upcoming] == ["in a week"]


def test_my_day_says_when_there_are_more_overdue_tasks_than_shown(manager):
    for days in range(1, 5):
        make_task(manager, due=TODAY - timedelta(days=days))

    day = task_list.my_day(manager, TODAY, overdue_limit=3)

    assert len(day.overdue) == 3 and day.overdue_more


@pytest.mark.parametrize("visibility", ["all", "own"])
def test_changeable_agrees_with_may_change(manager, admin, viewer, visibility):
    other = make_user("dmitry@example.com", name="Dmitry")
    mine, theirs = make_party(manager, "Mine"), make_party(other, "Theirs")
    made = [
        make_task(other, other, party=theirs),
        make_task(other, other),
        make_task(other, other, party=mine),
        make_task(other, manager),
        make_task(manager, other),
        make_task(admin, admin),
    ]
    set_setting("manager_visibility", visibility)
    db.session.commit()

    for user in (manager, admin, other, viewer):
        expected = {t.id for t in made if tasks.may_change(user, t)}
        assert task_list.changeable(user, made) == expected, user.email
