"""Forms for the catalogue: a product, a volume tier, a segment price."""

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, StopValidation
from wtforms.widgets import TextInput

from crm.models import RevenueType, RuleKind
from crm.services.catalogue import ProductData

REVENUE_LABELS = {
    RevenueType.ONE_OFF: _l("One-off"),
    RevenueType.MONTHLY: _l("Monthly"),
    RevenueType.YEARLY: _l("Yearly"),
}
KIND_LABELS = {RuleKind.PERCENT: _l("Percentage off"), RuleKind.PRICE: _l("Fixed price")}
NOT_A_NUMBER = _l("Enter a number, for example 1250.50.")
GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+")


def _strip(value: str | None) -> str:
    return (value or "").strip()


class AmountField(DecimalField):
    """A decimal typed the way people type it: "1 250,50" as well as "1250.50".

    A text input (with the decimal keypad on phones): a number input would refuse a comma
    in some browsers and send nothing at all for what it cannot read.
    """

    widget = TextInput()

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list) -> None:
        self.data = None
        raw = "".join((valuelist[0] if valuelist else "").split())  # spaces group thousands
        if not raw:
            return
        if "," in raw and "." in raw:  # the last separator is the decimal one
            raw = raw.replace("," if raw.rfind(".") > raw.rfind(",") else ".", "")
        elif "," in raw and get_decimal_symbol(get_locale()) != ",":
            if not GROUPED.fullmatch(raw):  # "1,5" where the comma groups thousands
                raise ValueError(NOT_A_NUMBER)
            raw = raw.replace(",", "")
        try:
            self.data = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise ValueError(NOT_A_NUMBER) from None
        if not self.data.is_finite():
            self.data = None
            raise ValueError(NOT_A_NUMBER)

    def pre_validate(self, form: FlaskForm) -> None:
        """Input that is no number gets that message alone, not a range one too."""
        if self.process_errors:
            raise StopValidation()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        value = Decimal(self.data)
        if self.places is not None:
            return format(value.quantize(Decimal(1).scaleb(-self.places)), "f")
        return format(value.normalize(), "f")


class ProductForm(FlaskForm):
    name = StringField(
        _l("Name"),
        [InputRequired(_l("Give the product a name.")), Length(max=200)],
        filters=[_strip],
    )
    sku = StringField(
        _l("SKU"),
        [Length(max=60)],
        filters=[_strip],
        description=_l("Optional; unique in the catalogue."),
    )
    category = StringField(
        _l("Category"), [Length(max=120)], filters=[_strip], render_kw={"list": "categories"}
    )
    unit = StringField(
        _l("Unit"), [Length(max=30)], filters=[_strip], description=_l("For example pcs, hour, m².")
    )
    list_price = AmountField(
        _l("List price"),
        [InputRequired(_l("Enter the list price.")), NumberRange(min=0)],
        places=2,
        description=_l("Without VAT, two decimals at most."),
    )
    vat_rate = AmountField(
        _l("VAT rate"),
        [InputRequired(_l("Enter the VAT rate.")), NumberRange(min=0, max=100)],
        places=None,
        default=Decimal(20),
        description=_l("In percent, from 0 to 100."),
    )
    revenue_type = SelectField(
        _l("Revenue"), choices=list(REVENUE_LABELS.items()), default=RevenueType.ONE_OFF
    )
    description = TextAreaField(_l("Description"), [Length(max=4000)], filters=[_strip])
    version = HiddenField()

    def product_data(self) -> ProductData:
        """The submitted values in the shape the catalogue service takes."""
        return ProductData(
            name=self.name.data,
            sku=self.sku.data or None,
            unit=self.unit.data,
            category=self.category.data,
            description=self.description.data,
            list_price=self.list_price.data,
            vat_rate=self.vat_rate.data,
            revenue_type=self.revenue_type.data,
        )

    @property
    def expected_version(self) -> int:
        """The version the form was opened at (0 when missing: a stale form)."""
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 12 else 0


class RuleForm(FlaskForm):
    """What a tier and a segment price share: a percentage off or a fixed price."""

    kind = SelectField(_l("Rule"), choices=list(KIND_LABELS.items()), default=RuleKind.PERCENT)
    value = AmountField(
        _l("Value"),
        [InputRequired(_l("Enter the percentage or the price.")), NumberRange(min=0)],
        places=None,
        description=_l("Percent off (at most 100), or the price without VAT."),
    )


class TierForm(RuleForm):
    min_quantity = AmountField(
        _l("From quantity"),
        [InputRequired(_l("Enter the quantity.")), NumberRange(min=0)],
        places=None,
    )


class SegmentPriceForm(RuleForm):
    """A segment price on a product's page: the product is the page's."""

    tag_id = SelectField(_l("Clients tagged"), coerce=int, default=0)


class CatalogueRuleForm(SegmentPriceForm):
    """A segment price on the rules page: for the whole catalogue, or a product by its SKU.

    A select of every product would be thousands of options; the SKU is what people quote.
    """

    product_sku = StringField(
        _l("Product SKU"),
        [Length(max=60)],
        filters=[_strip],
        description=_l("Empty for the whole catalogue; or add the rule on the product's page."),
    )
