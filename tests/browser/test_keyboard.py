"""Keyboard only: log in and reach the search box without a mouse."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import MY_DAY_URL, PASSWORD, mark_document, same_document, settle_db
from tests.factories import make_party

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "body";
  const label = el.labels && el.labels[0] ? el.labels[0].textContent.trim() : "";
  return `${el.tagName.toLowerCase()}#${el.id} "${label || el.textContent.trim()}"`;
}"""


def tab_to(page, element_id: str, max_presses: int = 15) -> list[str]:  # noqa: ANN001
    """Press Tab until the element with this id has the focus (it may have it already,
    with autofocus); the stops on the way."""
    stops = []
    if page.evaluate("id => document.activeElement?.id === id", element_id):
        return stops
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if page.evaluate("id => document.activeElement?.id === id", element_id):
            return stops
    raise AssertionError(f"#{element_id} not reached in {max_presses} Tab presses: {stops}")


def has_visible_focus(page) -> bool:  # noqa: ANN001
    """Whether the focused element draws a focus ring (outline or box-shadow)."""
    return page.evaluate(
        """() => {
          const s = getComputedStyle(document.activeElement);
          return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0)
            || s.boxShadow !== "none";
        }"""
    )


def test_log_in_and_search_with_the_keyboard_only(page, manager, console_errors):
    make_party(manager, "ТОВ «Ромашка»")
    make_party(manager, "Acme Ltd")
    email = manager.email
    settle_db()

    page.goto("/login")
    tab_to(page, "email", max_presses=5)  # the field has autofocus, else the third stop
    assert has_visible_focus(page), "the focused e-mail field shows no focus ring"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(MY_DAY_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("My day")
    page.goto("/clients")
    expect(page.get_by_role("heading", level=1)).to_have_text("Client base")

    # On the list, Tab reaches the search box after the top bar (nine links) and "New party".
    stops = tab_to(page, "q", max_presses=15)
    assert any("New party" in stop for stop in stops), stops
    assert has_visible_focus(page), "the focused search box shows no focus ring"
    mark_document(page)
    page.keyboard.type("ромашка")
    names = page.locator("#results table.list tbody td:first-child > a")
    expect(names).to_have_text(["ТОВ «Ромашка»"])
    assert same_document(page)

    # The skip link takes a keyboard user past the top bar straight to the content.
    page.goto("/clients")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED).startswith('a# "Skip to content"')
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert console_errors == []
