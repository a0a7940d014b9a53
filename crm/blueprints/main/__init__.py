"""Landing page and health check."""

import re

from flask import Blueprint, Response
from flask_login import login_required
from sqlalchemy import select, text

from crm.blueprints.tasks.my_day import render_my_day
from crm.extensions import csrf, db
from crm.models import Stage

bp = Blueprint("main", __name__)
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@bp.get("/")
@login_required
def index():
    """My day: my overdue, today's and coming tasks, and my clients who need contact."""
    return render_my_day()


@bp.get("/healthz")
@csrf.exempt
def healthz():
    """Liveness with a database round-trip."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/stage-colours.css")
def stage_colours():
    """Each stage's colour as CSS classes: the CSP allows no inline styles."""
    rules = [
        f".stage-{s.id}{{--stage:{s.color}}}"
        for s in db.session.scalars(select(Stage))
        if COLOUR.fullmatch(s.color)
    ]
    response = Response("\n".join(rules), mimetype="text/css")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response
