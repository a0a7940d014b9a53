"""The lead distribution form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField
from wtforms.validators import AnyOf, ValidationError

from crm.blueprints.clients.forms import CheckboxesField
from crm.services.leads import STRATEGIES

STRATEGY_CHOICES = [
    ("round_robin", _l("Round-robin: in turn, one lead each")),
    ("least_loaded", _l("Least loaded first: to whoever has the fewest open tasks and parties")),
]


class LeadsForm(FlaskForm):
    scope = RadioField(
        _l("Which leads"),
        choices=[("ticked", _l("The ticked leads")), ("all", _l("All leads in the pool"))],
        default="ticked",
    )
    # Ticked ids are not checked against the pool here: the service skips any lead that
    # someone else assigned meanwhile, and the result says how many were skipped.
    leads = SelectMultipleField(_l("Leads"), coerce=int, validate_choice=False)
    managers = CheckboxesField(_l("Managers"), coerce=int)
    strategy = RadioField(
        _l("How to share them out"),
        choices=STRATEGY_CHOICES,
        default="round_robin",
        validate_choice=False,
        validators=[
            AnyOf(list(STRATEGIES), message=_l("Choose round-robin or least loaded first."))
        ],
    )

    def validate_leads(self, field: SelectMultipleField) -> None:
        if self.scope.data == "ticked" and not field.data:
            raise ValidationError(_l("Tick at least one lead, or choose all leads in the pool."))

    def validate_managers(self, field: CheckboxesField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one manager."))
