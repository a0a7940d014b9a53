"""Tasks over HTTP: the list and My day as page and fragment, every change route, the feed."""

import re
from datetime import date, datetime, time, timedelta
from html import unescape

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Interaction, Party, Task, TaskStatus, User
from crm.models.base import utcnow
from crm.services import tasks
from crm.services.settings import set_setting
from crm.services.tasks import TaskData
from tests.blueprints.test_statement_budget import HTMX, counted_get, explain, within_budget
from tests.factories import make_contact, make_party, make_user


def today() -> date:
    return utcnow().date()  # the test app runs in UTC


def make_task(actor, assignee=None, due=None, **fields) -> Task:  # noqa: ANN001
    data = TaskData(
        title=fields.pop("title", "Call back"),
        assignee=assignee or actor,
        due_date=due or today(),
        **fields,
    )
    task = tasks.create_task(actor, data)
    db.session.commit()
    return task


def fresh(task_id: int) -> Task:
    db.session.expire_all()
    return db.session.get(Task, task_id)


def task_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Task))


def interaction_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Interaction))


def error_of(html: str, field_id: str) -> str:
    """The message shown next to a field (the macro's <p id="<field>-error">)."""
    found = re.search(rf'<p id="{re.escape(field_id)}-error" class="error"[^>]*>([^<]*)</p>', html)
    assert found, f"no error next to {field_id}"
    return found.group(1)


def task_form(party_id: int = 0, **changes) -> dict:  # noqa: ANN003
    return {
        "title": "Send the price list",
        "description": "The spring one",
        "party_id": party_id,
        "contact_id": 0,
        "due_date": (today() + timedelta(days=3)).isoformat(),
        "due_time": "",
        "priority": 2,
        "repeat_every": "",
        "repeat_unit": "",
        **changes,
    }


# --- the list ---------------------------------------------------------------------------------


def test_the_list_is_a_full_page_and_an_htmx_fragment_at_the_same_url(client, manager):
    make_task(manager, title="Call Ромашка", due=today() - timedelta(days=2))
    make_task(manager, title="Send samples", due=today() + timedelta(days=20))
    client.login(manager.email)

    page = client.get("/tasks?due=overdue")
    fragment = client.get("/tasks?due=overdue", headers=HTMX)

    assert page.status_code == fragment.status_code == 200
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]
    html = page.get_data(as_text=True)
    assert "<html" in html and 'name="due"' in html and "Call Ромашка" in html
    assert "Send samples" not in html
    part = fragment.get_data(as_text=True)
    assert "<html" not in part and "Call Ромашка" in part and "Send samples" not in part
    assert 'hx-push-url="true"' in html  # the filter form puts each filter into the address


def test_overdue_tasks_stand_out_in_words_not_only_in_colour(client, manager):
    make_task(manager, title="Late", due=today() - timedelta(days=3))
    make_task(manager, title="On time", due=today() + timedelta(days=1))
    client.login(manager.email)

    html = client.get("/tasks").get_data(as_text=True)

    late = re.search(r'<li id="task-\d+" class="task status-open overdue">.*?</li>', html, re.S)
    assert late and "Late" in late.group(0) and "3 days overdue" in late.group(0)
    assert html.count("days overdue") == 1


def test_show_more_brings_the_next_rows_only(client, manager, app):
    for i in range(app.config["PAGE_SIZE"] + 3):
        make_task(manager, title=f"Task {i:02}", due=today() + timedelta(days=i))
    client.login(manager.email)

    first = client.get("/tasks").get_data(as_text=True)
    link = re.search(r'href="(/tasks\?[^"]*after=[^"]*)"', first)
    assert link, "no show-more link"
    more = client.get(link.group(1).replace("&amp;", "&"), headers=HTMX).get_data(as_text=True)

    assert "Task 24" in first and "Task 25" not in first
    assert "<ul" not in more and "Task 25" in more and "Task 27" in more and "Task 24" not in more
    assert "Show more" not in more
    # Without htmx, the same link is a page of its own.
    page = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "<html" in page and "Task 25" in page


def test_filters_for_assignee_status_and_client(client, manager, admin):
    party = make_party(manager, "Ромашка")
    make_task(manager, title="Mine")
    make_task(admin, admin, title="Ada's")
    make_task(manager, title="For Ромашка", party=party)
    done = make_task(manager, title="Finished")
    tasks.complete_task(manager, done)
    db.session.commit()
    client.login(manager.email)

    def shown(url: str) -> set[str]:
        html = client.get(url, headers=HTMX).get_data(as_text=True)
        return {unescape(t) for t in re.findall(r"<strong>([^<]+)</strong>", html)}

    assert shown("/tasks") == {"Mine", "For Ромашка"}
    assert shown("/tasks?assignee=all") == {"Mine", "Ada's", "For Ромашка"}
    assert shown(f"/tasks?assignee={admin.id}") == {"Ada's"}
    assert shown("/tasks?status=done") == {"Finished"}
    assert shown(f"/tasks?party={party.id}&assignee=all") == {"For Ромашка"}
    make_task(admin, admin, title="Ada's for Ромашка", party=party)
    # From the client's card: everyone's tasks for that client.
    assert shown(f"/tasks?party={party.id}") == {"For Ромашка", "Ada's for Ромашка"}
    assert shown("/tasks?status=bogus&due=bogus&assignee=bogus") == {"Mine", "For Ромашка"}


def test_a_client_filter_for_a_client_the_user_may_not_see_is_not_found(client, manager):
    other = make_user("dmitry@example.com")
    theirs = make_party(other)
    set_setting("manager_visibility", "own")
    db.session.commit()
    client.login(manager.email)

    assert client.get(f"/tasks?party={theirs.id}").status_code == 404


def test_the_navigation_shows_my_overdue_count(client, manager, admin):
    make_task(manager, due=today() - timedelta(days=1))
    make_task(manager, due=today() - timedelta(days=5))
    make_task(manager, due=today())
    make_task(admin, admin, due=today() - timedelta(days=1))
    client.login(manager.email)

    html = client.get("/clients").get_data(as_text=True)

    badge = re.search(r'<span id="nav-overdue" class="nav-badge">(.*?)</span>\s*</a>', html, re.S)
    assert badge and "(2 overdue tasks)" in badge.group(1)


def test_anonymous_users_are_sent_to_log_in(client):
    for url in ("/", "/tasks", "/tasks/new", "/tasks/1", "/tasks/1/reschedule"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert 'id="nav-overdue"' not in client.get("/login").get_data(as_text=True)


# --- a new task -------------------------------------------------------------------------------


def test_new_task_preselects_the_client_and_lists_its_contacts(client, manager):
    party = make_party(manager, "Ромашка")
    make_contact(party, "Петро Іваненко")
    client.login(manager.email)

    html = client.get(f"/tasks/new?party={party.id}").get_data(as_text=True)

    assert f'<option selected value="{party.id}">Ромашка</option>' in html
    assert "Петро Іваненко" in html
    for label in ("title", "description", "party_id", "contact_id", "assignee_id", "due_date"):
        assert f'<label for="{label}">' in html, label


def test_picking_a_client_reloads_the_contact_field(client, manager):
    party = make_party(manager, "Ромашка")
    make_contact(party, "Петро Іваненко")
    client.login(manager.email)

    html = client.get(f"/tasks/new/contacts?party_id={party.id}", headers=HTMX).get_data(
        as_text=True
    )

    assert html.strip().startswith('<div id="contact-field">') and "Петро Іваненко" in html


def test_a_new_task_is_saved(client, manager):
    party = make_party(manager, "Ромашка")
    contact = make_contact(party, "Петро Іваненко")
    client.login(manager.email)
    data = task_form(
        party.id,
        contact_id=contact.id,
        assignee_id=manager.id,
        due_time="14:30",
        priority=3,
        repeat_every=2,
        repeat_unit="weeks",
    )

    response = client.send("/tasks/new", data)

    assert response.status_code == 302
    task = db.session.scalar(select(Task))
    assert (task.title, task.party_id, task.contact_id, task.due_time) == (
        "Send the price list",
        party.id,
        contact.id,
        time(14, 30),
    )
    assert (task.priority, task.repeat_every, task.repeat_unit) == (3, 2, "weeks")
    assert task.created_by_id == manager.id and task.status == TaskStatus.OPEN


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"due_date": "2026-02-30"}, "due_date", "There is no such date: 2026-02-30."),
        ({"due_date": "tomorrow"}, "due_date", "Enter the date as YYYY-MM-DD"),
        ({"due_date": "30.11.2026"}, "due_date", "Enter the date as YYYY-MM-DD"),
        ({"due_date": "20261130"}, "due_date", "Enter the date as YYYY-MM-DD"),
        ({"due_date": "  "}, "due_date", "Pick a due date."),
        ({"due_time": "25:00"}, "due_time", "There is no such time: 25:00."),
        ({"due_time": "noon"}, "due_time", "Enter the time as HH:MM"),
        ({"title": "  "}, "title", "This field is required."),
        ({"repeat_every": "2"}, "repeat_unit", "Give both the number and the unit"),
        ({"repeat_unit": "days"}, "repeat_unit", "Give both the number and the unit"),
        ({"repeat_every": "0", "repeat_unit": "days"}, "repeat_every", "From 1 to 365."),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(
    client, manager, changes, field, message
):
    client.login(manager.email)

    response = client.send("/tasks/new", task_form(assignee_id=manager.id, **changes))

    assert response.status_code == 422
    assert message in error_of(response.get_data(as_text=True), field)
    assert task_count() == 0


def test_a_task_for_a_client_the_user_may_not_see_is_not_found(client, manager):
    other = make_user("dmitry@example.com")
    theirs = make_party(other)
    set_setting("manager_visibility", "own")
    db.session.commit()
    client.login(manager.email)

    assert client.get(f"/tasks/new?party={theirs.id}").status_code == 404
    response = client.send("/tasks/new", task_form(theirs.id, assignee_id=manager.id))
    assert response.status_code == 404
    assert task_count() == 0


def test_a_task_for_someone_who_may_not_see_the_client_is_refused(client, admin, manager):
    other = make_user("dmitry@example.com")
    theirs = make_party(other)
    set_setting("manager_visibility", "own")
    db.session.commit()
    client.login(admin.email)

    response = client.send("/tasks/new", task_form(theirs.id, assignee_id=manager.id))

    assert response.status_code == 422
    assert "may not see that client" in error_of(response.get_data(as_text=True), "assignee_id")
    assert task_count() == 0


# --- changes in the row -----------------------------------------------------------------------


def test_complete_in_one_click_updates_the_row_in_place(client, manager):
    task = make_task(manager, due=today() - timedelta(days=1))
    client.login(manager.email)

    response = client.send(f"/tasks/{task.id}/complete", {"version": task.version}, htmx=True)

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f'<li id="task-{task.id}" class="task status-done">' in html
    assert 'id="nav-overdue" class="nav-badge" hx-swap-oob="true"' in html  # badge refreshed
    assert response.headers["HX-Trigger"] == "tasks-changed"
    assert fresh(task.id).status == TaskStatus.DONE


def test_completing_a_repeating_task_shows_its_next_turn(client, manager):
    task = make_task(manager, repeat_every=1, repeat_unit="weeks")
    client.login(manager.email)

    html = client.send(f"/tasks/{task.id}/complete", {"version": 1}, htmx=True).get_data(
        as_text=True
    )

    follow_up = db.session.scalar(select(Task).where(Task.status == TaskStatus.OPEN))
    assert follow_up.due_date == today() + timedelta(weeks=1)
    assert f'<li id="task-{follow_up.id}"' in html and "Next time" in html


def test_without_htmx_a_change_goes_back_where_it_came_from(client, manager):
    task = make_task(manager)
    client.login(manager.email)

    response = client.send(f"/tasks/{task.id}/complete", {"version": 1, "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"

    other = make_task(manager)
    response = client.send(
        f"/tasks/{other.id}/cancel", {"version": 1, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/tasks"


def test_a_stale_complete_gets_a_conflict_and_changes_nothing(client, manager):
    task = make_task(manager)
    opened = task.version
    tasks.reschedule_task(manager, task, today() + timedelta(days=2), None)
    db.session.commit()
    client.login(manager.email)

    response = client.send(f"/tasks/{task.id}/complete", {"version": opened}, htmx=True)

    assert response.status_code == 409
    assert "Someone changed this task after you opened it" in response.get_data(as_text=True)
    assert fresh(task.id).status == TaskStatus.OPEN


def test_a_closed_task_cannot_be_completed_again(client, manager):
    task = make_task(manager)
    tasks.cancel_task(manager, task)
    db.session.commit()
    client.login(manager.email)

    response = client.send(f"/tasks/{task.id}/complete", {"version": task.version}, htmx=True)

    assert response.status_code == 409
    assert "This task is closed already." in response.get_data(as_text=True)
    assert fresh(task.id).status == TaskStatus.CANCELLED


def test_cancel(client, manager):
    task = make_task(manager)
    client.login(manager.email)

    response = client.send(f"/tasks/{task.id}/cancel", {"version": 1}, htmx=True)

    assert response.status_code == 200 and "Cancelled" in response.get_data(as_text=True)
    assert fresh(task.id).status == TaskStatus.CANCELLED


def test_the_reschedule_form_opens_in_the_row_and_as_a_page(client, manager):
    task = make_task(manager, due=date(2026, 5, 4), due_time=time(9, 0))
    client.login(manager.email)

    fragment = client.get(f"/tasks/{task.id}/reschedule", headers=HTMX).get_data(as_text=True)
    page = client.get(f"/tasks/{task.id}/reschedule").get_data(as_text=True)

    assert "<html" not in fragment
    assert f'<label for="due_date-{task.id}">' in fragment and 'value="2026-05-04"' in fragment
    assert 'value="09:00"' in fragment
    assert "<html" in page and f'id="due_date-{task.id}"' in page


def test_reschedule_moves_the_task(client, manager):
    task = make_task(manager)
    client.login(manager.email)
    new_day = today() + timedelta(days=10)

    response = client.send(
        f"/tasks/{task.id}/reschedule",
        {"version": 1, "due_date": new_day.isoformat(), "due_time": "16:15"},
        htmx=True,
    )

    assert response.status_code == 200
    moved = fresh(task.id)
    assert (moved.due_date, moved.due_time) == (new_day, time(16, 15))


def test_a_repeating_task_asks_whether_the_next_repetitions_move_too(client, manager):
    once = make_task(manager)
    weekly = make_task(manager, due=date(2027, 3, 1), repeat_every=1, repeat_unit="weeks")
    client.login(manager.email)
    label = "The next repetitions move too"
    assert label not in client.get(f"/tasks/{once.id}/reschedule", headers=HTMX).text
    assert label in client.get(f"/tasks/{weekly.id}/reschedule", headers=HTMX).text

    client.send(
        f"/tasks/{weekly.id}/reschedule",
        {"version": 1, "due_date": "2027-03-03", "whole_series": "y"},
        htmx=True,
    )

    moved = fresh(weekly.id)
    assert (moved.due_date, moved.repeat_start, moved.repeat_turn) == (
        date(2027, 3, 3),
        date(2027, 3, 3),
        0,
    )


@pytest.mark.parametrize(
    ("due_date", "due_time", "field", "message"),
    [
        ("2026-02-30", "", "due_date", "There is no such date"),
        ("tomorrow", "", "due_date", "Enter the date as YYYY-MM-DD"),
        ("", "", "due_date", "Pick a due date."),
        ("2026-03-01", "24:61", "due_time", "There is no such time"),
    ],
)
def test_a_bad_reschedule_shows_the_error_next_to_the_field(
    client, manager, due_date, due_time, field, message
):
    task = make_task(manager, due=date(2026, 5, 4))
    client.login(manager.email)

    response = client.send(
        f"/tasks/{task.id}/reschedule",
        {"version": 1, "due_date": due_date, "due_time": due_time},
        htmx=True,
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    assert message in error_of(html, f"{field}-{task.id}")
    assert f'value="{due_date}"' in html  # the input is kept
    assert fresh(task.id).due_date == date(2026, 5, 4)


def test_a_stale_reschedule_gets_a_conflict_and_keeps_the_other_change(client, manager):
    task = make_task(manager)
    tasks.reschedule_task(manager, task, date(2026, 6, 1), None)
    db.session.commit()
    client.login(manager.email)

    response = client.send(
        f"/tasks/{task.id}/reschedule", {"version": 1, "due_date": "2026-07-01"}, htmx=True
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone changed this task" in html
    current = fresh(task.id).version
    assert f'name="version" type="hidden" value="{current}"' in html  # saving again wins
    assert 'value="2026-07-01"' in html  # what the user typed is kept
    assert fresh(task.id).due_date == date(2026, 6, 1)


# --- complete and log -------------------------------------------------------------------------


def log_form(version: int = 1, **changes) -> dict:  # noqa: ANN003
    return {
        "version": version,
        "type": "call",
        "occurred_at": (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "contact_id": 0,
        "summary": "Talked about the spring order",
        "outcome": "They want samples",
        "satisfaction": "4",
        **changes,
    }


def test_complete_and_log_does_both_in_one_go(client, manager):
    party = make_party(manager, "Ромашка")
    contact = make_contact(party, "Петро Іваненко")
    task = make_task(manager, party=party, contact=contact)
    client.login(manager.email)

    form = client.get(f"/tasks/{task.id}/log", headers=HTMX).get_data(as_text=True)
    assert f'<label for="summary-{task.id}">' in form and "Петро Іваненко" in form
    response = client.send(
        f"/tasks/{task.id}/log", log_form(contact_id=contact.id, type="meeting"), htmx=True
    )

    assert response.status_code == 200
    assert fresh(task.id).status == TaskStatus.DONE
    interaction = db.session.scalar(select(Interaction))
    assert (interaction.party_id, interaction.type, interaction.contact_id) == (
        party.id,
        "meeting",
        contact.id,
    )
    assert interaction.satisfaction == 4 and interaction.outcome == "They want samples"
    assert db.session.get(Party, party.id).last_contact_at == interaction.occurred_at


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"summary": " "}, "summary", "Say in a few words what happened."),
        ({"occurred_at": "2026-02-30T10:00"}, "occurred_at", "There is no such moment"),
        ({"occurred_at": "yesterday"}, "occurred_at", "Enter the date and time"),
        ({"occurred_at": "2999-01-01T10:00"}, "occurred_at", "cannot be in the future"),
        ({"satisfaction": "9"}, "satisfaction", "Not a valid choice"),
        ({"type": "fax"}, "type", "Not a valid choice"),
    ],
)
def test_a_bad_log_saves_nothing_and_leaves_the_task_open(client, manager, changes, field, message):
    party = make_party(manager)
    task = make_task(manager, party=party)
    client.login(manager.email)

    response = client.send(f"/tasks/{task.id}/log", log_form(**changes), htmx=True)

    assert response.status_code == 422
    assert message in error_of(response.get_data(as_text=True), f"{field}-{task.id}")
    assert fresh(task.id).status == TaskStatus.OPEN and interaction_count() == 0


def test_a_stale_complete_and_log_saves_nothing(client, manager):
    party = make_party(manager)
    task = make_task(manager, party=party)
    tasks.reschedule_task(manager, task, date(2026, 6, 1), None)
    db.session.commit()
    client.login(manager.email)

    response = client.send(f"/tasks/{task.id}/log", log_form(version=1), htmx=True)

    assert response.status_code == 409
    assert fresh(task.id).status == TaskStatus.OPEN and interaction_count() == 0


def test_a_task_without_a_client_has_nothing_to_log(client, manager):
    task = make_task(manager)
    client.login(manager.email)

    assert client.get(f"/tasks/{task.id}/log").status_code == 404
    assert client.send(f"/tasks/{task.id}/log", log_form()).status_code == 404
    assert fresh(task.id).status == TaskStatus.OPEN


# --- who may ----------------------------------------------------------------------------------

CHANGES = [
    ("post", "/tasks/{id}/complete"),
    ("post", "/tasks/{id}/cancel"),
    ("get", "/tasks/{id}/reschedule"),
    ("post", "/tasks/{id}/reschedule"),
    ("get", "/tasks/{id}/log"),
    ("post", "/tasks/{id}/log"),
]


def _call(client, method: str, url: str):  # noqa: ANN001, ANN202
    if method == "get":
        return client.get(url)
    data = {"version": 1, "due_date": "2026-12-01", **log_form()}
    return client.send(url, data)


@pytest.mark.parametrize(("method", "url"), CHANGES)
def test_a_viewer_may_change_no_task_and_unknown_tasks_are_not_found(
    client, manager, viewer, method, url
):
    party = make_party(manager)
    task = make_task(manager, party=party)
    client.login(viewer.email)

    assert _call(client, method, url.format(id=task.id)).status_code == 403
    assert _call(client, method, url.format(id=task.id + 999)).status_code == 404
    assert fresh(task.id).status == TaskStatus.OPEN and fresh(task.id).version == 1
    assert interaction_count() == 0


@pytest.mark.parametrize(("method", "url"), CHANGES)
def test_an_editor_may_not_change_a_task_that_is_not_theirs(client, manager, method, url):
    other = make_user("dmitry@example.com")
    task = make_task(other, other)  # no client: only its assignee, creator and admins
    client.login(manager.email)

    assert _call(client, method, url.format(id=task.id)).status_code == 403
    assert fresh(task.id).version == 1


@pytest.mark.parametrize(("method", "url"), CHANGES)
def test_tasks_hidden_from_a_manager_are_not_found(client, manager, method, url):
    other = make_user("dmitry@example.com")
    task = make_task(other, other, party=make_party(other))
    set_setting("manager_visibility", "own")
    db.session.commit()
    client.login(manager.email)

    assert _call(client, method, url.format(id=task.id)).status_code == 404
    assert client.get(f"/tasks/{task.id}").status_code == 404
    assert fresh(task.id).version == 1


def test_viewers_may_not_create_tasks(client, viewer, manager):
    client.login(viewer.email)

    assert client.get("/tasks/new").status_code == 403
    assert client.send("/tasks/new", task_form(assignee_id=manager.id)).status_code == 403
    assert task_count() == 0


# --- my day -----------------------------------------------------------------------------------


def test_my_day_is_the_landing_page(client, manager):
    make_task(manager, title="Overdue call", due=today() - timedelta(days=2))
    make_task(manager, title="Today's meeting", due=today(), due_time=time(15, 0))
    make_task(manager, title="Friday's letter", due=today() + timedelta(days=4))
    make_task(manager, title="Far away", due=today() + timedelta(days=30))
    quiet = make_party(manager, "Quiet client")
    client.login(manager.email)

    response = client.get("/")

    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    for text in ("My day", "Overdue call", "Today's meeting", "Friday's letter"):
        assert text in html, text
    assert "Far away" not in html
    sections = re.findall(r'<h2 id="(overdue|today|upcoming|contact)-h"', html)
    assert sections == ["overdue", "today", "upcoming", "contact"]
    assert "Quiet client" in html  # never contacted: due a contact
    assert f'action="/clients/{quiet.id}/plan-contact"' in html


def test_a_task_is_completed_in_place_on_my_day(client, manager):
    task = make_task(manager, title="Today's call")
    client.login(manager.email)
    html = client.get("/").get_data(as_text=True)
    assert f'hx-post="/tasks/{task.id}/complete"' in html and 'name="next" value="/"' in html

    response = client.send(f"/tasks/{task.id}/complete", {"version": 1}, htmx=True)

    assert response.status_code == 200 and fresh(task.id).status == TaskStatus.DONE
    assert "Today&#39;s call" not in client.get("/").get_data(as_text=True)


# --- calendar feed ----------------------------------------------------------------------------


def test_the_calendar_feed_lists_my_open_tasks_behind_a_secret_url(client, manager):
    party = make_party(manager, "Ромашка")
    make_task(manager, title="Call", due=date(2026, 12, 1), due_time=time(10, 30), party=party)
    make_task(manager, title="All day", due=date(2026, 12, 2))
    client.login(manager.email)
    assert "Create calendar address" in client.get("/tasks").get_data(as_text=True)

    assert client.send("/tasks/calendar/new", {"next": "/account"}).status_code == 302
    token = db.session.get(User, manager.id).calendar_token
    account = client.get("/account").get_data(as_text=True)
    assert f"/tasks/calendar/{token}.ics" in account and "New URL" in account
    assert f"/tasks/calendar/{token}.ics" in client.get("/tasks").get_data(as_text=True)

    anonymous = client.application.test_client()
    response = anonymous.get(f"/tasks/calendar/{token}.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"]
    parsed = Calendar.from_ical(response.data)
    events = {str(e["summary"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"Call — Ромашка", "All day"}
    assert events["Call — Ромашка"].decoded("dtstart") == datetime(2026, 12, 1, 10, 30)
    assert events["All day"].decoded("dtstart") == date(2026, 12, 2)


def test_a_new_calendar_url_retires_the_old_one(client, manager):
    client.login(manager.email)
    client.send("/tasks/calendar/new")
    old = db.session.get(User, manager.id).calendar_token

    response = client.send("/tasks/calendar/new", {"next": "/tasks"})

    db.session.expire_all()
    new = db.session.get(User, manager.id).calendar_token
    assert response.status_code == 302 and response.headers["Location"] == "/tasks"
    assert new != old
    anonymous = client.application.test_client()
    assert anonymous.get(f"/tasks/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/tasks/calendar/{new}.ics").status_code == 200


@pytest.mark.parametrize("token", ["unknown", "x" * 80, ""])
def test_an_unknown_calendar_token_is_not_found(client, token):
    assert client.get(f"/tasks/calendar/{token}.ics").status_code == 404


# --- statements -------------------------------------------------------------------------------


@pytest.fixture
def busy_manager(manager, admin):
    """A manager with overdue, today's and coming tasks on several clients, some needing contact."""

    def add(count: int, start: int = 0) -> None:
        for i in range(start, start + count):
            party = make_party(manager, f"Клієнт {i:03}")
            make_contact(party, f"Контакт {i}")
            contact = db.session.get(Party, party.id).contacts[0]
            make_task(
                manager,
                title=f"Task {i:03}",
                due=today() + timedelta(days=(i % 10) - 3),
                party=party,
                contact=contact,
                priority=(i % 3) + 1,
            )
            make_task(admin, admin, title=f"Ada {i:03}", due=today(), party=party)

    manager.add = add
    return manager


@pytest.mark.parametrize(
    ("url", "headers"),
    [("/", {}), ("/tasks", {}), ("/tasks?assignee=all", HTMX), ("/tasks?due=overdue", HTMX)],
)
def test_my_day_and_the_list_stay_within_budget_and_do_not_grow_with_rows(
    client, busy_manager, url, headers
):
    busy_manager.add(3)
    client.login(busy_manager.email)
    _, few = counted_get(client, url, headers)

    busy_manager.add(15, start=3)
    html, many = counted_get(client, url, headers)

    assert "Task 017" in html or "Task 01" in html
    assert within_budget(many), explain(many)
    assert len(many) == len(few), f"few rows: {explain(few)}\n\nmany rows: {explain(many)}"


def test_a_viewer_sees_my_day_and_everyones_tasks_without_buttons(client, manager, viewer):
    make_task(manager, title="Olena's call")
    client.login(viewer.email)

    day = client.get("/")
    listed = client.get("/tasks").get_data(as_text=True)

    assert day.status_code == 200 and "My day" in day.get_data(as_text=True)
    assert "Olena&#39;s call" in listed  # viewers start with everyone's tasks
    assert "/complete" not in listed and "New task" not in listed


def test_task_text_is_escaped_everywhere(client, manager):
    party = make_party(manager, "<b>Bold</b> Ltd")
    make_task(manager, title='"><script>alert(1)</script>', party=party, description="<i>x</i>")
    client.login(manager.email)

    for url in ("/", "/tasks"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<i>x</i>" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
