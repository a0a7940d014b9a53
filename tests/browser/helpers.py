"""Helpers shared by the browser tests."""

import re

from crm.extensions import db

PASSWORD = "password1"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CLIENTS_URL = re.compile(r"/clients(\?.*)?$")
MY_DAY_URL = re.compile(r"/$")


def settle_db() -> None:
    """End the test thread's transaction, so that the server can write.

    Outside a request the app opens every SQLite transaction with BEGIN IMMEDIATE, so a
    test that touched the database (a factory, a lazy attribute, a check) holds the write
    lock until it commits or rolls back; the browser's next POST would wait for it.
    """
    db.session.rollback()


def log_in(page, email: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    """Log in through the form, as a person would, land on My day, then open the clients."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(MY_DAY_URL)
    page.goto("/clients")


def mark_document(page) -> None:  # noqa: ANN001
    """Tag the current document; `same_document` tells later whether it was reloaded."""
    page.evaluate("window.__sameDocument = true")


def same_document(page) -> bool:  # noqa: ANN001
    return bool(page.evaluate("window.__sameDocument === true"))
