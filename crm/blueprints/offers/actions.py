"""What happens to an offer: approval, sending, the client's answer, a new revision.

Each action is a plain POST that redirects back to the offer with a message; a refused one
(a DomainError) changes nothing and says why.
"""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.blueprints.offers import bp
from crm.blueprints.offers.forms import CommentForm, MarkSentForm, SendForm
from crm.extensions import db
from crm.models import Offer
from crm.services import offer_flow, offers
from crm.services.errors import DomainError, EditConflictError
from crm.services.mailer import mail_configured
from crm.services.pdf_render import PdfRenderError
from crm.web import admin_required, editor_required, parse_id, read_phase


def _version() -> int:
    return parse_id(request.form.get("version")) or -1


def _prerender(offer_id: int) -> tuple[int, bytes] | None:
    """The PDF of the offer as it is now, rendered before the write transaction starts (on
    SQLite that takes the database's write lock); None if it can't be sent anyway."""
    from crm.services.offer_pdf import render_offer_pdf

    with read_phase():
        offer = offers.get_offer(current_user, offer_id, with_lines=True)
        try:
            offer_flow.check_sendable(current_user, offer)
        except DomainError:
            return None  # the action itself says why
        return offer.version, render_offer_pdf(offer)


def _pdf_of(offer: Offer, rendered: tuple[int, bytes] | None) -> bytes | None:
    """The pre-rendered PDF if it shows this very version of the offer."""
    return rendered[1] if rendered and rendered[0] == offer.version else None


def _act(offer_id: int, action: Callable[[Offer], object], done: str) -> object:
    offer = offers.get_offer(current_user, offer_id, with_lines=True)
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = action(offer)
        db.session.commit()
    except EditConflictError:
        db.session.rollback()
        flash(_("Someone changed this offer meanwhile: here it is as it is now."), "error")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(done, "success")
        if isinstance(result, Offer):
            return redirect(url_for("offers.show", offer_id=result.id))
    return redirect(url_for("offers.show", offer_id=offer_id))


def _comment() -> str:
    return request.form.get("comment", "")[:2000]


@bp.post("/<int:offer_id>/approval/request")
@editor_required
def request_approval(offer_id: int):
    return _act(
        offer_id,
        lambda o: offer_flow.request_approval(current_user, o, _version()),
        _("The offer waits for an admin's approval."),
    )


@bp.post("/<int:offer_id>/approval/withdraw")
@editor_required
def withdraw_request(offer_id: int):
    return _act(
        offer_id,
        lambda o: offer_flow.withdraw_request(current_user, o, _version()),
        _("The request was withdrawn; the offer is a draft again."),
    )


@bp.post("/<int:offer_id>/approval/approve")
@admin_required
def approve(offer_id: int):
    return _act(
        offer_id,
        lambda o: offer_flow.approve(current_user, o, _version(), _comment()),
        _("Approved: the manager can send the offer."),
    )


@bp.post("/<int:offer_id>/approval/reject")
@admin_required
def reject_approval(offer_id: int):
    return _act(
        offer_id,
        lambda o: offer_flow.reject_approval(current_user, o, _version(), _comment()),
        _("Not approved: the offer went back to its author."),
    )


@bp.post("/<int:offer_id>/mark-sent")
@editor_required
def mark_sent(offer_id: int):
    form = MarkSentForm()
    channel = form.channel.data if form.validate_on_submit() else ""
    try:
        rendered = _prerender(offer_id)
    except PdfRenderError as exc:
        flash(str(exc), "error")
        return redirect(url_for("offers.show", offer_id=offer_id))
    return _act(
        offer_id,
        lambda o: offer_flow.mark_sent(
            current_user, o, _version(), channel, pdf=_pdf_of(o, rendered)
        ),
        _("Marked as sent. The PDF is now frozen as the client received it."),
    )


@bp.route("/<int:offer_id>/send", methods=["GET", "POST"])
@editor_required
def send(offer_id: int):
    """E-mail the PDF to the client (only when the server has SMTP settings)."""
    from crm.services.mailer import MailError
    from crm.services.offer_sending import default_mail, send_offer

    try:
        rendered = _prerender(offer_id) if request.method == "POST" else None
    except PdfRenderError as exc:
        flash(str(exc), "error")
        return redirect(url_for("offers.show", offer_id=offer_id))
    offer = offers.get_offer(current_user, offer_id, with_lines=True)
    if not mail_configured():
        flash(_("E-mail is not set up on this server: download the PDF and mark it sent."), "error")
        return redirect(url_for("offers.show", offer_id=offer_id))
    form = SendForm()
    if request.method == "GET":
        form.to.data, form.subject.data, form.message.data = default_mail(offer)
    elif form.validate_on_submit():
        try:
            send_offer(
                current_user,
                offer,
                _version(),
                to=form.to.data.strip(),
                subject=form.subject.data,
                message=form.message.data,
                pdf=_pdf_of(offer, rendered),
            )
            db.session.commit()
            flash(_("The offer was e-mailed to %(to)s.", to=form.to.data), "success")
            return redirect(url_for("offers.show", offer_id=offer_id))
        except MailError as exc:
            db.session.rollback()
            form.to.errors = [str(exc)]
        except EditConflictError:
            db.session.rollback()
            flash(_("Someone changed this offer meanwhile: here it is as it is now."), "error")
            return redirect(url_for("offers.show", offer_id=offer_id))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("offers.show", offer_id=offer_id))
        offer = offers.get_offer(current_user, offer_id, with_lines=True)
    status = 422 if form.errors else 200
    return render_template("offers/send.html", offer=offer, form=form), status


@bp.post("/<int:offer_id>/accept")
@editor_required
def accept(offer_id: int):
    return _act(
        offer_id,
        lambda o: offer_flow.accept(current_user, o, _version()),
        _("Accepted: the sale is recorded."),
    )


@bp.post("/<int:offer_id>/reject")
@editor_required
def reject(offer_id: int):
    return _act(
        offer_id,
        lambda o: offer_flow.reject(current_user, o, _version(), _comment()),
        _("Marked as rejected by the client."),
    )


@bp.post("/<int:offer_id>/cancel")
@editor_required
def cancel(offer_id: int):
    return _act(
        offer_id,
        lambda o: offer_flow.cancel(current_user, o, _version(), _comment()),
        _("The offer is cancelled. It keeps its number; a new revision brings it back."),
    )


@bp.post("/<int:offer_id>/revise")
@editor_required
def revise(offer_id: int):
    return _act(
        offer_id,
        lambda o: offer_flow.revise(current_user, o, _version()),
        _("A new revision was made; it is a draft."),
    )
