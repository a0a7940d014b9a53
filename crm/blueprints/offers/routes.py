"""The offer list, a new offer for a party, the offer page and its PDF."""

import io

from flask import abort, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.blueprints.offers import bp
from crm.blueprints.offers.forms import NewOfferForm
from crm.extensions import db
from crm.models import User
from crm.services import offer_flow, offers
from crm.services.clock import local_today
from crm.services.errors import DomainError
from crm.services.offer_list import STATUSES, OfferFilter, awaiting_approval_count, list_offers
from crm.services.party_list import PartyFilter, list_parties
from crm.web import editor_required, parse_id, render_page_or_fragment

PARTY_CHOICES = 10


def _number(name: str) -> int | None:
    return parse_id(request.args.get(name))


@bp.get("")
@login_required
def index():
    """Offers with filters; the list updates in place, "show more" adds the next rows."""
    owner = request.args.get("owner", "")
    filters = OfferFilter(
        q=request.args.get("q", "")[:100],
        status=request.args.get("status", "") if request.args.get("status") in STATUSES else "",
        owner_id=current_user.id if owner == "me" else _number("owner"),
        party_id=_number("party"),
        after=_number("after"),
    )
    today = local_today()
    page = list_offers(current_user, filters, today, current_app.config["PAGE_SIZE"])
    owners = db.session.scalars(select(User).where(User.active).order_by(User.name))
    return render_page_or_fragment(
        "offers/index.html",
        "offers/_results.html",
        page=page,
        filters=filters,
        owner=owner,
        owners=list(owners),
        today=today,
        effective_status=offer_flow.effective_status,
        awaiting=awaiting_approval_count(current_user),
    )


@bp.get("/new")
@editor_required
def new():
    """Choose the party the offer is for (the party card links here with it chosen)."""
    q = request.args.get("q", "")[:100]
    parties = list_parties(current_user, PartyFilter(q=q), PARTY_CHOICES).parties if q else []
    return render_page_or_fragment(
        "offers/new.html", "offers/_party_choices.html", q=q, parties=parties, form=NewOfferForm()
    )


@bp.post("/new")
@editor_required
def create():
    form = NewOfferForm()
    party_id = parse_id(form.party_id.data)
    if not form.validate_on_submit() or party_id is None:
        abort(400)
    offer = offers.create_offer(current_user, party_id)
    db.session.commit()
    return redirect(url_for("offers.show", offer_id=offer.id))


@bp.get("/<int:offer_id>")
@login_required
def show(offer_id: int):
    offer = offers.get_offer(current_user, offer_id, with_lines=True)
    from crm.blueprints.offers.editor import editor_context

    return render_template("offers/show.html", **editor_context(offer))


@bp.get("/<int:offer_id>/pdf")
@login_required
def pdf(offer_id: int):
    """The frozen PDF of a sent offer, or a preview of a draft."""
    from crm.services.offer_pdf import offer_pdf_bytes, pdf_filename

    offer = offers.get_offer(current_user, offer_id, with_lines=True)
    try:
        content = offer_pdf_bytes(offer)
    except DomainError as exc:
        return render_template("error.html", title=str(exc), message=str(exc)), 503
    return send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        as_attachment=request.args.get("download") == "1",
        download_name=pdf_filename(offer),
    )
