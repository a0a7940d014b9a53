"""Forms of the ladder's admin pages: stages, the model switch mapping, loss reasons."""

from collections.abc import Iterable

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, ColorField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Regexp, ValidationError

MIN_INTERVAL, MAX_INTERVAL = 1, 3650
DEFAULT_COLOR, DEFAULT_INTERVAL = "#5b8def", 91


def _strip(value: str | None) -> str:
    return (value or "").strip()


def _lower(value: str | None) -> str:
    return (value or "").strip().lower()


class _NamedForm(FlaskForm):
    """A form whose name may be empty only for a built-in item (it falls back to its own name).

    `builtin_name` is the built-in name in the user's language (None for the admin's own
    items); `taken` are the other items' names, so that two never read the same.
    """

    name = StringField(_l("Name"), [Length(max=80)], filters=[_strip])
    required_message: LazyString  # set by each subclass, in its own words
    taken_message: LazyString

    def __init__(
        self, *args, builtin_name: str | None = None, taken: Iterable[str] = (), **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.builtin_name = builtin_name
        self.taken = {name.casefold() for name in taken}
        if builtin_name:
            self.name.render_kw = {"placeholder": builtin_name}

    def validate_name(self, field: StringField) -> None:
        if not field.data and not self.builtin_name:
            raise ValidationError(self.required_message)
        if field.data and field.data.casefold() in self.taken:
            raise ValidationError(str(self.taken_message) % {"name": field.data})


class StageForm(_NamedForm):
    """A stage's name, colour and target contact interval."""

    required_message = _l("A stage you added needs a name.")
    taken_message = _l("Another stage is already called “%(name)s”.")
    color = ColorField(
        _l("Colour"),
        [
            InputRequired(_l("Choose a colour.")),
            Regexp(r"^#[0-9a-f]{6}$", message=_l("Choose a colour such as #1f9d74.")),
        ],
        filters=[_lower],
        default=DEFAULT_COLOR,
    )
    interval = IntegerField(
        _l("Contact every (days)"),
        [
            InputRequired(_l("Enter a number of days.")),
            NumberRange(
                MIN_INTERVAL,
                MAX_INTERVAL,
                _l("Between %(min)s and %(max)s days."),
            ),
        ],
        default=DEFAULT_INTERVAL,
    )


class RemoveStageForm(FlaskForm):
    """Where the clients of a removed stage go."""

    target = SelectField(_l("Move its clients to"), coerce=int, validate_choice=False)

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.target.choices = choices
        allowed = [value for value, _ in choices]
        self.target.validators = [AnyOf(allowed, _l("Choose one of the remaining stages."))]


def mapping_form(
    rows: list[tuple[int, str]],
    choices: list[tuple[str, str]],
    defaults: dict[int, str],
    bound: bool = False,
) -> FlaskForm:
    """One select per current stage (`rows`: id and name), offering the new model's stages."""

    class MappingForm(FlaskForm):
        pass

    allowed = [key for key, _ in choices]
    message = _l("Choose one of the new model's stages.")
    for stage_id, name in rows:
        field = SelectField(
            name,
            [AnyOf(allowed, message)],
            choices=choices,
            default=defaults.get(stage_id),
            validate_choice=False,
        )
        setattr(MappingForm, f"stage_{stage_id}", field)
    return MappingForm() if bound else MappingForm(formdata=None)


class ReasonForm(_NamedForm):
    """A loss reason's name and whether it is offered for new moves."""

    required_message = _l("A reason you added needs a name.")
    taken_message = _l("Another reason is already called “%(name)s”.")
    active = BooleanField(_l("Offered for new moves"), default=True)
