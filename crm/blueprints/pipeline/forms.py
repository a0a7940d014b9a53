"""The form that moves a party to another stage."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length

from crm.models import LossReason, Stage
from crm.services import ladder


def _optional_int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _strip(value: str | None) -> str:
    return (value or "").strip()


class MoveForm(FlaskForm):
    """Target stage, reason (required for a move down or an ending), comment.

    `expected_stage_id` is the stage the user saw: if the party stands elsewhere by the
    time the form arrives, someone moved it meanwhile and the move is refused.
    """

    to_stage_id = SelectField(_l("Move to"), coerce=int)
    reason_id = SelectField(_l("Reason"), coerce=_optional_int)
    comment = TextAreaField(_l("Comment"), [Length(max=2000)], filters=[_strip])
    expected_stage_id = HiddenField()
    submit = SubmitField(_l("Move"))

    def fill_choices(self, stages: list[Stage], reasons: list[LossReason]) -> None:
        """Every stage but the one the user saw; the admin's active reasons."""
        seen = self.expected_stage
        self.to_stage_id.choices = [(s.id, ladder.stage_name(s)) for s in stages if s.id != seen]
        self.reason_id.choices = [("", _l("— none —"))] + [
            (r.id, ladder.reason_name(r)) for r in reasons
        ]

    @property
    def expected_stage(self) -> int | None:
        """The stage the user saw, or None when the party was on no stage."""
        return _optional_int(self.expected_stage_id.data)
