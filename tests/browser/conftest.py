"""Browser tests: the session app served on a real port, driven by Debian's Chromium.

The app is the session `app` from tests/conftest.py, so every test still starts from
empty tables. Requests in the server thread get their own app context and database
session; the test's own session (factories) must not keep a transaction open while the
browser writes, because SQLite would make the server wait for the lock: call
`helpers.settle_db()` after setting up data and after reading the database in a test.
"""

import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser.helpers import DESKTOP, PHONE

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives a real Chromium against the app on a live server"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201
    """Remember each phase's outcome, so that a failed test can leave a screenshot."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        pass


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The session app on 127.0.0.1 and a free port, in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    """One headless Chromium for the session."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install it with `sudo apt-get install chromium` "
            "(`make test` does) or point CRM_CHROMIUM at a Chromium binary"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):  # noqa: ANN001, ANN201
    """A fresh browser context (no cookies) per test, at desktop size, in English."""
    context = browser.new_context(
        base_url=live_server, viewport=DESKTOP, locale="en-US", timezone_id="UTC"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):  # best effort: the failure is what matters
            page.screenshot(path=SCREENSHOTS / f"{request.node.name}-failure.png", full_page=True)
    context.close()


@pytest.fixture
def console_errors(page) -> list[str]:  # noqa: ANN001
    """Uncaught script errors and console errors (CSP violations among them) on the page."""
    errors: list[str] = []

    def on_console(msg) -> None:  # noqa: ANN001
        url = msg.location.get("url", "")
        if msg.type != "error":
            return
        # 422 is how the app answers a form with errors (by design); Chromium logs it.
        if "status of 422" in msg.text:
            return
        errors.append(f"console: {msg.text} ({url})")

    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", on_console)
    return errors


def _file_stem(name: str) -> str:
    return re.sub(r"[^\w-]+", "-", name.removeprefix("test_")).strip("-")


@pytest.fixture
def screenshot(request) -> Callable:  # noqa: ANN001
    """shot(page, name=None) saves <name>-desktop.png and <name>-phone.png, full page.

    Returns the horizontal overflow in CSS pixels at each width (0 = none), so that a
    test can check that nothing sticks out sideways on a phone.
    """

    def shot(page, name: str | None = None) -> dict[str, int]:  # noqa: ANN001
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = _file_stem(name or request.node.name)
        overflow = {}
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.wait_for_timeout(100)  # let the layout settle after the resize
            overflow[label] = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            page.screenshot(path=SCREENSHOTS / f"{stem}-{label}.png", full_page=True)
        page.set_viewport_size(DESKTOP)
        return overflow

    return shot
