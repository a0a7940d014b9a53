"""The period a report covers."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import InputRequired, ValidationError

EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class IsoDateField(DateField):
    """A date as YYYY-MM-DD (what a date input sends), with our own message when it is not."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None


def _in_range(form: FlaskForm, field: DateField) -> None:
    if field.data and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Enter a date between 1900 and 2999."))


class PeriodForm(FlaskForm):
    """The first and the last day, both included; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    date_from = IsoDateField(_l("First day"), [InputRequired(), _in_range], name="from")
    date_to = IsoDateField(_l("Last day"), [InputRequired(), _in_range], name="to")

    def validate_date_to(self, field: DateField) -> None:
        """The period cannot end before it starts."""
        start = self.date_from.data
        if start and field.data and field.data < start:
            raise ValidationError(_l("The end date must not be before the start date."))
