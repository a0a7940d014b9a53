"""Form validators for the multi-value and free-form fields of a profile."""

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from wtforms import ValidationError

from crm.services.text import digits, split_lines

_PHONE = re.compile(r"\+?[\d\s()\-.]+(\s*(ext\.?|доб\.?|дод\.?)\s*\d+)?", re.IGNORECASE)
_URL = re.compile(r"(https?://)?[\w\-]+(\.[\w\-]+)+(:\d+)?(/\S*)?", re.IGNORECASE)


def phone_lines(_form, field) -> None:  # noqa: ANN001
    """One phone number a line: digits with the usual formatting, 5 to 15 digits."""
    for line in split_lines(field.data or ""):
        if not _PHONE.fullmatch(line) or not 5 <= len(digits(line)) <= 20:
            raise ValidationError(_("“%(value)s” is not a phone number.", value=line))


def email_lines(_form, field) -> None:  # noqa: ANN001
    """One e-mail address a line."""
    for line in split_lines(field.data or ""):
        try:
            validate_email(line, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(_("“%(value)s” is not an e-mail address.", value=line)) from exc


def website(_form, field) -> None:  # noqa: ANN001
    """A web address, with or without http(s)://."""
    value = (field.data or "").strip()
    if value and not _URL.fullmatch(value):
        raise ValidationError(_("Enter a web address such as example.com."))


def clean_lines(value: str | None) -> str:
    """Multi-value text with blank lines and stray spaces removed."""
    return "\n".join(split_lines(value or ""))
