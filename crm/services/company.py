"""The company's own details for commercial proposals (the logo and signature are in
`company_images`).

The profile lives in the key/value settings table (one row a field, at most 500 characters
each); a form saved over a newer profile is refused (`profile_fingerprint`).
"""

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from email_validator import EmailNotValidError, validate_email
from flask import g, has_request_context
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.extensions import db
from crm.models import Setting, User
from crm.services import audit, settings
from crm.services.errors import (
    DomainError,
    EditConflictError,
    PermissionDeniedError,
)
from crm.services.settings import (
    CURRENCIES,
    DEFAULTS,
    DOCUMENT_LANGUAGES,
    get_setting,
    set_setting,
)

# Language names as their speakers write them: the same in every interface language.
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "uk": "Українська"}

# Free-text fields: the longest value and whether it may span lines (Setting.value holds 500).
TEXT_FIELDS = {
    "company_name": (200, False),
    "company_legal_details": (500, True),
    "company_tax_ids": (200, True),
    "company_address": (300, True),
    "company_bank_details": (500, True),
    "company_phone": (100, False),
    "company_email": (254, False),
}
PROFILE_KEYS = (
    *TEXT_FIELDS,
    "base_currency",
    "default_vat_rate",
    "prices_include_vat",
    "offer_prefix",
    "offer_validity_days",
    "default_document_language",
)
OFFER_PREFIX_MAX = 12
OFFER_PREFIX_SIGNS = "-_/"
# Unicode categories of letters (any script) and decimal digits, for the offer prefix.
LETTERS_AND_DIGITS = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nd"}
VALIDITY_DAYS_MAX = 365
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class CompanyProfile:
    """The company's details as offers print them; fields are named like the settings."""

    company_name: str
    company_legal_details: str
    company_tax_ids: str
    company_address: str
    company_bank_details: str
    company_phone: str
    company_email: str
    base_currency: str
    default_vat_rate: Decimal
    prices_include_vat: bool
    offer_prefix: str
    offer_validity_days: int
    default_document_language: str


class CompanyProfileError(DomainError):
    """Some fields of the profile are invalid; `errors` maps each to its message."""

    def __init__(self, errors: Mapping[str, LazyString | str]) -> None:
        super().__init__(str(next(iter(errors.values()))))
        self.errors = dict(errors)


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise PermissionDeniedError(_l("Only an admin can change the company profile."))


def company_profile() -> CompanyProfile:
    """The stored profile, defaults where nothing is stored."""
    return CompanyProfile(
        **{key: get_setting(key) for key in TEXT_FIELDS},
        base_currency=settings.base_currency(),
        default_vat_rate=settings.default_vat_rate(),
        prices_include_vat=settings.prices_include_vat(),
        offer_prefix=settings.offer_prefix(),
        offer_validity_days=settings.offer_validity_days(),
        default_document_language=settings.default_document_language(),
    )


# --- the profile -------------------------------------------------------------------------------


def stored_profile() -> dict[str, str]:
    """Every profile field as stored (or its default), the text a form edits."""
    return {key: get_setting(key) for key in PROFILE_KEYS}


def profile_fingerprint(values: Mapping[str, str] | None = None) -> str:
    """A digest of the profile's values (the stored ones by default), sent with the form.

    A save that brings another fingerprint than the stored values have now was edited from
    an older version of the profile: someone saved in between.
    """
    values = stored_profile() if values is None else values
    pairs = sorted((key, values[key]) for key in PROFILE_KEYS)
    text = json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _current_profile_for_update() -> dict[str, str]:
    """The stored profile read afresh from the table, its rows locked until the commit.

    Not the per-request cache: the check and the write must see what is stored now.
    (SQLite takes no row locks; its write transactions are serialised by BEGIN IMMEDIATE.)
    """
    query = (
        select(Setting.key, Setting.value)
        .where(Setting.key.in_(PROFILE_KEYS))
        .order_by(Setting.key)
        .with_for_update()
    )
    stored = dict(db.session.execute(query).all())
    if has_request_context():
        g.pop("crm_settings", None)  # the request's cache of settings may predate the lock
    return {key: stored.get(key, DEFAULTS[key]) for key in PROFILE_KEYS}


def unsaved_values(data: Mapping[str, object]) -> dict[str, str]:
    """The given fields whose value differs from the stored one, as they would be stored.

    For a form that lost to another save: what the user entered that is not in the profile
    now. An invalid value is compared (and returned) as it was typed.
    """
    current = stored_profile()
    result = {}
    for key, value in data.items():
        if key not in current:
            continue
        try:
            cleaned = _clean_field(key, value)
        except ValueError:
            cleaned = "" if value is None else str(value)
        if cleaned != current[key]:
            result[key] = cleaned
    return result


def _clean_text(value: object, multiline: bool) -> str:
    """NFC text without control characters; one line, or lines without trailing spaces."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    if not multiline:
        return " ".join(text.split())
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _vat_rate(value: object) -> str:
    if isinstance(value, Decimal):
        rate = value
    else:
        try:
            rate = Decimal(str(value).strip().rstrip("%").strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(_l("Enter a number, such as 20 or 7.5.")) from None
    if not rate.is_finite() or not 0 <= rate <= 100:
        raise ValueError(_l("The VAT rate must be between 0 and 100 %."))
    if rate.quantize(_CENT) != rate:
        raise ValueError(_l("Use at most two decimal places."))
    return f"{(rate + 0).normalize():f}"  # 20.00 → "20", 7.50 → "7.5", -0 → "0"


def _yes_no(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in ("yes", "no"):
        return value
    raise ValueError(_l("Choose yes or no."))


def _offer_prefix(value: object) -> str:
    prefix = unicodedata.normalize("NFC", str(value or "").strip())
    if len(prefix) > OFFER_PREFIX_MAX:
        raise ValueError(_l("At most %(num)d characters.", num=OFFER_PREFIX_MAX))
    for ch in prefix:
        if ch not in OFFER_PREFIX_SIGNS and unicodedata.category(ch) not in LETTERS_AND_DIGITS:
            raise ValueError(_l("Only letters, digits, “-”, “_” and “/” are allowed."))
    return prefix


def _validity_days(value: object) -> str:
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= VALIDITY_DAYS_MAX:
        raise ValueError(
            _l("Enter a whole number of days from 1 to %(max)d.", max=VALIDITY_DAYS_MAX)
        )
    return str(int(text))


def _choice(allowed: tuple[str, ...]):  # noqa: ANN202
    def check(value: object) -> str:
        if value not in allowed:
            raise ValueError(_l("Choose one of: %(choices)s.", choices=", ".join(allowed)))
        return value

    return check


_CHECKS = {
    "base_currency": _choice(CURRENCIES),
    "default_vat_rate": _vat_rate,
    "prices_include_vat": _yes_no,
    "offer_prefix": _offer_prefix,
    "offer_validity_days": _validity_days,
    "default_document_language": _choice(DOCUMENT_LANGUAGES),
}


def _clean_field(key: str, value: object) -> str:
    """The value as it is stored; ValueError with a message for the user if it is invalid."""
    if key not in TEXT_FIELDS:
        return _CHECKS[key](value)
    limit, multiline = TEXT_FIELDS[key]
    text = _clean_text(value, multiline)
    if len(text) > limit:
        raise ValueError(_l("At most %(num)d characters.", num=limit))
    if key == "company_email" and text:
        try:
            validate_email(text, check_deliverability=False)
        except EmailNotValidError:
            raise ValueError(_l("“%(value)s” is not an e-mail address.", value=text)) from None
    return text


def save_company_profile(
    user: User, data: Mapping[str, object], expected_fingerprint: str | None = None
) -> None:
    """Check and store the given profile fields (admins only); all or nothing, audited.

    Fields left out keep their value. Raises CompanyProfileError naming each invalid field.
    With `expected_fingerprint` (from `profile_fingerprint` when the form was shown), raises
    EditConflictError and saves nothing if the stored profile has changed since.
    """
    require_admin(user)
    unknown = set(data) - set(PROFILE_KEYS)
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    current = _current_profile_for_update()
    if expected_fingerprint is not None and expected_fingerprint != profile_fingerprint(current):
        raise EditConflictError([])
    cleaned, errors = {}, {}
    for key, value in data.items():
        try:
            cleaned[key] = _clean_field(key, value)
        except ValueError as exc:
            errors[key] = exc.args[0]
    if errors:
        raise CompanyProfileError(errors)
    before = {key: current[key] for key in cleaned}
    changes = audit.diff(before, cleaned)
    for key in changes:
        set_setting(key, cleaned[key])
    if changes:
        audit.record(user, "settings", 0, "update", changes=changes)
