"""Reports: how the client base moves, for a period of the user's choosing."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from crm.blueprints.reports import routes  # noqa: E402, F401
