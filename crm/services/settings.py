"""Company-wide settings an admin changes."""

import enum
from decimal import Decimal, InvalidOperation

from flask import g, has_request_context
from sqlalchemy import select

from crm.extensions import db
from crm.models import Setting


class Visibility(enum.StrEnum):
    ALL = "all"
    OWN = "own"


CURRENCIES = ("UAH", "USD", "EUR")
DOCUMENT_LANGUAGES = ("uk", "ru", "en")

DEFAULTS = {
    "manager_visibility": Visibility.ALL.value,
    "managers_may_export": "no",
    "stage_model": "kotler",
    # The company profile printed on commercial proposals (validated by services/company.py).
    "company_name": "",
    "company_legal_details": "",
    "company_tax_ids": "",
    "company_address": "",
    "company_bank_details": "",
    "company_phone": "",
    "company_email": "",
    "base_currency": "UAH",
    "default_vat_rate": "20",
    "prices_include_vat": "no",
    "offer_prefix": "КП-",
    "offer_validity_days": "14",
    "default_document_language": "uk",
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


def base_currency() -> str:
    """The currency the company keeps its books in: UAH, USD or EUR."""
    value = get_setting("base_currency")
    return value if value in CURRENCIES else DEFAULTS["base_currency"]


def default_vat_rate() -> Decimal:
    """The VAT rate, in percent, that new catalogue items and offers start with."""
    try:
        rate = Decimal(get_setting("default_vat_rate"))
    except InvalidOperation:
        rate = Decimal(-1)
    return rate if rate.is_finite() and 0 <= rate <= 100 else Decimal(DEFAULTS["default_vat_rate"])


def prices_include_vat() -> bool:
    """Whether prices are quoted with VAT included."""
    return get_setting("prices_include_vat") == "yes"


def offer_prefix() -> str:
    """What offer numbers start with, e.g. "КП-"."""
    return get_setting("offer_prefix")


def offer_validity_days() -> int:
    """How many days a new offer stays valid."""
    value = get_setting("offer_validity_days")
    return (
        int(value) if value.isdigit() and int(value) > 0 else int(DEFAULTS["offer_validity_days"])
    )


def default_document_language() -> str:
    """The language of documents for a party that has none of its own: uk, ru or en."""
    value = get_setting("default_document_language")
    return value if value in DOCUMENT_LANGUAGES else DEFAULTS["default_document_language"]
