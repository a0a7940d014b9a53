"""Each user's open tasks as an iCalendar feed behind a secret, regenerable URL."""

import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select

from crm.extensions import db
from crm.models import Task, TaskStatus, User
from crm.services.tasks import visible_condition

FEED_LIMIT = 2000


def regenerate_token(user: User) -> str:
    """A new secret for the feed URL; the old URL stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    return user.calendar_token


def user_for_token(token: str) -> User | None:
    """The active user whose feed this secret opens, if any."""
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    return user if user and user.active else None


def feed(user: User, base_url: str) -> bytes:
    """The user's open tasks: dated ones as timed events, the rest as all-day events."""
    calendar = Calendar()
    calendar.add("prodid", "-//Client base CRM//tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"CRM: {user.name}")
    query = (
        select(Task)
        .where(Task.assignee_id == user.id, Task.status == TaskStatus.OPEN)
        .order_by(Task.due_date, Task.id)
        .limit(FEED_LIMIT)
    )
    condition = visible_condition(user)  # not a trashed party's, nor one no longer theirs
    if condition is not None:
        query = query.where(condition)
    for task in db.session.scalars(query):
        event = Event()
        event.add("uid", f"task-{task.id}@crm")
        title = task.title if task.party is None else f"{task.title} — {task.party.name}"
        event.add("summary", title)
        if task.description:
            event.add("description", task.description)
        if task.due_time is not None:
            start = datetime.combine(task.due_date, task.due_time)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=30))
        else:
            event.add("dtstart", task.due_date)
        if task.party_id:
            event.add("url", f"{base_url.rstrip('/')}/clients/{task.party_id}")
        event.add("dtstamp", task.created_at)
        calendar.add_component(event)
    return calendar.to_ical()
