"""Money and moments as each interface language writes them."""

from datetime import datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from crm.web import money, when


@pytest.mark.parametrize(
    ("locale", "currency", "shown"),
    [
        ("en", "UAH", "UAH\u00a01,234.50"),  # a letter code never touches the digits
        ("en", "USD", "$1,234.50"),
        ("ru", "UAH", "1\u00a0234,50\u00a0₴"),
        ("uk", "EUR", "1\u00a0234,50\u00a0EUR"),
    ],
)
def test_money_is_written_the_users_way(app, locale, currency, shown):
    with app.test_request_context(), force_locale(locale):
        assert money(Decimal("1234.50"), currency) == shown
        assert money(Decimal("-1234.50"), currency) == "-" + shown


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ("en", "Jan 5, 2026, 9:07\u202fAM"),
        ("ru", "5 янв. 2026\u202fг., 09:07"),
        ("uk", "5 січ. 2026\u202fр., 09:07"),
    ],
)
def test_a_moment_has_the_full_year_and_no_seconds(app, locale, shown):
    with app.test_request_context(), force_locale(locale):
        assert when(datetime(2026, 1, 5, 9, 7, 30)) == shown
        assert when(None) == ""
