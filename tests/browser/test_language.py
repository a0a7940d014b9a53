"""A user switches the interface to Ukrainian with the switcher in the footer."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import CLIENTS_URL, log_in, settle_db

pytestmark = pytest.mark.browser


def test_switch_the_interface_to_ukrainian(page, manager, console_errors):
    email = manager.email
    settle_db()
    log_in(page, email)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    footer = page.locator("footer")
    footer.get_by_label("Language").select_option(label="Українська")
    footer.get_by_role("button", name="Apply").click()

    # Back on the same page, now in Ukrainian.
    page.wait_for_url(CLIENTS_URL)
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(footer.get_by_role("combobox")).to_have_value("uk")
    nav = page.get_by_role("navigation").first
    expect(nav.get_by_role("link", name="Клієнти", exact=True)).to_be_visible()
    expect(page.locator("header").get_by_role("button", name="Вийти")).to_be_visible()

    # The choice is kept on the account: another page is in Ukrainian too.
    page.goto("/account")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("header").get_by_role("button", name="Вийти")).to_be_visible()

    assert console_errors == []
