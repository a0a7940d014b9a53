"""The party timeline merges every kind of event; the calendar feed parses back."""

from datetime import date, time, timedelta

from icalendar import Calendar

from crm.extensions import db
from crm.models.base import utcnow
from crm.services import calendar_feed, interactions, parties, tasks
from crm.services.tasks import TaskData
from crm.services.timeline import party_timeline
from tests.factories import make_party


def test_timeline_is_newest_first_filterable_and_pages_without_gaps(manager):
    party = make_party(manager, "Ромашка")
    now = utcnow()
    for i in range(5):
        interactions.log_interaction(
            manager, party, type="call", occurred_at=now - timedelta(days=i + 1), summary=f"C{i}"
        )
    task = tasks.create_task(
        manager, TaskData("Send offer", manager, date(2026, 12, 1), party=party)
    )
    tasks.complete_task(manager, task)
    parties.update_party(manager, party, {"notes": "VIP"}, party.version)
    db.session.commit()
    kinds = [e.kind for e in party_timeline(party, limit=50)[0]]
    assert set(kinds) == {"interaction", "stage", "task_created", "task_done", "change"}
    seen, cursor = [], None
    while True:
        page, cursor = party_timeline(party, cursor=cursor, limit=3)
        seen += page
        if cursor is None:
            break
    assert [e.sort_key() for e in seen] == sorted((e.sort_key() for e in seen), reverse=True)
    assert len(seen) == len(set(seen)) == len(kinds)
    only_calls = party_timeline(party, kinds=frozenset({"interaction"}), limit=50)[0]
    assert [e.item.summary for e in only_calls] == ["C0", "C1", "C2", "C3", "C4"]


def test_calendar_feed_lists_open_tasks_and_parses_back(manager):
    party = make_party(manager, "Ромашка")
    tasks.create_task(
        manager, TaskData("Call", manager, date(2026, 12, 1), time(10, 30), party=party)
    )
    tasks.create_task(manager, TaskData("All day", manager, date(2026, 12, 2)))
    done = tasks.create_task(manager, TaskData("Done", manager, date(2026, 12, 3)))
    tasks.complete_task(manager, done)
    token = calendar_feed.regenerate_token(manager)
    db.session.commit()
    assert calendar_feed.user_for_token(token) == manager
    parsed = Calendar.from_ical(calendar_feed.feed(manager, "https://crm.example"))
    events = {str(e["summary"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"Call — Ромашка", "All day"}
    assert events["Call — Ромашка"].decoded("dtstart").hour == 10
    assert str(events["Call — Ромашка"]["url"]) == f"https://crm.example/clients/{party.id}"
    old = token
    calendar_feed.regenerate_token(manager)
    assert calendar_feed.user_for_token(old) is None
