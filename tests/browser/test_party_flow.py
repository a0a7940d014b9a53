"""A manager adds a party with a Cyrillic name, finds it again, edits it, reads its history."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import CLIENTS_URL, log_in, mark_document, same_document, settle_db
from tests.factories import make_party

pytestmark = pytest.mark.browser

HAS_QUERY = re.compile(r"/clients\?(.*&)?q=")


def results(page):  # noqa: ANN001, ANN201
    """The party links in the result table."""
    return page.locator("#results table.list tbody td:first-child > a")


def test_create_find_edit_and_see_history(page, manager, console_errors):
    make_party(manager, "ТОВ «Ромашка»", phones="+380 44 000 11 22")
    make_party(manager, "Acme Ltd", roles=["supplier"])
    email = manager.email
    settle_db()

    log_in(page, email)

    # Create the party through the form.
    page.get_by_role("link", name="New party").click()
    page.get_by_label("Name", exact=True).fill("Петро Ромашко")
    page.get_by_label("Kind").select_option(label="Person")
    page.get_by_label("Industry").fill("Agriculture")
    page.get_by_label("Phones").fill("+380 (50) 123-45-67")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Петро Ромашко")
    expect(page.get_by_role("link", name="+380 (50) 123-45-67")).to_be_visible()

    # Find it by typing part of the name in lower case: htmx swaps the list in place.
    page.get_by_role("link", name="Clients", exact=True).click()
    page.wait_for_url(CLIENTS_URL)
    expect(results(page)).to_have_count(3)
    mark_document(page)
    page.get_by_label("Search").press_sequentially("петро", delay=30)
    page.wait_for_url(HAS_QUERY)
    expect(results(page)).to_have_text(["Петро Ромашко"])
    assert same_document(page), "typing in Search reloaded the whole page"
    assert "q=%D0%BF%D0%B5%D1%82%D1%80%D0%BE" in page.url  # q=петро, pushed by htmx

    # Back returns to the unfiltered list.
    page.go_back()
    page.wait_for_url(CLIENTS_URL)
    assert "q=" not in page.url
    expect(results(page)).to_have_count(3)
    expect(page.get_by_label("Search")).to_have_value("")

    # Find it by the digits of its phone, whatever the formatting.
    page.get_by_label("Search").fill("0501234567")
    page.wait_for_url(re.compile(r"q=0501234567"))
    expect(results(page)).to_have_text(["Петро Ромашко"])

    # Open it and edit a field.
    results(page).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Петро Ромашко")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Industry")).to_have_value("Agriculture")
    page.get_by_label("Industry").fill("Retail trade")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()

    # The history shows the change with the old and the new value.
    history = page.locator("#history")
    change = history.locator(".changes li", has_text="Industry").first
    expect(change.locator("del")).to_have_text("Agriculture")
    expect(change.locator("ins")).to_have_text("Retail trade")
    newest = history.locator("> li").first
    expect(newest).to_contain_text(re.compile(r"\bchanged\b", re.IGNORECASE))
    expect(newest).to_contain_text("Олена Коваль")  # who
    # The creation is there too, below the change, with the value as it was.
    created = history.locator("> li").nth(1)
    expect(created).to_contain_text(re.compile(r"\bcreated\b", re.IGNORECASE))
    expect(created.locator(".changes li", has_text="Industry")).to_contain_text("Agriculture")

    assert console_errors == []
