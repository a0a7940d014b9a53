"""Forms for tasks: new task, reschedule, complete (and log), cancel."""

import re
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import DateInput, DateTimeLocalInput, TimeInput

from crm.models import InteractionType, Priority

PRIORITY_LABELS = {
    Priority.LOW: _l("Low"),
    Priority.NORMAL: _l("Normal"),
    Priority.HIGH: _l("High"),
}
REPEAT_LABELS = {"days": _l("days"), "weeks": _l("weeks"), "months": _l("months")}
TYPE_LABELS = {
    InteractionType.CALL: _l("Call"),
    InteractionType.MEETING: _l("Meeting"),
    InteractionType.EMAIL: _l("E-mail"),
    InteractionType.LETTER: _l("Letter"),
    InteractionType.VISIT: _l("Visit"),
    InteractionType.NOTE: _l("Note"),
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")


def _strip(value: str | None) -> str:
    return (value or "").strip()


class Filled:
    """Required for a typed field: blank input gets this message, a bad one keeps its own."""

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is None and not field.errors:
            raise StopValidation(self.message)


class _TypedField(Field):
    """A field typed as text in a fixed format; a value that is no date gets a clear message.

    Browsers send dates and times from their pickers in ISO format; anything else
    ("tomorrow", 2026-02-30) is refused with a message for the person, not a default one.
    """

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.format_value(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist: list) -> None:
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if raw:
            self.data = self.parse(raw)

    def parse(self, raw: str) -> object:
        raise NotImplementedError

    def format_value(self, value: object) -> str:
        raise NotImplementedError


class DayField(_TypedField):
    widget = DateInput()

    def parse(self, raw: str) -> date:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(_l("Enter the date as YYYY-MM-DD, for example 2026-03-14."))
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(_l("There is no such date: %(value)s.", value=raw)) from None

    def format_value(self, value: date) -> str:
        return value.isoformat()


class TimeOfDayField(_TypedField):
    widget = TimeInput()

    def parse(self, raw: str) -> time:
        if not ISO_TIME.fullmatch(raw):
            raise ValueError(_l("Enter the time as HH:MM, for example 14:30."))
        hour, minute, *_ = (int(part) for part in raw.split(":"))
        if hour > 23 or minute > 59:
            raise ValueError(_l("There is no such time: %(value)s.", value=raw))
        return time(hour, minute)

    def format_value(self, value: time) -> str:
        return value.strftime("%H:%M")


class MomentField(_TypedField):
    widget = DateTimeLocalInput()

    def parse(self, raw: str) -> datetime:
        day, _, clock = raw.replace(" ", "T", 1).partition("T")
        if not ISO_DATE.fullmatch(day) or not ISO_TIME.fullmatch(clock):
            raise ValueError(_l("Enter the date and time as YYYY-MM-DD HH:MM."))
        try:
            return datetime.fromisoformat(f"{day}T{clock}").replace(second=0, microsecond=0)
        except ValueError:
            raise ValueError(_l("There is no such moment: %(value)s.", value=raw)) from None

    def format_value(self, value: datetime) -> str:
        return value.strftime("%Y-%m-%dT%H:%M")


def _version(field: Field) -> int:
    """The version the form was opened at (0 when missing: a stale form)."""
    value = (field.data or "").strip()
    return int(value) if value.isdigit() else 0


class TaskActionForm(FlaskForm):
    """Complete or cancel: only the version the row was rendered at, and where to go back."""

    version = HiddenField()
    next = HiddenField()

    @property
    def expected_version(self) -> int:
        return _version(self.version)


class RescheduleForm(TaskActionForm):
    due_date = DayField(_l("Due date"), [Filled(_l("Pick a due date."))])
    due_time = TimeOfDayField(_l("Time"), [Optional()], description=_l("Optional."))
    # Only for a repeating task: unticked, only this time moves and the next keep their dates.
    whole_series = BooleanField(_l("The next repetitions move too (they count from this date)"))


class TaskForm(FlaskForm):
    title = StringField(_l("Title"), [DataRequired(), Length(max=200)], filters=[_strip])
    description = TextAreaField(_l("Description"), [Length(max=4000)], filters=[_strip])
    party_id = SelectField(
        _l("Client"),
        coerce=int,
        default=0,
        description=_l("Lists your own clients. For another one, use “New task” on its task list."),
    )
    contact_id = SelectField(_l("Contact"), coerce=int, default=0)
    assignee_id = SelectField(_l("Assignee"), coerce=int)
    due_date = DayField(_l("Due date"), [Filled(_l("Pick a due date."))])
    due_time = TimeOfDayField(_l("Time"), [Optional()], description=_l("Optional."))
    priority = SelectField(
        _l("Priority"),
        coerce=int,
        choices=[(int(value), label) for value, label in PRIORITY_LABELS.items()],
        default=int(Priority.NORMAL),
    )
    repeat_every = IntegerField(
        _l("Every"),
        [Optional(), NumberRange(min=1, max=365, message=_l("From 1 to 365."))],
        description=_l("Leave empty for a one-off task."),
    )
    repeat_unit = SelectField(
        _l("Unit"),
        choices=[("", _l("does not repeat")), *REPEAT_LABELS.items()],
        default="",
    )

    def validate_repeat_unit(self, field: Field) -> None:
        """A repetition needs both the number and the unit."""
        if bool(field.data) != (self.repeat_every.data is not None):
            raise ValidationError(_l("Give both the number and the unit, or neither."))


class LogForm(TaskActionForm):
    """Complete the task and record what happened with the client."""

    type = SelectField(_l("Type"), choices=list(TYPE_LABELS.items()), default="call")
    occurred_at = MomentField(_l("When"), [Filled(_l("When did it happen?"))])
    contact_id = SelectField(_l("Contact"), coerce=int, default=0)
    summary = TextAreaField(
        _l("Summary"),
        [DataRequired(_l("Say in a few words what happened.")), Length(max=4000)],
        filters=[_strip],
    )
    outcome = TextAreaField(_l("Outcome"), [Length(max=4000)], filters=[_strip])
    satisfaction = SelectField(
        _l("Client satisfaction"),
        choices=[("", _l("not rated")), *[(str(n), str(n)) for n in range(1, 6)]],
        default="",
        description=_l("1 (unhappy) to 5 (delighted)."),
    )
