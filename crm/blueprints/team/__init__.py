"""Team: each manager's workload, and the contact cadence kept or missed."""

from flask import Blueprint

bp = Blueprint("team", __name__, url_prefix="/team")

from crm.blueprints.team import routes  # noqa: E402, F401
