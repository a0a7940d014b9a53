"""The card's sales block: the latest sales and the ladder suggestion, accepted or dismissed.

The block loads on its own (htmx, `hx-trigger="load"`; a link without JavaScript): the card
page is at its statement budget.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.blueprints.clients import bp
from crm.blueprints.clients.routes import card_context
from crm.extensions import db
from crm.services import ladder, parties, sales
from crm.services.errors import DomainError, NotFoundError, PermissionDeniedError
from crm.web import editor_required, parse_id, render_page_or_fragment, wants_fragment


def _expected_stage_id() -> int | None:
    """The stage the user saw the party on, from the form (None if the field is missing)."""
    return parse_id(request.form.get("expected_stage_id"))


@bp.get("/<int:party_id>/sales")
@login_required
def party_sales(party_id: int):
    """The sales block for the card (htmx), or a page of its own without JavaScript."""
    party = parties.get_party(current_user, party_id, include_deleted=True)
    return render_page_or_fragment(
        "clients/sales.html",
        "clients/_sales.html",
        party=party,
        sales=sales.card_sales(party),
        standalone=not wants_fragment(),
    )


@bp.post("/<int:party_id>/suggestions/<int:suggestion_id>/accept")
@editor_required
def accept_suggestion(party_id: int, suggestion_id: int):
    """Move the party to the suggested stage (or just close the suggestion if it is moot)."""
    try:
        move = sales.accept_suggestion(current_user, suggestion_id, party_id, _expected_stage_id())
    except (NotFoundError, PermissionDeniedError):
        raise
    except ladder.StaleMoveError as stale:
        db.session.rollback()
        return _relationship(party_id, str(stale), "error", 409)
    except DomainError as refused:
        db.session.rollback()
        return _relationship(party_id, str(refused), "error", 422)
    db.session.commit()
    if move is None:
        message = _("Suggestion closed: the client stands there or higher already.")
    else:
        message = _("Moved to %(stage)s.", stage=ladder.stage_name(move.to_stage))
    return _relationship(party_id, message, "success")


@bp.post("/<int:party_id>/suggestions/<int:suggestion_id>/dismiss")
@editor_required
def dismiss_suggestion(party_id: int, suggestion_id: int):
    """Dismiss the suggestion; the party stays where it is."""
    try:
        sales.dismiss_suggestion(current_user, suggestion_id, party_id)
    except (NotFoundError, PermissionDeniedError):
        raise
    except DomainError as refused:
        db.session.rollback()
        return _relationship(party_id, str(refused), "error", 422)
    db.session.commit()
    return _relationship(party_id, _("Suggestion dismissed."), "success")


def _relationship(party_id: int, message: str, category: str, status: int = 200):  # noqa: ANN202
    """The relationship section for htmx, with the message; without JavaScript, the card (303)."""
    if not wants_fragment():
        flash(message, category)
        return redirect(url_for("clients.show", party_id=party_id, _anchor="relationship"), 303)
    party = parties.get_party(current_user, party_id)
    html = render_template(
        "clients/_relationship.html",
        relationship_notice=message,
        notice_category=category,
        sales=sales.card_sales(party),
        **card_context(party),
    )
    return html, status
