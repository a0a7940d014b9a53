"""Party list, card, create, edit, trash and contacts. Routes stay thin: services do the work."""

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.blueprints.clients import bp
from crm.blueprints.clients.forms import (
    ContactForm,
    DeleteForm,
    DocumentForm,
    FactorsForm,
    PartyForm,
)
from crm.blueprints.clients.history import history_rows
from crm.blueprints.clients.labels import ROLE_LABELS, SORT_LABELS
from crm.blueprints.clients.work import card_work
from crm.extensions import db
from crm.models import Party, Tag
from crm.services import contacts, factors, ladder, parties, users
from crm.services.documents import party_documents
from crm.services.errors import EditConflictError
from crm.services.export import export_csv, may_export
from crm.services.party_list import SORTS, PartyFilter, list_parties
from crm.web import editor_required, render_page_or_fragment, wants_fragment


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _filters_from_request() -> PartyFilter:
    args = request.args
    sort = args.get("sort", "name")
    role = args.get("role", "")
    return PartyFilter(
        q=args.get("q", "")[:200],
        role=role if role in ROLE_LABELS else "",
        owner_id=None if parties.sees_only_own(current_user) else _int_arg("owner"),
        tag_id=_int_arg("tag"),
        sort=sort if sort in SORTS else "name",
        after=args.get("after", "")[:500],
        before=args.get("before", "")[:500],
        needs_contact=args.get("needs_contact") == "1",
    )


@bp.get("")
@login_required
def index():
    """The client base: search, filter, sort, page — the list updates in place with htmx."""
    filters = _filters_from_request()
    page = list_parties(current_user, filters, current_app.config["PAGE_SIZE"])
    context = {"page": page, "filters": filters, "can_export": may_export(current_user)}
    if not wants_fragment():
        context.update(
            owners=[] if parties.sees_only_own(current_user) else users.managers(True),
            tags=db.session.scalars(select(Tag).order_by(Tag.name).limit(500)).all(),
            sort_labels=SORT_LABELS,
        )
    return render_page_or_fragment("clients/index.html", "clients/_results.html", **context)


def _party_form(party=None, **kwargs) -> PartyForm:  # noqa: ANN001
    form = PartyForm(obj=party, **kwargs)
    owners = users.managers()
    if party and party.owner and party.owner not in owners:
        owners.append(party.owner)
    form.owner_id.choices = [(u.id, u.name) for u in owners]
    if current_user.is_admin:
        form.owner_id.choices.append((0, _("Unassigned (lead pool)")))
    if party is not None and party.owner_id is None and request.method == "GET":
        form.owner_id.data = 0
    if party is not None and request.method == "GET":
        form.roles.data = party.role_names
        form.tag_names.data = ", ".join(t.name for t in party.tags)
        form.version.data = party.version
    return form


@bp.get("/export.csv")
@login_required
def export():
    """The filtered list as CSV, for those allowed to export; every export is logged."""
    body = export_csv(current_user, _filters_from_request())
    db.session.commit()
    headers = {"Content-Disposition": 'attachment; filename="clients.csv"'}
    return Response(body, mimetype="text/csv", headers=headers)


@bp.get("/new")
@editor_required
def new():
    """An empty party form."""
    form = _party_form(owner_id=current_user.id, roles=["client"])
    return render_template("clients/form.html", form=form, party=None)


@bp.post("/new")
@editor_required
def create():
    """Save a new party; on error the form comes back with the message next to the field."""
    form = _party_form()
    if not form.validate_on_submit():
        return render_template("clients/form.html", form=form, party=None), 422
    party = parties.create_party(current_user, form.data_for_service())
    db.session.commit()
    flash(_("“%(name)s” was added.", name=party.name), "success")
    return redirect(url_for("clients.show", party_id=party.id))


def card_context(party: Party) -> dict:
    """Everything the party card shows; shared by the card and the forms that fail on it."""
    latest, previous = factors.latest_two(party)
    return {
        "party": party,
        "documents": party_documents(party),
        "moves": ladder.stage_history(party, limit=10),
        "at_risk": ladder.is_at_risk(party),
        "factors_latest": latest,
        "factors_trend": factors.trend(latest, previous),
        "factors_form": FactorsForm(formdata=None),
        "contact_form": ContactForm(formdata=None),
        "document_form": DocumentForm(formdata=None),
        "action_form": DeleteForm(),
        **card_work(party),  # timeline, log-an-interaction form, open tasks, needs contact
    }


@bp.get("/<int:party_id>")
@login_required
def show(party_id: int):
    """The party card: profile, relationship, tasks, contacts, documents, timeline."""
    party = parties.get_party(current_user, party_id, include_deleted=True)
    return render_template("clients/show.html", **card_context(party))


@bp.get("/<int:party_id>/edit")
@editor_required
def edit(party_id: int):
    """The party form, filled in."""
    party = parties.get_party(current_user, party_id)
    return render_template("clients/form.html", form=_party_form(party), party=party)


@bp.post("/<int:party_id>/edit")
@editor_required
def update(party_id: int):
    """Save changes; a stale form shows what others changed and keeps the user's input."""
    party = parties.get_party(current_user, party_id)
    form = _party_form(party)
    if not form.validate_on_submit():
        return render_template("clients/form.html", form=form, party=party), 422
    expected = int(form.version.data) if (form.version.data or "").isdigit() else 0
    try:
        parties.update_party(current_user, party, form.data_for_service(), expected)
    except EditConflictError as conflict:
        party = parties.get_party(current_user, party_id)
        form.version.data = party.version
        conflict_rows = history_rows(party.id, entries=conflict.changes)
        return render_template(
            "clients/form.html", form=form, party=party, conflict=conflict_rows
        ), 409
    db.session.commit()
    flash(_("Changes saved."), "success")
    return redirect(url_for("clients.show", party_id=party.id))


@bp.post("/<int:party_id>/delete")
@editor_required
def delete(party_id: int):
    """Move the party to the trash."""
    party = parties.get_party(current_user, party_id)
    if DeleteForm().validate_on_submit():
        parties.trash_party(current_user, party)
        db.session.commit()
        flash(_("“%(name)s” was moved to the trash.", name=party.name), "success")
    return redirect(url_for("clients.index"))


@bp.post("/<int:party_id>/contacts")
@editor_required
def add_contact(party_id: int):
    """Add a contact person (htmx: the contacts block comes back)."""
    party = parties.get_party(current_user, party_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return _contacts_block(party, form, status=422)
    contacts.add_contact(current_user, party, form.data)
    db.session.commit()
    return _contacts_block(party, ContactForm(formdata=None))


@bp.get("/<int:party_id>/contacts/<int:contact_id>/edit")
@editor_required
def edit_contact(party_id: int, contact_id: int):
    """A contact's form."""
    party = parties.get_party(current_user, party_id)
    contact = contacts.get_contact(party, contact_id)
    return render_template(
        "clients/contact_form.html", party=party, contact=contact, form=ContactForm(obj=contact)
    )


@bp.post("/<int:party_id>/contacts/<int:contact_id>/edit")
@editor_required
def update_contact(party_id: int, contact_id: int):
    """Save a contact's changes."""
    party = parties.get_party(current_user, party_id)
    contact = contacts.get_contact(party, contact_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return render_template(
            "clients/contact_form.html", party=party, contact=contact, form=form
        ), 422
    contacts.update_contact(current_user, contact, form.data)
    db.session.commit()
    flash(_("Contact saved."), "success")
    return redirect(url_for("clients.show", party_id=party.id))


@bp.post("/<int:party_id>/contacts/<int:contact_id>/delete")
@editor_required
def delete_contact(party_id: int, contact_id: int):
    """Remove a contact (kept in the history)."""
    party = parties.get_party(current_user, party_id)
    contact = contacts.get_contact(party, contact_id)
    if DeleteForm().validate_on_submit():
        contacts.remove_contact(current_user, contact)
        db.session.commit()
    return _contacts_block(party, ContactForm(formdata=None))


def _contacts_block(party, form: ContactForm, status: int = 200):  # noqa: ANN001, ANN202
    """The contacts block for htmx; without JavaScript, the card (or the card with errors)."""
    db.session.expire(party, ["contacts"])
    if wants_fragment():
        html = render_template(
            "clients/_contacts.html", party=party, contact_form=form, action_form=DeleteForm()
        )
        return html, status
    if status == 200:
        return redirect(url_for("clients.show", party_id=party.id))
    context = card_context(party)
    context["contact_form"] = form
    return render_template("clients/show.html", **context), status
