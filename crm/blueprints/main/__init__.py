"""Landing page and health check."""

from flask import Blueprint, redirect, url_for
from flask_login import login_required
from sqlalchemy import text

from crm.extensions import csrf, db

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index():
    """The landing page: the client base for now."""
    return redirect(url_for("clients.index"))


@bp.get("/healthz")
@csrf.exempt
def healthz():
    """Liveness with a database round-trip."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
