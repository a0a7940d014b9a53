"""Forms of the offer editor; numbers accept the user's way of writing them (1 234,5)."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length
from wtforms.widgets import TextInput

from crm.blueprints.offers import LANGUAGE_NAMES, REVENUE_LABELS
from crm.models import InteractionType
from crm.services.amount_words import CURRENCIES
from crm.services.offers import MAX_TEXT

SEPARATORS = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, ",": "."})


def parse_decimal(text: str | None) -> Decimal | None:
    """ "1 234,50" → Decimal("1234.50"); empty → None; anything else → ValueError."""
    text = (text or "").strip().translate(SEPARATORS)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value


class NumberField(Field):
    """A decimal number typed the user's way; the error sits next to the field."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs) -> None:  # noqa: ANN001
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data.normalize():f}"

    def process_formdata(self, valuelist: list) -> None:
        if valuelist:
            try:
                self.data = parse_decimal(valuelist[0])
            except ValueError as exc:
                self.data = None
                raise ValueError(_l("Enter a number, such as 12.5.")) from exc


class OfferHeaderForm(FlaskForm):
    contact_id = SelectField(_l("Contact person"), coerce=lambda v: int(v) if v else None)
    currency = SelectField(_l("Currency"), choices=[(c, c) for c in CURRENCIES])
    exchange_rate = NumberField(
        _l("Exchange rate"),
        [InputRequired()],
        description=_l("Units of the base currency for one unit of the offer's currency."),
    )
    language = SelectField(_l("Language of the offer"), choices=list(LANGUAGE_NAMES.items()))
    offer_date = DateField(_l("Date"), [InputRequired()])
    valid_until = DateField(_l("Valid until"), [InputRequired()])
    intro = TextAreaField(_l("Introduction"), [Length(max=MAX_TEXT)])
    terms = TextAreaField(_l("Terms"), [Length(max=MAX_TEXT)])
    version = HiddenField()


class ProductLineForm(FlaskForm):
    product_id = HiddenField(validators=[DataRequired(_l("Choose a product."))])
    quantity = NumberField(_l("Quantity"), [InputRequired()])


class FreeLineForm(FlaskForm):
    name = StringField(_l("Name"), [DataRequired(), Length(max=200)])
    unit = StringField(_l("Unit"), [Length(max=30)])
    quantity = NumberField(_l("Quantity"), [InputRequired()])
    price = NumberField(_l("Unit price"), [InputRequired()])
    vat_rate = NumberField(_l("VAT, %"), [InputRequired()])
    revenue_type = SelectField(_l("Revenue"), choices=list(REVENUE_LABELS.items()))


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), [Length(max=2000)])


class SendForm(FlaskForm):
    to = StringField(_l("To"), [DataRequired(), Email(), Length(max=254)])
    subject = StringField(_l("Subject"), [DataRequired(), Length(max=200)])
    message = TextAreaField(_l("Message"), [Length(max=MAX_TEXT)])


SENT_CHANNELS = [
    (InteractionType.EMAIL, _l("By e-mail")),
    (InteractionType.LETTER, _l("By post")),
    (InteractionType.MEETING, _l("At a meeting")),
    (InteractionType.VISIT, _l("On a visit")),
]


class MarkSentForm(FlaskForm):
    channel = SelectField(_l("How it was sent"), choices=SENT_CHANNELS)


class NewOfferForm(FlaskForm):
    party_id = HiddenField(validators=[DataRequired()])
