"""The company's "today": dates are local to CRM_TIMEZONE, timestamps are stored in UTC."""

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app

from crm.models.base import utcnow


def local_today() -> date:
    """Today's date where the company works (BABEL_DEFAULT_TIMEZONE, from CRM_TIMEZONE)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
