"""One stage's page: whose relationship factors fell, and who is at risk there."""

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.blueprints.pipeline import bp
from crm.extensions import db
from crm.models import Party, Stage
from crm.services import factors, ladder
from crm.services.access import visible
from crm.services.errors import NotFoundError

AT_RISK_LIMIT = 100


@bp.get("/stages/<int:stage_id>")
@login_required
def stage(stage_id: int):
    """Clients on a stage whose satisfaction, trust or engagement fell, and those at risk."""
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.archived_at is not None:
        raise NotFoundError(_l("No such stage."))
    at_risk = db.session.scalars(
        visible(select(Party), current_user)
        .where(
            Party.deleted_at.is_(None),
            ladder.at_risk_condition([stage]),
        )
        .order_by(Party.last_contact_at.asc().nulls_first(), Party.id)
        .limit(AT_RISK_LIMIT)
    ).all()
    return render_template(
        "pipeline/stage.html",
        stage=stage,
        falling=factors.parties_with_falling_factors(current_user, stage.id),
        at_risk=at_risk,
        at_risk_limit=AT_RISK_LIMIT,
    )
