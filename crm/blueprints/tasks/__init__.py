"""Tasks: the list with its filters, new tasks, inline actions, and the calendar feed."""

from datetime import date, time

from flask import Blueprint, g
from flask_babel import format_time, to_user_timezone
from flask_login import current_user

from crm.models.base import utcnow
from crm.services.tasks import overdue_count

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def today() -> date:
    """The user's today: tasks are due on days of the company's time zone, not of UTC."""
    return to_user_timezone(utcnow()).date()


def my_overdue_count() -> int:
    """The current user's overdue tasks, counted once per request and only when shown."""
    if not current_user.is_authenticated:
        return 0
    if "overdue_count" not in g:
        g.overdue_count = overdue_count(current_user, today())
    return g.overdue_count


@bp.app_context_processor
def navigation() -> dict:
    """The navigation's overdue badge; a function, so fragments that don't show it don't count."""
    return {"my_overdue_count": my_overdue_count}


@bp.app_template_filter("clock")
def clock(value: time) -> str:
    """A time of day (a task's due time) in the user's format; it has no time zone to shift."""
    return format_time(value, "short", rebase=False)


from crm.blueprints.tasks import actions, calendar, routes  # noqa: E402, F401
