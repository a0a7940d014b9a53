"""The relationship on the party card: stage, stage history, relationship factors."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.blueprints.clients import bp
from crm.blueprints.clients.forms import FactorsForm
from crm.blueprints.clients.routes import card_context
from crm.extensions import db
from crm.services import factors, parties
from crm.web import editor_required


@bp.post("/<int:party_id>/factors")
@editor_required
def record_factors(party_id: int):
    """Record today's judgement of satisfaction, trust and engagement."""
    party = parties.get_party(current_user, party_id)
    form = FactorsForm()
    if not form.validate_on_submit():
        context = card_context(party)
        context["factors_form"] = form
        return render_template("clients/show.html", **context), 422
    factors.record_factors(current_user, party, form.scores())
    db.session.commit()
    flash(_("Relationship factors recorded."), "success")
    return redirect(url_for("clients.show", party_id=party.id, _anchor="relationship"))
