"""A manager adds a contact person on the party card with the inline (htmx) form."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Contact
from tests.browser.helpers import log_in, mark_document, same_document, settle_db
from tests.factories import make_party

pytestmark = pytest.mark.browser


def contact_count(party_id: int) -> int:
    count = db.session.scalar(
        select(func.count()).select_from(Contact).where(Contact.party_id == party_id)
    )
    settle_db()
    return count


def test_add_a_contact_inline_with_a_validation_error_first(page, manager, console_errors):
    party_id = make_party(manager, "ТОВ «Ромашка»").id
    email = manager.email
    settle_db()
    log_in(page, email)
    page.goto(f"/clients/{party_id}")
    mark_document(page)

    contacts = page.locator("#contacts")
    expect(contacts.get_by_text("No contacts yet.")).to_be_visible()
    contacts.get_by_text("Add a contact").click()
    contacts.get_by_label("Name").fill("Ірина Бондар")
    contacts.get_by_label("Position").fill("Головний бухгалтер")
    contacts.get_by_label("Phones").fill("+380 67 765 43 21")
    contacts.get_by_label("E-mails").fill("iryna@@example")
    contacts.get_by_role("button", name="Save contact").click()

    # The error is shown next to the e-mail field, the input is kept, nothing is saved.
    emails = contacts.get_by_label("E-mails")
    error = contacts.locator(".field.has-error").filter(has=page.get_by_label("E-mails"))
    error = error.locator(".error")
    expect(error).to_contain_text("is not an e-mail address")
    expect(emails).to_have_attribute("aria-invalid", "true")
    expect(emails).to_have_attribute("aria-describedby", "emails-error")
    expect(emails).to_have_value("iryna@@example")
    expect(contacts.get_by_label("Name")).to_have_value("Ірина Бондар")
    expect(contacts.get_by_label("Phones")).to_be_visible()  # the form stays open
    expect(contacts.get_by_text("No contacts yet.")).to_be_visible()
    assert same_document(page), "the contact form reloaded the whole page"
    assert contact_count(party_id) == 0

    # Corrected, it is saved and shows up in the list; the form is empty and closed again.
    emails.fill("iryna@example.com")
    contacts.get_by_role("button", name="Save contact").click()
    item = contacts.locator("ul.contacts > li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Ірина Бондар")
    expect(item).to_contain_text("Головний бухгалтер")
    expect(item.get_by_role("link", name="iryna@example.com")).to_have_attribute(
        "href", "mailto:iryna@example.com"
    )
    expect(item.get_by_role("link", name="+380 67 765 43 21")).to_be_visible()
    expect(contacts.locator(".error")).to_have_count(0)
    expect(contacts.get_by_label("Name")).to_be_hidden()
    assert same_document(page), "the contact form reloaded the whole page"
    assert contact_count(party_id) == 1

    # After a reload the contact is there, and the history tells who added it.
    page.reload()
    expect(page.locator("#contacts ul.contacts > li")).to_contain_text("Ірина Бондар")
    expect(page.locator("#history > li").first).to_contain_text("Contact")
    expect(page.locator("#history > li").first).to_contain_text("Ірина Бондар")

    assert console_errors == []
