"""My day in a real browser: from a call on the client card to a planned contact, done.

Also screenshots of My day and /tasks at desktop and phone width (tests/screenshots/).
"""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Interaction, Party, Stage, Task, TaskStatus
from crm.models.base import utcnow
from crm.services import interactions, tasks
from crm.services.tasks import TaskData
from tests.browser.helpers import PASSWORD, mark_document, same_document, settle_db
from tests.factories import make_contact, make_party, make_user

pytestmark = pytest.mark.browser

NO_OVERFLOW = {"desktop": 0, "phone": 0}
MY_DAY_URL = re.compile(r"/$")


def log_in_to_my_day(page, email: str) -> None:  # noqa: ANN001
    """Log in through the form and land on My day, the landing page."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(MY_DAY_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("My day")


def test_log_a_call_plan_the_next_contact_and_complete_it_on_my_day(page, manager, console_errors):
    party = make_party(manager, "ТОВ «Ромашка»")
    make_contact(party, "Петро Іваненко")
    # A short cadence for the party's stage, so that the next contact falls into this week.
    stage = db.session.get(Stage, db.session.get(Party, party.id).stage_id)
    stage.contact_interval_days = 3
    db.session.commit()
    party_id, email = party.id, manager.email
    settle_db()

    log_in_to_my_day(page, email)
    due = page.locator("section.needs-contact")
    expect(due.get_by_role("link", name="ТОВ «Ромашка»")).to_be_visible()  # never contacted

    # On the card: log a call with the inline form.
    page.goto(f"/clients/{party_id}")
    log_form = page.locator("form.interaction-form")
    if log_form.count() == 0:
        pytest.fail("the card has no inline “Log an interaction” form yet")
    log_form.get_by_label("Type").select_option(label="Call")
    log_form.get_by_label("Summary").fill("Called about the spring order")
    log_form.get_by_role("button", name="Log it").click()
    expect(page.locator("#timeline")).to_contain_text("Called about the spring order")

    # Plan the next contact with one click.
    page.get_by_role("button", name=re.compile("Plan next contact")).click()
    expect(page.locator("#party-tasks")).to_contain_text("Contact ТОВ «Ромашка»")

    # My day shows it in the next seven days; the party no longer waits for a call.
    page.get_by_role("link", name="Client base").first.click()
    page.wait_for_url(MY_DAY_URL)
    upcoming = page.locator("section[aria-labelledby='upcoming-h']")
    row = upcoming.locator("li.task").filter(has_text="Contact ТОВ «Ромашка»")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("ТОВ «Ромашка»")
    expect(due.get_by_role("link", name="ТОВ «Ромашка»")).to_have_count(0)

    # Complete it in place: the row says so, the page is not reloaded.
    mark_document(page)
    row.get_by_role("button", name=re.compile("Done")).click()
    expect(row.locator(".flag-done")).to_have_text("Done")
    expect(row.get_by_role("button", name=re.compile("Done"))).to_have_count(0)
    assert same_document(page), "completing the task reloaded the page"

    task = db.session.scalar(select(Task).where(Task.party_id == party_id))
    logged = db.session.scalar(select(Interaction).where(Interaction.party_id == party_id))
    assert task.status == TaskStatus.DONE and task.due_date == (utcnow() + timedelta(days=3)).date()
    assert logged.type == "call"
    settle_db()
    assert console_errors == []


def test_reschedule_and_complete_and_log_inline_on_the_task_list(page, manager, console_errors):
    party = make_party(manager, "ТОВ «Ромашка»")
    tasks.create_task(
        manager,
        TaskData("Send the price list", manager, utcnow().date() - timedelta(days=2), party=party),
    )
    tasks.create_task(manager, TaskData("Call back", manager, utcnow().date(), party=party))
    db.session.commit()
    email = manager.email
    settle_db()

    log_in_to_my_day(page, email)
    page.get_by_role("link", name=re.compile("^Tasks")).first.click()
    expect(page.get_by_role("link", name=re.compile("^Tasks")).first).to_contain_text("1")
    mark_document(page)

    # Reschedule the overdue one to next week: it no longer stands out, the badge goes.
    late = page.locator("li.task").filter(has_text="Send the price list")
    expect(late.locator(".flag-overdue")).to_have_text("2 days overdue")
    late.get_by_role("link", name=re.compile("Reschedule")).click()
    new_day = (utcnow().date() + timedelta(days=7)).isoformat()
    late.get_by_label("Due date").fill(new_day)
    late.get_by_label("Time").fill("10:30")
    late.get_by_role("button", name="Save").click()
    expect(late.locator(".flag-overdue")).to_have_count(0)
    expect(late.locator("time")).to_have_attribute("datetime", new_day)
    expect(page.locator("#nav-overdue")).to_be_empty()

    # Complete and log the other one.
    other = page.locator("li.task").filter(has_text="Call back")
    other.get_by_role("link", name=re.compile("Complete and log")).click()
    other.get_by_label("Summary").fill("They will order in May")
    other.get_by_role("button", name="Complete and log").click()
    expect(other.locator(".flag-done")).to_be_visible()
    assert same_document(page), "the inline forms reloaded the page"

    logged = db.session.scalar(select(Interaction))
    assert logged.summary == "They will order in May"
    settle_db()
    assert console_errors == []


@pytest.fixture
def busy_day(manager, admin) -> str:
    """A manager's week: overdue, today's (timed and not), coming tasks; clients due a call."""
    today = utcnow().date()
    dmitro = make_user("dmitro@example.com", name="Дмитро Шевченко")
    names = [
        "ТОВ «Меблі Поділля»",
        "ООО «Домашний уют»",
        "Гостиница «Волга»",
        "Whitfield & Sons Interiors Ltd",
        "Кафе «Берёзка»",
        "Дизайн-студія «Інтер'єр+»",
    ]
    made = [make_party(manager, name) for name in names]
    make_contact(made[0], "Петро Іваненко")
    contact = db.session.get(Party, made[0].id).contacts[0]
    plan = [
        ("Send the updated price list", -6, None, made[0], 3, None),
        ("Call about the unpaid invoice", -1, time(11, 0), made[1], 2, None),
        ("Confirm the delivery date for the spring collection", 0, time(9, 30), made[0], 2, None),
        ("Prepare samples", 0, None, made[2], 3, None),
        ("Weekly check-in", 0, time(16, 0), made[3], 1, ("weeks", 1)),
        ("Meet the new buyer", 2, time(14, 0), made[4], 2, None),
        ("Send the contract draft", 5, None, made[2], 2, None),
        ("Quarterly review", 20, None, made[3], 2, ("months", 3)),
    ]
    for title, days, at, party, priority, repeat in plan:
        unit, every = repeat or (None, None)
        tasks.create_task(
            manager,
            TaskData(
                title,
                manager,
                today + timedelta(days=days),
                at,
                description="Ask for the new catalogue too." if priority == 3 else "",
                party=party,
                contact=contact if party is made[0] else None,
                priority=priority,
                repeat_every=every,
                repeat_unit=unit,
            ),
        )
    tasks.create_task(admin, TaskData("Renew the hosting", dmitro, today - timedelta(days=3)))
    interactions.log_interaction(
        manager, made[5], type="call", occurred_at=utcnow() - timedelta(days=2), summary="Hi"
    )
    db.session.commit()
    email = manager.email
    settle_db()
    return email


def test_screenshots_of_my_day_and_the_task_list(page, busy_day, screenshot, console_errors):
    log_in_to_my_day(page, busy_day)
    expect(page.locator("section.day-overdue li.task")).to_have_count(2)
    assert screenshot(page, "my-day") == NO_OVERFLOW

    page.goto("/tasks")
    expect(page.locator("#task-results li.task")).to_have_count(8)
    # One row with its reschedule form open, one with complete-and-log.
    page.locator("li.task").filter(has_text="Prepare samples").get_by_role(
        "link", name=re.compile("Reschedule")
    ).click()
    expect(page.get_by_role("button", name="Save")).to_be_visible()
    page.locator("li.task").filter(has_text="Send the updated price list").get_by_role(
        "link", name=re.compile("Complete and log")
    ).click()
    expect(page.locator("form.log-form")).to_be_visible()
    assert screenshot(page, "tasks") == NO_OVERFLOW

    page.goto("/tasks/new")
    assert screenshot(page, "task-new") == NO_OVERFLOW
    assert console_errors == []
