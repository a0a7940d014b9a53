"""The relationship ladder as a board, moves between stages, and stage pages."""

from flask import Blueprint

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline")

from crm.blueprints.pipeline import routes, stage_page  # noqa: E402, F401
