"""Logging in and out, and a user's own account."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from crm.blueprints.auth import routes  # noqa: E402, F401
