"""Forms for the daily work on the party card: logging an interaction."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from crm.models import Contact, InteractionType
from crm.models.base import utcnow
from crm.services.interactions import FUTURE_TOLERANCE

INTERACTION_LABELS = {
    InteractionType.CALL: _l("Call"),
    InteractionType.MEETING: _l("Meeting"),
    InteractionType.EMAIL: _l("E-mail"),
    InteractionType.LETTER: _l("Letter"),
    InteractionType.VISIT: _l("Visit"),
    InteractionType.NOTE: _l("Note"),
}
SATISFACTION_CHOICES = [
    ("", _l("Not scored")),
    ("1", _l("1 (low)")),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", _l("5 (high)")),
]
# What a datetime-local input sends first; the others are what people type without one.
WHEN_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
EARLIEST_YEAR = 1900


def _strip(value: str | None) -> str:
    return (value or "").strip()


def local_now() -> datetime:
    """Now, to the minute, as a naive wall-clock time in the user's time zone."""
    return to_user_timezone(utcnow()).replace(tzinfo=None, second=0, microsecond=0)


class InteractionForm(FlaskForm):
    """A call, meeting, letter… as the user types it: local time, contact by id."""

    # The card also holds the relationship-factors form, which has a "satisfaction" field:
    # explicit ids keep every label pointing at its own field.
    type = SelectField(
        _l("Type"), choices=list(INTERACTION_LABELS.items()), default="call", id="ia-type"
    )
    occurred_at = DateTimeLocalField(
        _l("When"),
        [InputRequired(message=_l("Give the date and time."))],
        format=WHEN_FORMATS,
        default=local_now,
        id="ia-when",
    )
    contact_id = SelectField(_l("Contact person"), choices=[], id="ia-contact")
    summary = TextAreaField(
        _l("Summary"),
        [DataRequired(message=_l("Say in a few words what happened.")), Length(max=4000)],
        filters=[_strip],
        id="ia-summary",
        render_kw={"rows": 2},
    )
    outcome = StringField(
        _l("Outcome"),
        [Length(max=1000)],
        filters=[_strip],
        id="ia-outcome",
        description=_l("What was agreed, what happens next."),
    )
    satisfaction = SelectField(
        _l("Satisfaction"), choices=SATISFACTION_CHOICES, default="", id="ia-satisfaction"
    )

    def __init__(self, contacts: list[Contact], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contacts = {str(c.id): c for c in contacts}
        self.contact_id.choices = [("", _l("Nobody in particular"))] + [
            (key, c.name) for key, c in self.contacts.items()
        ]

    def validate_occurred_at(self, field: DateTimeLocalField) -> None:
        if field.data is None:  # not a date at all: the field already says so
            return
        if field.data.year < EARLIEST_YEAR:
            raise ValidationError(_l("Check the year."))
        if to_utc(field.data) > utcnow() + FUTURE_TOLERANCE:
            raise ValidationError(_l("An interaction cannot be in the future."))

    def for_service(self) -> dict:
        """The values in the shape interactions.log_interaction takes (UTC, objects)."""
        score = self.satisfaction.data
        return {
            "type": self.type.data,
            "occurred_at": to_utc(self.occurred_at.data),
            "contact": self.contacts.get(self.contact_id.data or ""),
            "summary": self.summary.data,
            "outcome": self.outcome.data,
            "satisfaction": int(score) if score else None,
        }
