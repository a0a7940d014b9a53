"""Web plumbing shared by every blueprint: page-or-fragment, permissions, headers, errors."""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, g, make_response, render_template, request
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

from crm.extensions import db, login_manager
from crm.models import User
from crm.services.errors import NotFoundError, PermissionDeniedError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)


def wants_fragment() -> bool:
    """A fragment only for a plain htmx request: not boosted, not a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_fragment(
    page_template: str, fragment_template: str, status: int = 200, **context
):  # noqa: ANN201
    """The fragment template for htmx, the full page otherwise; varies on HX-Request."""
    template = fragment_template if wants_fragment() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def safe_next(target: str | None, default: str) -> str:
    """Follow `next` only to a path on this site; anything else goes to the default."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return default


MAX_ID = 2**31 - 1


def parse_id(value: str | None) -> int | None:
    """An id from a form or the query string: ASCII digits within the database's integer."""
    if value and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
        return number if 0 < number <= MAX_ID else None
    return None


@contextmanager
def read_phase() -> Iterator[None]:
    """In a write request, read and do slow work (render a PDF) before taking SQLite's write
    lock: the reads run in a deferred transaction that ends with the block. Call it before
    the request writes anything (what it read so far, the user, is read again)."""
    db.session.rollback()  # the login check may have opened the write transaction already
    g.crm_reading = True
    try:
        yield
    finally:
        db.session.rollback()
        g.crm_reading = False


def editor_required(view: Callable) -> Callable:
    """Admins and managers only: viewers get 403 on any change."""

    @wraps(view)
    def wrapped(*args, **kwargs):  # noqa: ANN202
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.can_edit:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view: Callable) -> Callable:
    """Admins only."""

    @wraps(view)
    def wrapped(*args, **kwargs):  # noqa: ANN202
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _security_headers(response):  # noqa: ANN001, ANN202
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint not in ("static", "main.stage_colours"):
        response.headers["Cache-Control"] = "no-store"  # client data stays out of caches
    return response


def when(value: datetime | None, format: str = "short") -> str:  # noqa: A002 - Jinja's name
    """A moment in the user's zone and language. "short" is the date with the year in full and
    the time without seconds ("Nov 23, 2026, 2:05 PM", "23 лист. 2026 р., 14:05"): the CLDR
    short form writes "11/23/26" or "23.11.26", which people misread across languages."""
    if value is None:
        return ""
    if format != "short":
        return format_datetime(value, format)
    locale = get_locale()
    pattern = locale.datetime_formats["medium"].format(
        locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern
    )
    return format_datetime(value, pattern)


# CLDR's currency spacing, which Babel leaves out: a letter code next to a digit gets a space.
_CODE_TOUCHES_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def money(value: object, currency: str) -> str:
    """An amount with its currency, the user's way: "1 234,50 ₴", "UAH 1,234.50", "$1,234.50"."""
    return _CODE_TOUCHES_DIGIT.sub("\u00a0", format_currency(value, currency))


def amount(value: object) -> str:
    """An amount with two decimals, no currency (a table column of one currency)."""
    return format_decimal(value, format="#,##0.00")


def plain(value: object) -> str:
    """A number the way one types it into a field: 10.000 → "10", 95.50 → "95.5"."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return "" if value is None else str(value)


def filesize(size: int) -> str:
    """A file size for people, in the user's number format."""
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(round(size / 1024, 1)))
    return _("%(size)s MB", size=format_decimal(round(size / 1024 / 1024, 1)))


def _error_page(status: int, title, message):  # noqa: ANN001, ANN202
    return render_template("error.html", status=status, title=title, message=message), status


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: ids the database's integer can hold (others are 404)."""

    def __init__(self, url_map, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Hook the shared plumbing into the app."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        user = db.session.scalar(db.select(User).where(User.session_token == token))
        return user if user and user.active else None

    app.url_map.converters["int"] = IdConverter
    app.after_request(_security_headers)
    app.jinja_env.globals.update(wants_fragment=wants_fragment, get_locale=get_locale)
    app.jinja_env.filters.update(
        datetime=when,
        date=format_date,
        number=format_decimal,
        filesize=filesize,
        money=money,
        amount=amount,
        plain=plain,
    )

    @app.teardown_request
    def _rollback_on_error(exc):  # noqa: ANN001, ANN202
        if exc is not None:
            db.session.rollback()

    @app.errorhandler(NotFoundError)
    @app.errorhandler(404)
    def not_found(_error):  # noqa: ANN001, ANN202
        return _error_page(404, _l("Not found"), _l("There is nothing here, or it was removed."))

    @app.errorhandler(PermissionDeniedError)
    @app.errorhandler(403)
    def forbidden(_error):  # noqa: ANN001, ANN202
        return _error_page(403, _l("Not allowed"), _l("Your account may not do this."))

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):  # noqa: ANN001, ANN202
        return _error_page(
            400, _l("Request refused"), _l("The form was stale or incomplete. Reload the page.")
        )

    @app.errorhandler(413)
    def too_large(_error):  # noqa: ANN001, ANN202
        return _error_page(413, _l("Too large"), _l("The upload is larger than allowed."))
