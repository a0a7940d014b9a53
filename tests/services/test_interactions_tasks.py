"""Interactions move the last contact; tasks repeat, move with a hand-over, and guard access."""

from dataclasses import replace
from datetime import date, time, timedelta
from unittest.mock import patch

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Task, TaskStatus
from crm.models.base import utcnow
from crm.services import interactions, tasks
from crm.services.errors import DomainError, PermissionDeniedError
from crm.services.handover import hand_over
from crm.services.settings import set_setting
from crm.services.tasks import TaskData
from tests.factories import make_contact, make_party, make_user


def test_a_call_moves_the_last_contact_forward_but_a_note_does_not(manager):
    party = make_party(manager)
    before = party.last_contact_at
    called = utcnow() - timedelta(hours=1)
    interactions.log_interaction(
        manager, party, type="note", occurred_at=utcnow(), summary="Thinking about it"
    )
    assert party.last_contact_at == before
    interactions.log_interaction(manager, party, type="call", occurred_at=called, summary="Hi")
    assert party.last_contact_at == called
    interactions.log_interaction(
        manager, party, type="email", occurred_at=called - timedelta(days=9), summary="Old"
    )
    assert party.last_contact_at == called  # an older interaction never moves it back
    assert party.version == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "fax"}, "Unknown"),
        ({"summary": "  "}, "few words"),
        ({"occurred_at": utcnow() + timedelta(days=3)}, "future"),
        ({"satisfaction": 6}, "1 to 5"),
    ],
)
def test_bad_interactions_are_refused(manager, change, message):
    party = make_party(manager)
    data = {"type": "call", "occurred_at": utcnow(), "summary": "Hi"} | change
    with pytest.raises(DomainError, match=message):
        interactions.log_interaction(manager, party, **data)


def test_a_contact_from_another_party_is_refused(manager):
    party, other = make_party(manager, "A"), make_party(manager, "B")
    stranger = make_contact(other, "Stranger")
    with pytest.raises(DomainError):
        interactions.log_interaction(
            manager, party, type="call", occurred_at=utcnow(), summary="Hi", contact=stranger
        )


def task_data(assignee, **kwargs):
    return TaskData(title="Call back", assignee=assignee, due_date=date(2026, 11, 2), **kwargs)


@pytest.mark.parametrize(
    ("every", "unit", "today", "expected"),
    [
        (1, "weeks", date(2026, 11, 3), date(2026, 11, 9)),
        (2, "days", date(2026, 11, 2), date(2026, 11, 4)),
        (1, "months", date(2026, 11, 2), date(2026, 12, 2)),
        (1, "weeks", date(2026, 11, 30), date(2026, 11, 30)),  # missed turns are skipped
    ],
)
def test_repeating_tasks_keep_their_cadence(manager, every, unit, today, expected):
    task = tasks.create_task(manager, task_data(manager, repeat_every=every, repeat_unit=unit))
    assert tasks.next_due(task, today) == expected


def test_completing_a_repeating_task_creates_the_next_one(manager):
    task = tasks.create_task(manager, task_data(manager, repeat_every=1, repeat_unit="weeks"))
    follow_up = tasks.complete_task(manager, task, task.version)
    assert task.status == TaskStatus.DONE and follow_up.status == TaskStatus.OPEN
    assert follow_up.due_date > task.due_date and follow_up.repeat_unit == "weeks"
    assert tasks.complete_task(manager, follow_up) is not None


def complete_series(manager, task, times: int) -> list[date]:  # noqa: ANN001
    """Complete the task and its follow-ups on their due dates; the dates they came due."""
    dates = [task.due_date]
    for _ in range(times):
        with patch("crm.services.tasks.local_today", return_value=task.due_date):
            task = tasks.complete_task(manager, task)
        dates.append(task.due_date)
    return dates


def test_a_monthly_task_from_the_31st_keeps_to_the_month_end_without_drifting(manager):
    data = task_data(manager, repeat_every=1, repeat_unit="months")
    task = tasks.create_task(manager, replace(data, due_date=date(2027, 1, 31)))

    dates = complete_series(manager, task, 4)

    assert dates == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),  # not the 28th
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]


def test_a_postponed_turn_does_not_move_or_swallow_the_next_ones(manager):
    data = task_data(manager, repeat_every=1, repeat_unit="months")
    task = tasks.create_task(manager, replace(data, due_date=date(2027, 1, 31)))
    tasks.reschedule_task(manager, task, date(2027, 2, 3), None)  # January's, done late

    with patch("crm.services.tasks.local_today", return_value=date(2027, 2, 3)):
        february = tasks.complete_task(manager, task)

    assert february.due_date == date(2027, 2, 28)
    assert complete_series(manager, february, 1)[-1] == date(2027, 3, 31)


def test_moving_the_whole_series_makes_the_next_turns_count_from_the_new_date(manager):
    data = task_data(manager, repeat_every=1, repeat_unit="weeks")
    task = tasks.create_task(manager, replace(data, due_date=date(2027, 3, 1)))  # a Monday
    tasks.reschedule_task(manager, task, date(2027, 3, 3), None, whole_series=True)

    assert complete_series(manager, task, 2) == [
        date(2027, 3, 3),
        date(2027, 3, 10),
        date(2027, 3, 17),
    ]


def test_closed_or_stale_tasks_cannot_change(manager):
    task = tasks.create_task(manager, task_data(manager))
    opened = task.version
    tasks.reschedule_task(manager, task, date(2026, 12, 1), time(10, 0))
    with pytest.raises(DomainError):
        tasks.complete_task(manager, task, opened)
    tasks.cancel_task(manager, task)
    with pytest.raises(DomainError):
        tasks.complete_task(manager, task)


def test_viewers_and_strangers_cannot_change_tasks(manager, viewer):
    other = make_user("dmitry@example.com")
    mine = tasks.create_task(manager, task_data(manager))
    with pytest.raises(PermissionDeniedError):
        tasks.complete_task(viewer, mine)
    with pytest.raises(PermissionDeniedError):
        tasks.complete_task(other, mine)  # not assignee, not creator, no party


def test_tasks_for_a_client_the_assignee_may_not_see_are_refused(manager):
    other = make_user("dmitry@example.com")
    theirs = make_party(other)
    set_setting("manager_visibility", "own")
    with pytest.raises(DomainError):
        tasks.create_task(manager, task_data(manager, party=theirs))


@pytest.mark.parametrize(
    ("every", "unit"), [(1, None), (None, "days"), (0, "days"), (1, "fortnights")]
)
def test_bad_repetitions_are_refused(manager, every, unit):
    with pytest.raises(DomainError):
        tasks.create_task(manager, task_data(manager, repeat_every=every, repeat_unit=unit))


def test_overdue_count_counts_only_my_open_past_tasks(manager):
    today = date(2026, 11, 10)
    for due in (date(2026, 11, 1), date(2026, 11, 9), date(2026, 11, 10)):
        tasks.create_task(manager, TaskData("T", manager, due))
    done = tasks.create_task(manager, TaskData("Done", manager, date(2026, 11, 1)))
    tasks.complete_task(manager, done)
    assert tasks.overdue_count(manager, today) == 2


def test_hand_over_moves_open_tasks_and_asks_for_introductions_to_key_clients(admin, manager):
    leaving = make_user("leaving@example.com", name="Leaving")
    key = make_party(leaving, "Key client")
    small = make_party(leaving, "Small client")
    from crm.models import Stage
    from crm.services import ladder

    top = db.session.scalar(select(Stage).where(Stage.key == "advocate"))
    ladder.move_party(leaving, key, top, key.stage_id)
    open_task = tasks.create_task(
        leaving, TaskData("Follow up", leaving, date(2026, 12, 1), party=small)
    )
    other_task = tasks.create_task(leaving, TaskData("Admin stuff", leaving, date(2026, 12, 1)))
    assert hand_over(admin, leaving, manager) == 2
    assert open_task.assignee_id == other_task.assignee_id == manager.id
    intro = db.session.scalars(select(Task).where(Task.title.like("Introduce%"))).all()
    assert [(t.party_id, t.assignee_id) for t in intro] == [(key.id, manager.id)]
