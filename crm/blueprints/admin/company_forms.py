"""Forms of the company profile page: the details, and one upload form per image.

The profile service checks every value (one set of rules and messages for the form, the
CLI and tests); the form only offers the choices and tells the browser the lengths.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from crm.services.company import (
    LANGUAGE_NAMES,
    OFFER_PREFIX_MAX,
    PROFILE_KEYS,
    TEXT_FIELDS,
)
from crm.services.settings import CURRENCIES

IMAGE_LABELS = {"logo": _l("Logo"), "signature": _l("Signature and stamp")}


def _limit(key: str, **render_kw) -> dict:
    return {"maxlength": TEXT_FIELDS[key][0], **render_kw}


class CompanyForm(FlaskForm):
    company_name = StringField(_l("Company name"), render_kw=_limit("company_name"))
    company_legal_details = TextAreaField(
        _l("Legal name and registration"),
        render_kw=_limit("company_legal_details", rows=3),
        description=_l("Full legal name and form, registration record."),
    )
    company_tax_ids = TextAreaField(
        _l("Tax identifiers"),
        render_kw=_limit("company_tax_ids", rows=3),
        description=_l("EDRPOU code, tax number, VAT payer status."),
    )
    company_address = TextAreaField(_l("Address"), render_kw=_limit("company_address", rows=3))
    company_bank_details = TextAreaField(
        _l("Bank details"),
        render_kw=_limit("company_bank_details", rows=3),
        description=_l("IBAN, bank name, MFO or SWIFT."),
    )
    company_phone = StringField(_l("Phone"), render_kw=_limit("company_phone", type="tel"))
    company_email = EmailField(_l("E-mail address"), render_kw=_limit("company_email"))
    base_currency = SelectField(
        _l("Base currency"),
        choices=[(code, code) for code in CURRENCIES],
        description=_l("Sales are counted in it; an offer in another currency keeps its rate."),
    )
    default_vat_rate = StringField(
        _l("Default VAT rate, %"), render_kw={"inputmode": "decimal", "maxlength": 8}
    )
    prices_include_vat = RadioField(
        _l("Prices in offers"),
        choices=[("no", _l("VAT is added on top")), ("yes", _l("VAT is included"))],
    )
    offer_prefix = StringField(
        _l("Offer number prefix"),
        render_kw={"maxlength": OFFER_PREFIX_MAX},
        description=_l(
            "Letters, digits, “-”, “_” or “/”, at most %(num)d characters.", num=OFFER_PREFIX_MAX
        ),
    )
    offer_validity_days = StringField(
        _l("Offers are valid for, days"), render_kw={"inputmode": "numeric", "maxlength": 3}
    )
    default_document_language = SelectField(
        _l("Default language of documents"),
        choices=[(code, name, {"lang": code}) for code, name in LANGUAGE_NAMES.items()],
        description=_l("For parties that have no language of their own."),
    )
    # The stored profile's fingerprint when the form was shown: a later save by someone
    # else makes this one a conflict instead of silently overwriting theirs.
    fingerprint = HiddenField()
    submit = SubmitField(_l("Save"))

    def profile_data(self) -> dict:
        """The submitted values in the shape the company service takes."""
        return {key: self[key].data for key in PROFILE_KEYS}

    def shown_value(self, key: str, value: str) -> str:
        """A value as the user sees it in the form: the label of a choice, else the text."""
        field = self[key]
        for choice in getattr(field, "choices", None) or ():
            if choice[0] == value:
                return str(choice[1])
        return value


class CompanyImageForm(FlaskForm):
    """Upload the logo or the signature; the kind prefixes the field, so both fit on a page."""

    file = FileField(
        validators=[FileRequired(_l("Choose a PNG or JPEG file."))],
        render_kw={"accept": "image/png,image/jpeg"},
    )

    def __init__(self, kind: str, **kwargs) -> None:
        super().__init__(prefix=kind, **kwargs)
        self.kind = kind
        self.file.label.text = IMAGE_LABELS[kind]
