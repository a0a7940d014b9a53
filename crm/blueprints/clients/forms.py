"""Forms for parties, contacts and documents."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.blueprints.clients.labels import FACTOR_LABELS, KIND_LABELS, ROLE_LABELS
from crm.models import RelationshipFactors
from crm.services.company import LANGUAGE_NAMES
from crm.validators import clean_lines, email_lines, phone_lines, website


def _strip(value: str | None) -> str:
    return (value or "").strip()


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class NoneAsEmptySelectField(SelectField):
    """A select whose empty choice stands for None: "nothing chosen, use the default"."""

    def process_data(self, value: object) -> None:
        super().process_data("" if value is None else value)


class PartyForm(FlaskForm):
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)], filters=[_strip])
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    roles = CheckboxesField(_l("Roles"), choices=list(ROLE_LABELS.items()))
    owner_id = SelectField(_l("Owner"), coerce=int)
    legal_name = StringField(_l("Legal name"), [Length(max=250)], filters=[_strip])
    tax_id = StringField(_l("Tax ID"), [Length(max=40)], filters=[_strip])
    industry = StringField(_l("Industry"), [Length(max=120)], filters=[_strip])
    website = StringField(_l("Website"), [Length(max=250), website], filters=[_strip])
    phones = TextAreaField(
        _l("Phones"),
        [Length(max=1000), phone_lines],
        filters=[clean_lines],
        description=_l("One per line."),
    )
    emails = TextAreaField(
        _l("E-mails"),
        [Length(max=2000), email_lines],
        filters=[clean_lines],
        description=_l("One per line."),
    )
    address = TextAreaField(_l("Address"), [Length(max=1000)], filters=[_strip])
    employees = IntegerField(_l("Employees"), [Optional(), NumberRange(min=0, max=10_000_000)])
    product_range = TextAreaField(_l("Product range"), [Length(max=4000)], filters=[_strip])
    end_customers = TextAreaField(_l("Their end customers"), [Length(max=4000)], filters=[_strip])
    price_range = StringField(_l("Price range"), [Length(max=120)], filters=[_strip])
    tag_names = StringField(
        _l("Tags"), [Length(max=500)], filters=[_strip], description=_l("Separated by commas.")
    )
    notes = TextAreaField(_l("Notes"), [Length(max=10000)], filters=[_strip])
    language = NoneAsEmptySelectField(
        _l("Language of documents"),
        choices=[
            ("", _l("Company default")),
            *((code, name, {"lang": code}) for code, name in LANGUAGE_NAMES.items()),
        ],
        description=_l("Commercial proposals for this party are written in it."),
    )
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def data_for_service(self) -> dict:
        """The submitted values in the shape the parties service takes."""
        data = {
            name: self[name].data
            for name in (
                "name",
                "kind",
                "legal_name",
                "tax_id",
                "industry",
                "website",
                "phones",
                "emails",
                "address",
                "employees",
                "product_range",
                "end_customers",
                "price_range",
                "notes",
            )
        }
        data["roles"] = self.roles.data or []
        data["tags"] = [t for t in (self.tag_names.data or "").split(",") if t.strip()]
        data["owner_id"] = self.owner_id.data
        data["language"] = self.language.data or None
        return data


class ContactForm(FlaskForm):
    name = StringField(_l("Full name"), [DataRequired(), Length(max=200)], filters=[_strip])
    position = StringField(_l("Position"), [Length(max=120)], filters=[_strip])
    phones = TextAreaField(_l("Phones"), [Length(max=1000), phone_lines], filters=[clean_lines])
    emails = TextAreaField(_l("E-mails"), [Length(max=2000), email_lines], filters=[clean_lines])
    notes = TextAreaField(_l("Notes"), [Length(max=4000)], filters=[_strip])
    submit = SubmitField(_l("Save contact"))


class DocumentForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


class DeleteForm(FlaskForm):
    """An empty form: just the CSRF token for a POST button."""


SCORE_CHOICES = [(i, str(i)) for i in range(1, 6)]


class FactorsForm(FlaskForm):
    """Satisfaction, trust (staff, company) and engagement (emotional, rational), 1–5."""

    satisfaction = SelectField(choices=SCORE_CHOICES, coerce=int, default=3)
    trust_staff = SelectField(choices=SCORE_CHOICES, coerce=int, default=3)
    trust_company = SelectField(choices=SCORE_CHOICES, coerce=int, default=3)
    engagement_emotional = SelectField(choices=SCORE_CHOICES, coerce=int, default=3)
    engagement_rational = SelectField(choices=SCORE_CHOICES, coerce=int, default=3)
    submit = SubmitField(_l("Record"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in FACTOR_LABELS.items():
            self[name].label.text = label

    def scores(self) -> dict[str, int]:
        return {name: self[name].data for name in RelationshipFactors.FIELDS}
