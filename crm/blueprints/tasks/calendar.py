"""The calendar feed: a user's open tasks behind a secret URL, and a button for a new URL."""

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.blueprints.tasks import bp
from crm.blueprints.tasks.forms import TaskActionForm
from crm.blueprints.tasks.routes import safe_next
from crm.extensions import db
from crm.services import calendar_feed


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """The feed for calendar apps: no login, the secret token in the URL is the key."""
    user = calendar_feed.user_for_token(token)
    if user is None:
        abort(404)
    body = calendar_feed.feed(user, request.url_root)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="tasks.ics"'
    # The URL is a secret: no shared cache may keep a copy, no search engine may list it.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/calendar/new")
@login_required
def new_calendar_url():
    """A new secret feed URL; the old one stops working at once."""
    form = TaskActionForm()
    if form.validate_on_submit():
        calendar_feed.regenerate_token(current_user)
        db.session.commit()
        flash(_("Your calendar has a new URL. The old one no longer works."), "success")
    return redirect(safe_next(form.next.data, url_for("tasks.index")))
