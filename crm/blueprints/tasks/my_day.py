"""My day: the landing page's tasks and the clients who wait for a call."""

from flask import render_template
from flask_login import current_user

from crm.blueprints.tasks import my_overdue_count, today
from crm.services import ladder
from crm.services.cadence import my_parties_needing_contact
from crm.services.offer_list import awaiting_approval_count
from crm.services.task_list import changeable, my_day

NEEDS_CONTACT_LIMIT = 10


def render_my_day() -> str:
    """My overdue tasks, today's, the next seven days', my clients due a contact, and for an
    admin the offers waiting for approval."""
    day = today()
    tasks = my_day(current_user, day)
    shown = tasks.overdue + tasks.today + tasks.upcoming
    return render_template(
        "main/my_day.html",
        day=tasks,
        today=day,
        overdue_total=my_overdue_count(),
        changeable=changeable(current_user, shown),
        needing_contact=my_parties_needing_contact(
            current_user, ladder.stages(), limit=NEEDS_CONTACT_LIMIT
        ),
        awaiting_approval=awaiting_approval_count(current_user),
        back="/",
    )
