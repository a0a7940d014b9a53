"""Admin forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from crm.services.users import MIN_PASSWORD_LENGTH

ROLE_CHOICES = [("manager", _l("Manager")), ("admin", _l("Admin")), ("viewer", _l("Viewer"))]


class UserForm(FlaskForm):
    name = StringField(_l("Full name"), [DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), [DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    password = PasswordField(
        _l("Password"),
        [Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("Leave empty to keep the current password."),
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
