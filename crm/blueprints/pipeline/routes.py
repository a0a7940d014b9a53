"""The board (/pipeline) and moving a party between stages."""

import json

from flask import abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.blueprints.clients.labels import ROLE_LABELS
from crm.blueprints.pipeline import bp
from crm.blueprints.pipeline.forms import MoveForm
from crm.extensions import db
from crm.models import LossReason, Party, Stage, Tag
from crm.services import board, ladder, parties, sales, settings, users
from crm.services.access import sees_only_own
from crm.services.errors import DomainError
from crm.web import editor_required, render_page_or_fragment, wants_fragment

ORIGINS = ("board", "card")


@bp.context_processor
def _board_helpers() -> dict:
    """`dialog`: on the board (or in its fragments) links open the move dialog."""
    return {
        "dialog": wants_fragment() or request.endpoint == "pipeline.index",
        "base_currency": settings.base_currency(),
    }


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _filters_from_request(own_only: bool | None = None) -> board.BoardFilter:
    """The board's filters from the query string; no owner filter for who sees only their own."""
    args = request.args
    role = args.get("role", "")
    own_only = sees_only_own(current_user) if own_only is None else own_only
    return board.BoardFilter(
        owner_id=None if own_only else _int_arg("owner"),
        role=role if role in ROLE_LABELS else "",
        tag_id=_int_arg("tag"),
        mine=args.get("mine") == "1",
        at_risk=args.get("at_risk") == "1",
    )


def _filter_args(filters: board.BoardFilter) -> dict[str, str | int]:
    """The filters as query arguments, so that every link keeps them."""
    args = {"owner": filters.owner_id, "role": filters.role, "tag": filters.tag_id}
    args.update(mine="1" if filters.mine else "", at_risk="1" if filters.at_risk else "")
    return {key: value for key, value in args.items() if value}


def _links(filters: board.BoardFilter) -> dict[str, dict]:
    """Query arguments for the board's links: the filters, and the same for a move from it."""
    args = _filter_args(filters)
    return {"filter_args": args, "move_args": {"from": "board", **args}}


def _current_stage(stage_id: int) -> Stage:
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.archived_at is not None:
        abort(404)
    return stage


@bp.get("")
@login_required
def index():
    """The board: a column per stage with its count and first cards; filters stay in the URL."""
    own_only = sees_only_own(current_user)
    filters = _filters_from_request(own_only)
    loaded = board.load_board(current_user, filters)
    context = {"board": loaded, "filters": filters}
    context.update(_links(filters))
    context.update(
        sales_totals=sales.sales_totals_by_stage(current_user, filters, loaded.stages),
        suggestions=_suggestions(loaded.columns),
    )
    if not wants_fragment():
        context.update(
            owners=[] if own_only else users.managers(True),
            tags=db.session.scalars(select(Tag).order_by(Tag.name).limit(500)).all(),
            role_labels=ROLE_LABELS,
        )
    return render_page_or_fragment("pipeline/index.html", "pipeline/_board.html", **context)


@bp.get("/columns/<int:stage_id>")
@login_required
def column(stage_id: int):
    """More cards of one column ("Load more"); without htmx, a page of that column."""
    stage = _current_stage(stage_id)
    filters = _filters_from_request()
    after = request.args.get("after", "")[:500] or None
    page = board.column_cards(current_user, stage, filters, after)
    return render_page_or_fragment(
        "pipeline/column.html",
        "pipeline/_cards.html",
        page=page,
        first_loaded=bool(after),
        suggestions=_suggestions([page]),
        **_links(filters),
    )


def _suggestions(pages: list[board.ColumnPage], *pinned: board.BoardCard | None) -> dict:
    """The open ladder suggestions of the cards shown, in one query."""
    cards = [card for page in pages for card in page.cards]
    return sales.open_suggestions([card.id for card in [*cards, *pinned] if card])


def _origin() -> str:
    origin = request.args.get("from", "")
    return origin if origin in ORIGINS else "card"


def _move_form(stages: list[Stage], **kwargs) -> MoveForm:
    form = MoveForm(**kwargs)
    form.fill_choices(stages, ladder.active_reasons())
    return form


def _default_target(party: Party, stages: list[Stage], wanted: int | None) -> int | None:
    """The stage asked for, else the next rung up."""
    if wanted in {s.id for s in stages} and wanted != party.stage_id:
        return wanted
    rungs = [s for s in stages if not s.terminal]
    current = party.stage
    if current is None or current.terminal:
        return rungs[0].id if rungs else None
    above = [s for s in rungs if s.position > current.position]
    return above[0].id if above else None


def _render_move(party: Party, form: MoveForm, stages: list[Stage], status: int = 200, **context):  # noqa: ANN202
    down_ids = _down_ids(form.expected_stage, stages)
    hints = {
        "required": _("Required: moving down or ending the relationship needs a reason."),
        "optional": _("Needed only when moving down or ending the relationship."),
    }
    down = form.to_stage_id.data in down_ids
    form.reason_id.description = hints["required" if down else "optional"]
    form.reason_id.render_kw = {"aria-required": "true" if down else "false"}
    args = _filter_args(_filters_from_request())
    return render_page_or_fragment(
        "pipeline/move.html",
        "pipeline/_move_response.html",
        status=status,
        party=party,
        form=form,
        down_ids=down_ids,
        hints=hints,
        action_args={"from": _origin(), **args},
        back_url=url_for("pipeline.index", **args)
        if _origin() == "board"
        else url_for("clients.show", party_id=party.id),
        **context,
    )


def _down_ids(seen_id: int | None, stages: list[Stage]) -> set[int]:
    """The stages that would be a move down from the one the user saw (a reason is needed)."""
    seen = next((s for s in stages if s.id == seen_id), None)
    return {s.id for s in stages if ladder.is_down(seen, s)}


@bp.get("/move/<int:party_id>")
@editor_required
def move_form(party_id: int):
    """The move form: a page of its own (from the client card) or the board's dialog."""
    party = parties.get_party(current_user, party_id)
    stages = ladder.stages()
    form = _move_form(stages, formdata=None, expected_stage_id=party.stage_id or "")
    form.to_stage_id.data = _default_target(party, stages, _int_arg("to"))
    return _render_move(party, form, stages)


@bp.post("/move/<int:party_id>")
@editor_required
def move(party_id: int):
    """Move the party; a down move without a reason is 422, a stale one 409."""
    party = parties.get_party(current_user, party_id)
    stages = ladder.stages()
    form = _move_form(stages)
    if not form.validate_on_submit():
        return _render_move(party, form, stages, 422)
    to_stage = _current_stage(form.to_stage_id.data)
    reason = db.session.get(LossReason, form.reason_id.data) if form.reason_id.data else None
    from_stage_id = form.expected_stage
    try:
        ladder.move_party(
            current_user,
            party,
            to_stage,
            from_stage_id,
            reason=reason,
            comment=form.comment.data or "",
        )
    except ladder.StaleMoveError as stale:
        db.session.rollback()
        return _stale(party_id, str(stale), to_stage.id, {from_stage_id, to_stage.id})
    except ladder.ReasonRequiredError as refused:
        form.reason_id.errors = [str(refused)]
        return _render_move(party, form, stages, 422)
    except DomainError as refused:
        form.to_stage_id.errors = [str(refused)]
        return _render_move(party, form, stages, 422)
    db.session.commit()
    message = _(
        "“%(name)s” moved to %(stage)s.", name=party.name, stage=ladder.stage_name(to_stage)
    )
    on_board = _origin() == "board"
    if on_board and wants_fragment():
        return _moved_on_board(party, message, {from_stage_id, to_stage.id})
    flash(message, "success")
    if on_board:
        target = url_for("pipeline.index", **_filter_args(_filters_from_request()))
    else:
        target = url_for("clients.show", party_id=party.id)
    if wants_fragment():  # htmx on another page: let it navigate rather than swap
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


def _columns(stage_ids: set[int | None], moved: Party | None = None) -> list[dict]:
    """Fresh columns (header, count, first cards) for the stages touched by a move."""
    filters = _filters_from_request()
    ladder_stages = ladder.stages()
    counts = board.column_counts(current_user, filters, ladder_stages)
    totals = sales.sales_totals_by_stage(current_user, filters, ladder_stages)
    columns = []
    for stage in (s for s in ladder_stages if s.id in stage_ids):
        page = board.column_cards(current_user, stage, filters)
        pinned = None
        shown = {card.id for card in page.cards}
        if moved is not None and moved.stage_id == stage.id and moved.id not in shown:
            pinned = board.card_of(moved)  # keep the moved card in sight at the top
        columns.append(
            {
                "page": page,
                "count": counts.get(stage.id, 0),
                "pinned": pinned,
                "sales_total": totals.get(stage.id),
            }
        )
    return columns


def _column_suggestions(columns: list[dict]) -> dict:
    """The open suggestions of the cards in freshly rendered columns."""
    return _suggestions([c["page"] for c in columns], *(c["pinned"] for c in columns))


def _moved_on_board(party: Party, message: str, stage_ids: set[int | None]):  # noqa: ANN202
    """The status line for the board, both columns out of band, and an event for board.js."""
    filters = _filters_from_request()
    columns = _columns(stage_ids, moved=party)
    response = render_page_or_fragment(
        "pipeline/_moved.html",
        "pipeline/_moved.html",
        message=message,
        columns=columns,
        suggestions=_column_suggestions(columns),
        **_links(filters),
    )
    response.headers["HX-Retarget"] = "#board-status"
    response.headers["HX-Reswap"] = "innerHTML"
    response.headers["HX-Trigger-After-Settle"] = json.dumps({"board-moved": {"id": party.id}})
    return response


def _stale(party_id: int, message: str, wanted: int, stage_ids: set[int | None]):  # noqa: ANN202
    """409: the user is told, the form shows where the party stands now, the board refreshes."""
    party = parties.get_party(current_user, party_id)
    stages = ladder.stages()
    form = _move_form(stages, formdata=None, expected_stage_id=party.stage_id or "")
    form.to_stage_id.data = _default_target(party, stages, wanted)
    columns = []
    if wants_fragment() and _origin() == "board":
        columns = _columns(stage_ids | {party.stage_id})
    context = _links(_filters_from_request())
    suggestions = _column_suggestions(columns) if columns else {}
    return _render_move(
        party, form, stages, 409, stale=message, columns=columns, suggestions=suggestions, **context
    )
