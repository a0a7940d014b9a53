"""The daily work on the party card: log an interaction, one timeline, open tasks, next contact."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from crm.blueprints.clients import bp
from crm.blueprints.clients.history import history_rows
from crm.blueprints.clients.work_forms import INTERACTION_LABELS, InteractionForm
from crm.extensions import db
from crm.models import Party, Priority
from crm.services import cadence, interactions, parties, tasks
from crm.services.clock import local_today
from crm.services.errors import DomainError, NotFoundError, PermissionDeniedError
from crm.services.timeline import KINDS, party_timeline
from crm.web import editor_required, render_page_or_fragment, safe_next, wants_fragment

TIMELINE_PAGE = 20
# The filter: "" shows every kind; the others are ?kinds= values.
TIMELINE_FILTERS = {
    "": _l("All"),
    "interaction": _l("Interactions"),
    "stage": _l("Stage moves"),
    "task": _l("Tasks"),
    "change": _l("Changes"),
}
EVENT_KIND_LABELS = {
    "stage": _l("Stage move"),
    "task_created": _l("Task created"),
    "task_done": _l("Task done"),
    "change": _l("Change"),
}


def kinds_from(value: str | None) -> tuple[str, frozenset[str] | None]:
    """The known kinds in ?kinds= (comma-separated): as given back in links, and as a set."""
    asked = set((value or "")[:100].split(","))
    wanted = [kind for kind in KINDS if kind in asked]
    if not wanted or len(wanted) == len(KINDS):
        return "", None
    return ",".join(wanted), frozenset(wanted)


def timeline_context(party: Party, kinds_arg: str | None, cursor: str | None) -> dict:
    """A page of the party's timeline, with audit entries turned into readable rows."""
    kinds, wanted = kinds_from(kinds_arg)
    cursor = (cursor or "")[:100] or None
    events, next_cursor = party_timeline(party, kinds=wanted, cursor=cursor, limit=TIMELINE_PAGE)
    entries = [event.item for event in events if event.kind == "change"]
    return {
        "party": party,
        "events": events,
        "next_cursor": next_cursor,
        "cursor": cursor,
        "kinds": kinds,
        "change_rows": {row.id: row for row in history_rows(party.id, entries=entries)},
        "timeline_filters": TIMELINE_FILTERS,
        "event_kind_labels": EVENT_KIND_LABELS,
        "interaction_labels": INTERACTION_LABELS,
    }


def tasks_context(party: Party) -> dict:
    """The party's open tasks and whether it is due a contact."""
    return {
        "party": party,
        "open_tasks": tasks.open_tasks_of(party),
        "needs_contact": cadence.needs_contact(party),
        "today": local_today(),
        "high_priority": Priority.HIGH,
    }


def card_work(party: Party) -> dict:
    """What the card needs for the daily work; the timeline follows ?kinds= and ?cursor=."""
    context = timeline_context(party, request.args.get("kinds"), request.args.get("cursor"))
    context.update(tasks_context(party))
    context["interaction_form"] = InteractionForm(party.contacts, formdata=None)
    return context


def _card(party: Party) -> dict:
    # routes.py imports this module for card_context: import it back only when called.
    from crm.blueprints.clients.routes import card_context

    return card_context(party)


@bp.get("/<int:party_id>/timeline")
@login_required
def timeline(party_id: int):
    """The timeline filtered (htmx: the list) or continued after a cursor (htmx: more items)."""
    party = parties.get_party(current_user, party_id, include_deleted=True)
    if not wants_fragment():
        return render_page_or_fragment(
            "clients/show.html", "clients/_timeline.html", **_card(party)
        )
    args = request.args
    context = timeline_context(party, args.get("kinds"), args.get("cursor"))
    context["timeline_part"] = "items" if context["cursor"] else "events"
    return render_page_or_fragment("clients/show.html", "clients/_timeline.html", **context)


@bp.post("/<int:party_id>/interactions")
@editor_required
def log_interaction(party_id: int):
    """Log a call, meeting, letter…; htmx gets the timeline back with it on top."""
    party = parties.get_party(current_user, party_id)
    form = InteractionForm(party.contacts)
    if form.validate_on_submit():
        try:
            interactions.log_interaction(current_user, party, **form.for_service())
        except (NotFoundError, PermissionDeniedError):
            raise
        except DomainError as exc:
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            return _logged(party)
    if not wants_fragment():
        context = _card(party)
        context["interaction_form"] = form
        return render_template("clients/show.html", **context), 422
    return render_template(
        "clients/_interaction_form.html", party=party, interaction_form=form
    ), 422


def _logged(party: Party):  # noqa: ANN202
    """After logging: the card (303), or for htmx the whole timeline block and a fresh form."""
    if not wants_fragment():
        flash(_("Interaction logged."), "success")
        return redirect(url_for("clients.show", party_id=party.id, _anchor="timeline"), 303)
    form = InteractionForm(party.contacts, formdata=None)
    form.type.render_kw = {"autofocus": True}  # ready for the next one
    context = timeline_context(party, None, None) | tasks_context(party)
    html = render_template(
        "clients/_timeline.html", interaction_form=form, logged=True, oob=True, **context
    )
    response = make_response(html)
    # The form asked for itself to be replaced; the news is the whole timeline, unfiltered.
    response.headers.update(
        {
            "HX-Retarget": "#timeline",
            "HX-Reswap": "innerHTML",
            "HX-Replace-Url": url_for("clients.show", party_id=party.id),
        }
    )
    return response


@bp.post("/<int:party_id>/plan-contact")
@editor_required
def plan_contact(party_id: int):
    """Create a task to contact the party when the cadence says so."""
    party = parties.get_party(current_user, party_id)
    try:
        task, created = cadence.plan_next_contact(current_user, party)
    except (NotFoundError, PermissionDeniedError):
        raise
    except DomainError as exc:
        db.session.rollback()
        return _tasks_block(party, str(exc), "error", 422)
    db.session.commit()
    due = format_date(task.due_date, "medium")
    if created:
        message = _("Task created: %(title)s, due %(date)s", title=task.title, date=due)
    else:
        message = _("Already planned: %(title)s, due %(date)s", title=task.title, date=due)
    return _tasks_block(party, message, "success")


def _tasks_block(party: Party, message: str, category: str, status: int = 200):  # noqa: ANN202
    """The open tasks for htmx, with the message; without JavaScript, the card (303)."""
    if not wants_fragment():
        flash(message, category)
        card = url_for("clients.show", party_id=party.id, _anchor="party-tasks")
        return redirect(safe_next(request.form.get("next"), card), 303)
    context = tasks_context(party)
    html = render_template(
        "clients/_party_tasks.html", task_notice=message, notice_category=category, **context
    )
    return html, status
