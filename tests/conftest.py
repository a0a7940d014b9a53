"""Fixtures: one app per session (migrated once), a clean database for every test."""

import contextvars
import os
import re
import shutil

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from crm import create_app
from crm.config import TestConfig
from crm.extensions import db

pytest_plugins = ["tests.smtp_server"]

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


class Client(FlaskClient):
    """A test client that knows how to log in and to send the CSRF token like a browser.

    Each request runs in a context of its own, as in production: it gets its own app
    context, `g` and database session, not the test's. The test's session is rolled back
    around it, so what the test reads next is what the request committed.
    """

    def open(self, *args, **kwargs):  # noqa: ANN201
        if has_app_context():
            db.session.rollback()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.rollback()
        return response

    def csrf_token(self) -> str:
        page = self.get("/account" if self._logged_in else "/login").get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, "no CSRF token on the page"
        return match.group(1) or match.group(2)

    _logged_in = False

    def login(self, email: str, password: str = "password1"):  # noqa: ANN201
        self._logged_in = False
        token = self.csrf_token()
        response = self.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        self._logged_in = response.status_code == 302
        return response

    def send(self, url: str, data: dict | None = None, htmx: bool = False, **kwargs):  # noqa: ANN201
        """POST a form with a fresh CSRF token (and the htmx header when asked)."""
        payload = {"csrf_token": self.csrf_token(), **(data or {})}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.post(url, data=payload, headers=headers, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    url = os.environ.get("CRM_TEST_DATABASE_URL") or f"sqlite:///{instance / 'test.sqlite'}"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "DOCUMENTS_DIR": str(instance / "documents")},
        config_class=TestConfig,
    )
    app.test_client_class = Client
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        _empty_all_tables()
        _install_ladder()
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 - our own table names


def _install_ladder() -> None:
    """What the migrations seed: Kotler's ladder and the default loss reasons."""
    from crm.services.ladder_admin import install_model

    install_model("kotler")
    db.session.commit()


@pytest.fixture(autouse=True)
def _fresh_database(app):
    """Every test starts from empty tables (but the default ladder) in its own app context."""
    with app.app_context():
        yield
        db.session.remove()
        _empty_all_tables()
        _install_ladder()
    shutil.rmtree(app.config["DOCUMENTS_DIR"], ignore_errors=True)


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def admin():
    from tests.factories import make_user

    return make_user("admin@example.com", role="admin", name="Ada Admin")


@pytest.fixture
def manager():
    from tests.factories import make_user

    return make_user("olena@example.com", role="manager", name="Олена Коваль")


@pytest.fixture
def viewer():
    from tests.factories import make_user

    return make_user("viewer@example.com", role="viewer", name="Victor Viewer")
