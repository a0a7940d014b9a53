"""The pipeline board in a real browser: drag a card up, move one down by keyboard, see history."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from crm.extensions import db
from crm.models import Party, Stage, StageMove
from crm.models.base import utcnow
from tests.browser.helpers import PASSWORD, mark_document, same_document, settle_db
from tests.factories import make_party, make_user

pytestmark = pytest.mark.browser

FOCUSED_CARD = "document.activeElement.closest('.board-card')?.dataset.partyId || ''"


BOARD_URL = re.compile(r"/pipeline$")


def open_board(page, email: str) -> None:  # noqa: ANN001
    """Ask for the board, log in on the way, and land on it."""
    page.goto("/pipeline")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(BOARD_URL)


def stage_ids() -> dict[str, int]:
    query = select(Stage.key, Stage.id).where(Stage.archived_at.is_(None))
    return dict(db.session.execute(query).all())


def place(party: Party, stage_id: int, days_ago: int | None) -> None:
    contact = None if days_ago is None else utcnow() - timedelta(days=days_ago)
    db.session.execute(
        update(Party)
        .where(Party.id == party.id)
        .values(stage_id=stage_id, last_contact_at=contact, stage_since=utcnow())
    )
    db.session.commit()


def column(page, stage_id: int):  # noqa: ANN001, ANN201
    return page.locator(f"#column-{stage_id}")


def count(page, stage_id: int):  # noqa: ANN001, ANN201
    return column(page, stage_id).locator(".board-column-count")


def card(page, party_id: int):  # noqa: ANN001, ANN201
    return page.locator(f"#card-{party_id}")


@pytest.fixture
def ladder_world(manager):
    """Clients spread over the ladder; one of them drifting (at risk)."""
    ids = stage_ids()
    other = make_user("dmitry@example.com", name="Дмитрий Орлов")
    made = {}
    layout = [
        ("ТОВ «Ромашка»", "prospect", 20, manager),
        ("Acme Ltd", "prospect", 3, other),
        ("ООО «Домашний уют»", "client", 400, manager),
        ("Nordic Interiors GmbH", "client", 12, manager),
        ("ПП «Меблі Поділля»", "first_time_buyer", None, other),
        ("Петро Іваненко", "supporter", 40, manager),
        ("Old Friend Ltd", "ended", 700, other),
    ]
    for name, key, days, owner in layout:
        party = make_party(owner, name)
        place(party, ids[key], days)
        made[name] = party.id
    made["email"] = manager.email
    settle_db()
    return ids, made


def test_drag_up_then_move_down_by_keyboard_and_both_are_in_the_history(
    page, manager, ladder_world, console_errors
):
    ids, made = ladder_world
    romashka, uyut = made["ТОВ «Ромашка»"], made["ООО «Домашний уют»"]
    open_board(page, made["email"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline")
    expect(count(page, ids["prospect"])).to_have_text("2")
    expect(count(page, ids["first_time_buyer"])).to_have_text("1")
    expect(card(page, uyut).locator(".flag-risk")).to_have_text("At risk")
    mark_document(page)

    # Drag "Ромашка" one rung up: it is posted at once, both counts change in place.
    card(page, romashka).drag_to(column(page, ids["first_time_buyer"]).locator(".board-cards"))
    expect(count(page, ids["prospect"])).to_have_text("1")
    expect(count(page, ids["first_time_buyer"])).to_have_text("2")
    expect(column(page, ids["first_time_buyer"]).locator(f"#card-{romashka}")).to_be_visible()
    expect(page.locator("#board-status")).to_contain_text("moved to First-time buyer")
    assert same_document(page), "the drop reloaded the page"

    # Move "Домашний уют" down with the keyboard: Move… opens the dialog.
    card(page, uyut).locator(".card-move").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#move-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Move “ООО «Домашний уют»”")
    assert page.evaluate("document.activeElement.id") == "to_stage_id"

    # Escape closes it and gives the focus back to the card.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate(FOCUSED_CARD) == str(uyut)

    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    # Next rung up is preselected (supporter); three up-arrows reach "Prospect", a move down.
    for _ in range(3):
        page.keyboard.press("ArrowUp")
    expect(page.locator("#to_stage_id")).to_have_value(str(ids["prospect"]))
    expect(page.locator("#reason_id-hint")).to_contain_text("Required")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Found a cheaper supplier")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Move" without a reason: refused next to the field
    expect(dialog.locator("#reason_id-error")).to_contain_text("needs a reason")
    # htmx wires up the re-rendered form as it settles; a person is never faster than that.
    expect(page.locator(".htmx-settling, .htmx-swapping")).to_have_count(0)
    page.wait_for_timeout(100)
    assert page.evaluate("document.activeElement.id") == "reason_id"
    page.keyboard.press("ArrowDown")  # "Price"
    expect(page.locator("#reason_id")).not_to_have_value("")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(dialog).to_be_hidden()
    expect(count(page, ids["client"])).to_have_text("1")
    expect(count(page, ids["prospect"])).to_have_text("2")
    expect(column(page, ids["prospect"]).locator(f"#card-{uyut}")).to_be_visible()
    for _ in range(30):  # the columns are redrawn just after the dialog closes
        if page.evaluate(FOCUSED_CARD) == str(uyut):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(FOCUSED_CARD) == str(uyut), "the focus did not come back to the card"
    assert same_document(page)

    # Both moves are recorded and shown in the clients' stage history.
    settle_db()
    moves = db.session.execute(
        select(StageMove.party_id, StageMove.from_stage_id, StageMove.to_stage_id)
        .where(StageMove.source == "manual")
        .order_by(StageMove.id)
    ).all()
    settle_db()
    assert [tuple(m) for m in moves] == [
        (romashka, ids["prospect"], ids["first_time_buyer"]),
        (uyut, ids["client"], ids["prospect"]),
    ]
    page.goto(f"/clients/{uyut}")
    history = page.locator("#stage-history")
    expect(history).to_contain_text("Client → Prospect")
    expect(history).to_contain_text("Price")
    expect(history).to_contain_text("Found a cheaper supplier")
    page.goto(f"/clients/{romashka}")
    expect(page.locator("#stage-history")).to_contain_text("Prospect → First-time buyer")
    assert console_errors == []


def test_dropping_on_a_lower_stage_asks_for_a_reason_and_cancel_puts_the_card_back(
    page, manager, ladder_world, console_errors
):
    ids, made = ladder_world
    nordic = made["Nordic Interiors GmbH"]
    open_board(page, made["email"])
    # Nine columns do not fit 1280 px: scroll sideways so that both columns are in sight.
    page.locator(".board").evaluate("board => { board.scrollLeft = board.scrollWidth; }")
    card(page, nordic).drag_to(column(page, ids["ended"]).locator(".board-cards"))
    dialog = page.locator("#move-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#to_stage_id")).to_have_value(str(ids["ended"]))
    expect(page.locator("#reason_id-hint")).to_contain_text("Required")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(column(page, ids["client"]).locator(f"#card-{nordic}")).to_be_visible()
    expect(column(page, ids["ended"]).locator(f"#card-{nordic}")).to_have_count(0)
    expect(count(page, ids["client"])).to_have_text("2")
    settle_db()
    assert db.session.get(Party, nordic).stage_id == ids["client"]
    settle_db()
    assert console_errors == []


def test_filters_update_the_board_in_place_and_stay_in_the_url(page, manager, ladder_world):
    ids, made = ladder_world
    open_board(page, made["email"])
    mark_document(page)
    page.get_by_label("Only at risk").check()
    page.wait_for_url(re.compile(r"/pipeline\?.*at_risk=1"))
    expect(count(page, ids["client"])).to_have_text("1")
    expect(page.locator(".board-card")).to_have_count(1)
    assert same_document(page)
    page.reload()
    expect(page.get_by_label("Only at risk")).to_be_checked()
    expect(page.locator(".board-card")).to_have_count(1)


def test_board_screenshots(page, manager, ladder_world, screenshot):
    ids, made = ladder_world
    for i in range(30):
        party = make_party(manager, f"Клиент {i:02}")
        place(party, ids["client"], 5 + i * 7)
    settle_db()
    open_board(page, made["email"])
    expect(page.locator(".board-more")).to_have_count(1)
    overflow = screenshot(page, "board")
    assert overflow == {"desktop": 0, "phone": 0}, overflow
    page.set_viewport_size({"width": 390, "height": 844})
    scrolls = page.locator(".board").evaluate("board => board.scrollWidth > board.clientWidth")
    assert scrolls, "on a phone the columns should scroll sideways"
    card(page, made["Acme Ltd"]).locator(".card-move").click()
    expect(page.locator("#move-dialog")).to_be_visible()
    screenshot(page, "board-move-dialog")
