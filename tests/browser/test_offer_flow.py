"""An offer in a real browser: catalogue line with a volume tier, a discount, e-mailed to the
client through a real SMTP server, accepted, and the ladder suggests the next stage."""

import re
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Offer, OfferStatus, Party, RuleKind, Stage
from tests.browser.helpers import log_in, settle_db
from tests.factories import make_contact, make_party
from tests.services.offer_helpers import add_tier, make_product

pytestmark = pytest.mark.browser


def settled(page) -> None:  # noqa: ANN001
    """The page has loaded (htmx is ready) and swapped content is wired up as it settles;
    a person is never faster than that."""
    page.wait_for_load_state()
    expect(page.locator(".htmx-settling, .htmx-swapping, .htmx-request")).to_have_count(0)
    page.wait_for_timeout(100)


@pytest.fixture
def mail(app, smtp_server, monkeypatch):  # noqa: ANN001, ANN201
    for key, value in {
        "SMTP_HOST": smtp_server.host,
        "SMTP_PORT": smtp_server.port,
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "sales@zatyshok.example",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return smtp_server


def test_build_send_accept_and_see_the_suggestion(page, manager, mail, screenshot, console_errors):
    product = make_product("Ліцензія «Офіс»", "100.00", sku="LIC-OF")
    add_tier(product, "10", RuleKind.PERCENT, "5")
    make_product("Монтаж", "300.00")  # listed on focus, gone once the search narrows the list
    party = make_party(manager, "ТОВ «Ґудзик і Єнот»")
    make_contact(party, "Єва Іваненко", emails="eva@gudzyk.example")
    party_id, email = party.id, manager.email
    settle_db()

    log_in(page, email)
    page.goto(f"/clients/{party_id}")
    page.get_by_role("button", name="New offer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Offer КП-")
    settled(page)

    # A catalogue line: 12 licences reach the "from 10: −5 %" tier.
    page.get_by_label("Add from the catalogue").fill("Ліценз")
    expect(page.locator(".product-choices li")).to_have_count(1)
    settled(page)  # the list that answers the search, not the one shown on focus
    choice = page.locator(".product-choices li", has_text="Ліцензія «Офіс»")
    choice.get_by_label(re.compile("Quantity")).fill("12")
    choice.get_by_role("button", name="Add").click()
    row = page.locator(".offer-lines-table tbody tr").first
    expect(row).to_contain_text("≥ 10: −5%")
    expect(page.locator("#offer-total")).to_contain_text("1,368.00")  # 12 × 95 + 20 % VAT
    settled(page)

    # A negotiated 5 % discount, typed the Ukrainian way; totals come back from the server.
    discount = row.get_by_label(re.compile("Discount"))
    discount.fill("5,0")
    discount.press("Tab")
    expect(page.locator("#offer-total")).to_contain_text("1,299.60")  # 1083 + 216.60
    screenshot(page, "offer-editor")

    page.get_by_role("link", name="Send by e-mail").click()
    expect(page.get_by_label("To")).to_have_value("eva@gudzyk.example")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("e-mailed to eva@gudzyk.example")
    expect(page.locator("h1 .offer-status")).to_have_text("Sent")

    assert len(mail.messages) == 1
    message = mail.messages[0]
    assert message["To"] == "eva@gudzyk.example"
    attachment = next(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    settle_db()
    offer = db.session.scalars(select(Offer)).one()
    assert offer.status == OfferStatus.SENT and offer.total == D("1299.60")
    settle_db()

    page.get_by_role("button", name="Accepted").click()
    expect(page.locator(".flash-success")).to_contain_text("the sale is recorded")

    # The first sale suggests "first-time buyer" on the card; one click moves the client.
    page.get_by_role("link", name="ТОВ «Ґудзик і Єнот»").click()
    suggestion = page.locator("#stage-suggestion")
    expect(suggestion).to_contain_text("Suggested: First-time buyer")
    suggestion.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.locator("#stage-suggestion")).to_have_count(0)
    settle_db()
    stage = db.session.get(Stage, db.session.get(Party, party_id).stage_id)
    assert stage.key == "first_time_buyer"
    settle_db()
    assert console_errors == []


def test_a_bad_quantity_shows_next_to_the_line_and_the_total_stays(page, manager, console_errors):
    make_product("Стіл", "50.00")
    make_product("Шафа", "90.00")
    party_id, email = make_party(manager, "Ромашка").id, manager.email
    settle_db()
    log_in(page, email)
    page.goto(f"/clients/{party_id}")
    page.get_by_role("button", name="New offer").click()
    settled(page)
    page.get_by_label("Add from the catalogue").fill("Стіл")
    expect(page.locator(".product-choices li")).to_have_count(1)
    settled(page)
    page.locator(".product-choices li").first.get_by_role("button", name="Add").click()
    expect(page.locator(".offer-lines-table tbody tr")).to_have_count(1)
    settled(page)
    quantity = page.locator(".offer-lines-table tbody tr").first.get_by_label(
        re.compile("Quantity")
    )
    quantity.fill("-3")
    quantity.press("Tab")
    expect(page.locator(".offer-lines-table .error")).to_have_text(
        "The quantity must be above zero."
    )
    expect(page.locator("#offer-total")).to_contain_text("60.00")
    assert console_errors == []
