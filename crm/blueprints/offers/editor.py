"""The offer editor: the header and the lines, changed in place; totals come from the server.

Every change posts the offer's version; a stale one (someone else changed the offer since)
gets 409 and the current lines, a bad value gets 422 with the message next to the field.
Nothing is saved in either case.
"""

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.blueprints.offers import bp
from crm.blueprints.offers.forms import (
    FreeLineForm,
    OfferHeaderForm,
    ProductLineForm,
    parse_decimal,
)
from crm.extensions import db
from crm.models import Offer, OfferStatus, RevenueType
from crm.services import offer_flow, offer_lines, offers
from crm.services.amount_words import amount_in_words
from crm.services.catalogue import active_products_for_picker
from crm.services.clock import local_today
from crm.services.company import company_profile
from crm.services.errors import DomainError, EditConflictError, FieldError
from crm.services.mailer import mail_configured
from crm.web import editor_required, parse_id, wants_fragment

PICKER_SIZE = 8


def lines_context(offer: Offer, **extra) -> dict:
    """What the lines fragment needs: the lines, totals, and what the user may do next."""
    editable = offer.status == OfferStatus.DRAFT and current_user.can_edit
    context = {
        "offer": offer,
        "editable": editable,
        "status": offer_flow.effective_status(offer, local_today()),
        "needs_approval": current_user.can_edit and offer_flow.needs_approval(current_user, offer),
        "discount_limit": offer_flow.discount_limit(current_user, offer),
        "amount_words": amount_in_words(offer.total, offer.currency, offer.language),
        "line_errors": {},
        "message": None,
        "mail_configured": mail_configured(),
    }
    if editable and "product_form" not in extra:
        context["product_form"] = ProductLineForm(formdata=None)
    if editable and "free_form" not in extra:
        context["free_form"] = FreeLineForm(
            formdata=None,
            vat_rate=company_profile().default_vat_rate,
            revenue_type=RevenueType.ONE_OFF,
        )
    context.update(extra)
    return context


def header_form(offer: Offer, formdata: object = None) -> OfferHeaderForm:
    form = OfferHeaderForm(formdata=formdata, obj=None if formdata else offer)
    contacts = [(c.id, c.name) for c in offer.party.contacts]
    form.contact_id.choices = [("", "—"), *contacts]
    if formdata is None:
        form.contact_id.data = offer.contact_id
    return form


def editor_context(offer: Offer) -> dict:
    """The whole offer page: header, lines, history and revisions."""
    return lines_context(
        offer,
        header_form=header_form(offer),
        events=offers.events(offer),
        revisions=offers.revisions(offer),
    )


def _version() -> int:
    return parse_id(request.form.get("version")) or -1


def _respond(offer_id: int, change: Callable[[Offer], None], **forms) -> tuple[str, int] | object:
    """Apply a change to the offer's lines and answer with the lines fragment."""
    offer = offers.get_offer(current_user, offer_id, with_lines=True)
    status, extra = 200, {}
    try:
        change(offer)
        if wants_fragment():
            # Rendered from the flushed state before the commit, which would expire it all.
            # Empty forms again; the free-line form stays open for the next line.
            context = lines_context(offer, free_open="free_form" in forms)
            html = render_template("offers/_lines.html", **context)
            db.session.commit()
            return html, 200
        db.session.commit()
    except FieldError as exc:
        db.session.rollback()
        status, extra = 422, _field_error(exc, forms)
    except EditConflictError:
        db.session.rollback()
        message = _("Someone changed this offer meanwhile: here it is as it is now.")
        status, extra = 409, {"message": message}
    except DomainError as exc:
        db.session.rollback()
        status, extra = 422, {"message": str(exc)}
    if not wants_fragment():
        if extra.get("message"):
            flash(extra["message"], "error")
        return redirect(url_for("offers.show", offer_id=offer_id))
    if status != 200:
        offer = offers.get_offer(current_user, offer_id, with_lines=True)
    return render_template("offers/_lines.html", **lines_context(offer, **forms, **extra)), status


def _field_error(exc: FieldError, forms: dict) -> dict:
    """Put the message next to its field: a form's field, or a line's input."""
    for form in forms.values():
        if exc.field in form:
            form[exc.field].errors = [str(exc)]
            return {}
    line_id = request.view_args.get("line_id")
    if line_id:
        return {"line_errors": {line_id: {exc.field: str(exc)}}}
    return {"message": str(exc)}


@bp.post("/<int:offer_id>/header")
@editor_required
def save_header(offer_id: int):
    offer = offers.get_offer(current_user, offer_id, with_lines=True)
    form = header_form(offer, request.form)
    status = 200
    message = None
    if form.validate():
        data = {name: form[name].data for name in offers.HEADER_FIELDS}
        data["intro"], data["terms"] = data["intro"] or "", data["terms"] or ""
        try:
            offers.update_header(current_user, offer, offers.OfferHeader(**data), _version())
            db.session.commit()
            message = _("Saved.")
        except FieldError as exc:
            db.session.rollback()
            form[exc.field].errors = [str(exc)]
            status = 422
        except EditConflictError:
            db.session.rollback()
            message = _("Someone changed this offer meanwhile: here it is as it is now.")
            status = 409
        except DomainError as exc:
            db.session.rollback()
            message, status = str(exc), 422
    else:
        status = 422
    if not wants_fragment():
        if message:
            flash(message, "success" if status == 200 else "error")
        return redirect(url_for("offers.show", offer_id=offer_id))
    offer = offers.get_offer(current_user, offer_id, with_lines=True)
    if status == 409:
        form = header_form(offer)  # what is saved now; the user's edit was not
    context = lines_context(offer, header_form=form, header_message=message, header_status=status)
    return render_template("offers/_header.html", refresh_lines=True, **context), status


@bp.get("/<int:offer_id>/products")
@login_required
def products(offer_id: int):
    """Catalogue items matching what the user typed, each with its own "add" form."""
    offer = offers.get_offer(current_user, offer_id)
    term = request.args.get("product_q", "")[:100]
    found = active_products_for_picker(term, limit=PICKER_SIZE)
    return render_template("offers/_product_choices.html", offer=offer, products=found, term=term)


@bp.post("/<int:offer_id>/lines")
@editor_required
def add_product(offer_id: int):
    form = ProductLineForm()

    def change(offer: Offer) -> None:
        if not form.validate():
            raise FieldError(next(iter(form.errors)), next(iter(form.errors.values()))[0])
        product_id = parse_id(form.product_id.data) or 0
        offer_lines.add_product_line(
            current_user, offer, product_id, form.quantity.data, _version()
        )

    return _respond(offer_id, change, product_form=form)


@bp.post("/<int:offer_id>/lines/free")
@editor_required
def add_free(offer_id: int):
    form = FreeLineForm()

    def change(offer: Offer) -> None:
        if not form.validate():
            raise FieldError(next(iter(form.errors)), next(iter(form.errors.values()))[0])
        offer_lines.add_free_line(
            current_user,
            offer,
            name=form.name.data,
            unit=form.unit.data or "",
            quantity=form.quantity.data,
            price=form.price.data,
            vat_rate=form.vat_rate.data,
            revenue_type=form.revenue_type.data,
            expected_version=_version(),
        )

    return _respond(offer_id, change, free_form=form)


@bp.post("/<int:offer_id>/lines/<int:line_id>")
@editor_required
def change_line(offer_id: int, line_id: int):
    """New quantity, unit price or discount of one line (whichever the form sends)."""

    def change(offer: Offer) -> None:
        values = {}
        for field in ("quantity", "price", "discount_percent"):
            if field in request.form:
                try:
                    values[field] = parse_decimal(request.form[field])
                except ValueError:
                    raise FieldError(field, _("Enter a number, such as 12.5.")) from None
                if values[field] is None:
                    raise FieldError(field, _("Enter a number, such as 12.5."))
        offer_lines.change_line(current_user, offer, line_id, _version(), **values)

    return _respond(offer_id, change)


@bp.post("/<int:offer_id>/lines/<int:line_id>/delete")
@editor_required
def remove_line(offer_id: int, line_id: int):
    return _respond(
        offer_id,
        lambda offer: offer_lines.remove_line(current_user, offer, line_id, _version()),
    )


@bp.post("/<int:offer_id>/lines/<int:line_id>/move")
@editor_required
def move_line(offer_id: int, line_id: int):
    offset = -1 if request.form.get("direction") == "up" else 1
    return _respond(
        offer_id,
        lambda offer: offer_lines.move_line(current_user, offer, line_id, offset, _version()),
    )
