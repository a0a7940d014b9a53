"""The company's "today": dates are local to CRM_TIMEZONE, timestamps are stored in UTC."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from crm.models.base import utcnow


def local_today() -> date:
    """Today's date where the company works (BABEL_DEFAULT_TIMEZONE, from CRM_TIMEZONE)."""
    return local_date(utcnow())


def local_date(moment: datetime) -> date:
    """The company-local date of a stored (naive UTC) timestamp."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
