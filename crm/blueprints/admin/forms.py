"""Admin forms."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
)

from crm.services.users import DEFAULT_MAX_DISCOUNT, MIN_PASSWORD_LENGTH

ROLE_CHOICES = [("manager", _l("Manager")), ("admin", _l("Admin")), ("viewer", _l("Viewer"))]


class PercentField(DecimalField):
    """A percentage with two decimals; takes a decimal comma as well as a point."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("places", 2)
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list) -> None:
        cleaned = [str(v).strip().rstrip("%").strip().replace(",", ".") for v in valuelist]
        super().process_formdata(cleaned)


def absent_keeps_current(_form: FlaskForm, field: DecimalField) -> None:
    """A post without the field at all (an older page, a script) leaves the value alone."""
    if not field.raw_data:
        raise StopValidation()


def two_decimals(_form: FlaskForm, field: DecimalField) -> None:
    """No more precision than the database keeps (a hundredth of a percent)."""
    if field.data is not None and field.data.quantize(Decimal("0.01")) != field.data:
        raise ValidationError(_l("Use at most two decimal places."))


class UserForm(FlaskForm):
    name = StringField(_l("Full name"), [DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), [DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(
        _l("Password"),
        [Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("Leave empty to keep the current password."),
    )
    max_discount = PercentField(
        _l("Maximum discount without approval, %"),
        [absent_keeps_current, InputRequired(), NumberRange(min=0, max=100), two_decimals],
        default=DEFAULT_MAX_DISCOUNT,
        description=_l("Larger discounts on an offer need an admin's approval."),
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class SettingsForm(FlaskForm):
    manager_visibility = RadioField(
        _l("Managers see"),
        choices=[("all", _l("All clients")), ("own", _l("Only their own clients"))],
    )
    managers_may_export = RadioField(
        _l("Managers may export the client list to CSV"),
        choices=[("no", _l("No, only admins")), ("yes", _l("Yes, what they can see"))],
    )
    submit = SubmitField(_l("Save"))


class HandoverForm(FlaskForm):
    from_user = SelectField(_l("From"), coerce=int)
    to_user = SelectField(_l("To"), coerce=int)
    submit = SubmitField(_l("Hand over"))
