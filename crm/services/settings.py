"""Company-wide settings an admin changes."""

import enum

from flask import g, has_request_context
from sqlalchemy import select

from crm.extensions import db
from crm.models import Setting


class Visibility(enum.StrEnum):
    ALL = "all"
    OWN = "own"


DEFAULTS = {
    "manager_visibility": Visibility.ALL.value,
    "managers_may_export": "no",
    "stage_model": "kotler",
}


def _stored() -> dict[str, str]:
    """Every stored setting, read once per request (a page asks several times)."""
    if has_request_context() and "crm_settings" in g:
        return g.crm_settings
    stored = dict(db.session.execute(select(Setting.key, Setting.value)).all())
    if has_request_context():
        g.crm_settings = stored
    return stored


def get_setting(key: str) -> str:
    """The stored value, or the default."""
    return _stored().get(key, DEFAULTS[key])


def set_setting(key: str, value: str) -> None:
    """Store a value (flushes, does not commit)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row:
        row.value = value
    else:
        db.session.add(Setting(key=key, value=value))
    db.session.flush()
    if has_request_context() and "crm_settings" in g:
        g.crm_settings[key] = value


def manager_visibility() -> Visibility:
    """Whether managers see every client or only their own."""
    return Visibility(get_setting("manager_visibility"))


def managers_may_export() -> bool:
    """Whether managers may download the client list (admins always may)."""
    return get_setting("managers_may_export") == "yes"
