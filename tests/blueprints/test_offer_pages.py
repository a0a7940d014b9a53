"""Offers over HTTP: list, new, the editor's fragments, errors next to fields, the actions."""

import re
from datetime import timedelta
from decimal import Decimal as D
from html import unescape

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Offer, OfferLine, OfferStatus, RuleKind, Sale
from crm.services import offer_flow, offer_lines, offers, settings
from tests.blueprints.test_statement_budget import HTMX, counted_get, explain, within_budget
from tests.factories import make_party, make_user
from tests.services.offer_helpers import add_tier, make_product


@pytest.fixture
def party(manager):
    return make_party(manager, "ТОВ «Ґудзик»")


@pytest.fixture
def offer(manager, party):
    created = offers.create_offer(manager, party.id)
    db.session.commit()
    return created


def fresh(offer_id: int) -> Offer:
    db.session.expire_all()
    return db.session.get(Offer, offer_id)


def line_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OfferLine))


def test_a_manager_creates_an_offer_from_the_party_search(client, manager, party):
    client.login(manager.email)
    found = client.get("/offers/new?q=Ґудзик", headers=HTMX)
    assert "Ґудзик" in unescape(found.text) and "<html" not in found.text
    response = client.send("/offers/new", {"party_id": party.id})
    assert response.status_code == 302
    offer = db.session.scalars(select(Offer)).one()
    assert response.headers["Location"].endswith(f"/offers/{offer.id}")
    page = client.get(f"/offers/{offer.id}")
    assert offer.number in unescape(page.text)


def test_the_list_filters_and_pages(client, manager, party, offer):
    client.login(manager.email)
    page = client.get("/offers")
    assert offer.number in unescape(page.text)
    fragment = client.get("/offers?status=sent", headers=HTMX)
    assert offer.number not in unescape(fragment.text) and "<html" not in fragment.text
    by_number = client.get(f"/offers?q={offer.number.lower()}", headers=HTMX)
    assert offer.number in unescape(by_number.text)
    by_client = client.get("/offers?q=гудзик", headers=HTMX)
    assert offer.number in unescape(by_client.text)


def test_adding_a_tiered_catalogue_line_updates_the_totals(client, manager, offer):
    product = make_product("Ліцензія", "100.00")
    add_tier(product, "10", RuleKind.PERCENT, "5")
    client.login(manager.email)
    picker = client.get(f"/offers/{offer.id}/products?product_q=Ліц", headers=HTMX)
    assert "Ліцензія" in unescape(picker.text)
    response = client.send(
        f"/offers/{offer.id}/lines",
        {"product_id": product.id, "quantity": "10", "version": offer.version},
        htmx=True,
    )
    assert response.status_code == 200
    text = unescape(response.text)
    assert "≥ 10: −5%" in text
    assert fresh(offer.id).total == D("1140.00")
    assert re.search(r'id="offer-version"[^>]*value="(\d+)"', response.text)


def test_bad_input_shows_the_message_next_to_the_field_and_saves_nothing(client, manager, offer):
    product = make_product()
    line = offer_lines.add_product_line(manager, offer, product.id, D(1), offer.version)
    db.session.commit()
    client.login(manager.email)
    version = fresh(offer.id).version
    for field, value, message in [
        ("quantity", "-2", "The quantity must be above zero."),
        ("price", "-1", "The price can't be negative."),
        ("discount_percent", "150", "Enter a percentage from 0 to 100."),
        ("quantity", "abc", "Enter a number, such as 12.5."),
    ]:
        response = client.send(
            f"/offers/{offer.id}/lines/{line.id}",
            {field: value, "version": version},
            htmx=True,
        )
        assert response.status_code == 422, field
        shown = re.search(rf'id="{field}-{line.id}-error"[^>]*>([^<]*)<', response.text)
        assert shown and unescape(shown.group(1)) == message
    assert fresh(offer.id).version == version
    assert db.session.get(OfferLine, line.id).quantity == D(1)


def test_the_free_line_form_shows_errors_next_to_its_fields(client, manager, offer):
    client.login(manager.email)
    response = client.send(
        f"/offers/{offer.id}/lines/free",
        {
            "name": "Монтаж",
            "quantity": "1",
            "price": "-5",
            "vat_rate": "20",
            "revenue_type": "one_off",
            "version": offer.version,
        },
        htmx=True,
    )
    assert response.status_code == 422
    assert 'id="price-error"' in response.text
    assert line_count() == 0


def test_a_stale_version_gets_409_and_the_current_lines(client, manager, offer):
    product = make_product()
    stale = offer.version
    offer_lines.add_product_line(manager, offer, product.id, D(1), offer.version)
    db.session.commit()
    client.login(manager.email)
    response = client.send(
        f"/offers/{offer.id}/lines",
        {"product_id": product.id, "quantity": "3", "version": stale},
        htmx=True,
    )
    assert response.status_code == 409
    assert "Someone changed this offer" in unescape(response.text)
    assert line_count() == 1


def client_for(app, user):  # noqa: ANN001, ANN201
    """A browser of its own for another user."""
    other = app.test_client()
    other.login(user.email)
    return other


def test_permissions_and_unknown_ids(app, client, manager, viewer, offer):
    client.login(viewer.email)
    assert client.get(f"/offers/{offer.id}").status_code == 200
    assert client.send(f"/offers/{offer.id}/lines/free", {"name": "x"}).status_code == 403
    assert client.send(f"/offers/{offer.id}/approval/approve").status_code == 403
    assert client.get("/offers/999999").status_code == 404
    settings.set_setting("manager_visibility", "own")
    db.session.commit()
    stranger = client_for(app, make_user("other@example.com"))
    assert stranger.get(f"/offers/{offer.id}").status_code == 404
    assert stranger.get(f"/offers/{offer.id}/pdf").status_code == 404


def test_csrf_is_required(client, manager, offer):
    client.login(manager.email)
    response = client.post(f"/offers/{offer.id}/lines/free", data={"name": "x"})
    assert response.status_code == 400


def test_sending_an_empty_offer_says_why_and_changes_nothing(client, manager, offer):
    client.login(manager.email)
    response = client.send(
        f"/offers/{offer.id}/mark-sent", {"channel": "email", "version": offer.version}
    )
    assert response.status_code == 302
    page = client.get(f"/offers/{offer.id}")
    assert "Add at least one line before sending the offer." in unescape(page.text)
    assert fresh(offer.id).status == OfferStatus.DRAFT


def test_mark_sent_then_accept_records_the_sale(client, manager, offer):
    offer_lines.add_product_line(manager, offer, make_product().id, D(2), offer.version)
    db.session.commit()
    client.login(manager.email)
    client.send(f"/offers/{offer.id}/mark-sent", {"channel": "letter", "version": offer.version})
    sent = fresh(offer.id)
    assert sent.status == OfferStatus.SENT
    pdf = client.get(f"/offers/{offer.id}/pdf?download=1")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    client.send(f"/offers/{offer.id}/accept", {"version": sent.version})
    assert fresh(offer.id).status == OfferStatus.ACCEPTED
    assert db.session.scalar(select(Sale.amount)) == D("240.00")


def test_accepting_an_expired_offer_is_refused(client, admin, party):
    offer = offers.create_offer(admin, party.id)
    offer_lines.add_product_line(admin, offer, make_product().id, D(1), offer.version)
    offer_flow.mark_sent(admin, offer, offer.version)
    offer.offer_date = offer.offer_date - timedelta(days=30)
    offer.valid_until = offer.offer_date + timedelta(days=1)
    db.session.commit()
    client.login(admin.email)
    listed = client.get("/offers?status=expired", headers=HTMX)
    assert offer.number in unescape(listed.text)
    client.send(f"/offers/{offer.id}/accept", {"version": fresh(offer.id).version})
    page = client.get(f"/offers/{offer.id}")
    assert "The offer has expired" in unescape(page.text)
    assert fresh(offer.id).status == OfferStatus.SENT


def test_the_approval_flow_over_http(app, client, admin, manager, offer):
    line = offer_lines.add_product_line(manager, offer, make_product().id, D(1), offer.version)
    offer_lines.change_line(manager, offer, line.id, offer.version, discount_percent=D(25))
    db.session.commit()
    client.login(manager.email)
    page = client.get(f"/offers/{offer.id}")
    assert "Ask for approval" in page.text
    client.send(f"/offers/{offer.id}/approval/request", {"version": fresh(offer.id).version})
    assert fresh(offer.id).status == OfferStatus.AWAITING_APPROVAL
    client = client_for(app, admin)
    assert "1 offer waits for your approval." in client.get("/offers").text
    client.send(
        f"/offers/{offer.id}/approval/approve",
        {"version": fresh(offer.id).version, "comment": "ok"},
    )
    approved = fresh(offer.id)
    assert (approved.status, approved.approved_discount) == (OfferStatus.DRAFT, D(25))


def test_pages_stay_within_the_statement_budget(client, manager, offer):
    for i in range(5):
        offer_lines.add_product_line(manager, offer, make_product(f"P{i}").id, D(1), offer.version)
    db.session.commit()
    client.login(manager.email)
    for url, headers in [
        ("/offers", None),
        (f"/offers/{offer.id}", None),
        (f"/offers/{offer.id}/products?product_q=P", HTMX),
    ]:
        _, statements = counted_get(client, url, headers)
        assert within_budget(statements), explain(statements)


def test_sending_renders_the_pdf_before_taking_the_write_lock(
    app, client, admin, party, monkeypatch
):
    """On SQLite a write request holds the database's write lock: the slow PDF comes first."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    import sqlite3

    from crm.services import offer_pdf

    offer = offers.create_offer(admin, party.id)
    offer_lines.add_product_line(admin, offer, make_product().id, D(1), offer.version)
    db.session.commit()
    path = db.engine.url.database
    real_render, seen = offer_pdf.render_offer_pdf, []

    def render_while_another_writes(rendering):  # noqa: ANN001, ANN202
        other = sqlite3.connect(path, timeout=0.5, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # fails with "database is locked" if held
        other.execute("ROLLBACK")
        other.close()
        seen.append(rendering.version)
        return real_render(rendering)

    monkeypatch.setattr(offer_pdf, "render_offer_pdf", render_while_another_writes)
    version = offer.version
    client.login(admin.email)
    client.send(f"/offers/{offer.id}/mark-sent", {"channel": "email", "version": version})
    assert seen == [version]  # rendered once, outside the write transaction
    assert fresh(offer.id).status == OfferStatus.SENT


@pytest.mark.parametrize(
    "url",
    [
        "/offers/99999999999",
        "/offers?owner=99999999999",
        "/offers?party=²",
        "/offers?after=" + "9" * 25,
        "/clients/99999999999",
    ],
)
def test_odd_ids_are_not_found_or_ignored_never_a_crash(client, manager, url):
    client.login(manager.email)
    assert client.get(url).status_code in (200, 404)


def test_odd_form_values_are_refused_cleanly(client, manager, offer):
    client.login(manager.email)
    assert client.send("/offers/new", {"party_id": "²"}).status_code == 400
    assert client.send("/offers/new", {"party_id": "9" * 25}).status_code == 400
    response = client.send(
        f"/offers/{offer.id}/lines", {"product_id": "²", "quantity": "1", "version": "²"}, htmx=True
    )
    assert response.status_code in (409, 422)


def test_the_details_of_a_sent_offer_cannot_be_changed(client, admin, party):
    offer = offers.create_offer(admin, party.id)
    offer_lines.add_product_line(admin, offer, make_product().id, D(1), offer.version)
    offer_flow.mark_sent(admin, offer, offer.version)
    db.session.commit()
    client.login(admin.email)
    response = client.send(
        f"/offers/{offer.id}/header",
        {
            "currency": "UAH",
            "exchange_rate": "1",
            "language": "uk",
            "offer_date": offer.offer_date.isoformat(),
            "valid_until": offer.valid_until.isoformat(),
            "version": offer.version,
        },
        htmx=True,
    )
    assert response.status_code == 422
    assert "Only a draft can be changed" in unescape(response.text)


def test_an_editor_change_stays_within_the_statement_budget(client, manager, offer):
    from sqlalchemy import event

    from tests.blueprints.test_statement_budget import TX_CONTROL

    lines = [
        offer_lines.add_product_line(manager, offer, make_product(f"P{i}").id, D(1), offer.version)
        for i in range(8)
    ]
    db.session.commit()
    line_id, version = lines[3].id, fresh(offer.id).version
    client.login(manager.email)
    token = client.csrf_token()
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        if not TX_CONTROL.match(statement):
            statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post(
            f"/offers/{offer.id}/lines/{line_id}",
            data={"quantity": "12", "version": version, "csrf_token": token},
            headers=HTMX,
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert within_budget(statements), explain(statements)


def test_my_day_tells_an_admin_what_waits_for_approval(app, client, admin, manager, offer):
    line = offer_lines.add_product_line(manager, offer, make_product().id, D(1), offer.version)
    offer_lines.change_line(manager, offer, line.id, offer.version, discount_percent=D(30))
    offer_flow.request_approval(manager, offer, offer.version)
    db.session.commit()
    client.login(manager.email)
    assert "waits for your approval" not in client.get("/").text
    admin_client = client_for(app, admin)
    assert "1 offer waits for your approval." in admin_client.get("/").text


def test_saving_the_details_refreshes_the_lines_and_their_version(client, manager, offer):
    offer_lines.add_product_line(manager, offer, make_product().id, D(1), offer.version)
    db.session.commit()
    client.login(manager.email)
    response = client.send(
        f"/offers/{offer.id}/header",
        {
            "currency": "UAH",
            "exchange_rate": "1",
            "language": "en",
            "offer_date": offer.offer_date.isoformat(),
            "valid_until": offer.valid_until.isoformat(),
            "terms": "Net 30",
            "version": fresh(offer.id).version,
        },
        htmx=True,
    )
    assert response.status_code == 200
    assert '<div id="offer-lines" hx-swap-oob="true">' in response.text
    shown = re.search(r'id="offer-version" name="version" value="(\d+)"', response.text)
    assert int(shown.group(1)) == fresh(offer.id).version
    # The action forms carry the new version too: marking it sent right away works.
    sent = client.send(
        f"/offers/{offer.id}/mark-sent", {"channel": "email", "version": shown.group(1)}
    )
    assert sent.status_code == 302 and fresh(offer.id).status == OfferStatus.SENT


def test_the_rejection_reason_belongs_to_the_reject_form_only(client, admin, party):
    offer = offers.create_offer(admin, party.id)
    offer_lines.add_product_line(admin, offer, make_product().id, D(1), offer.version)
    offer_flow.mark_sent(admin, offer, offer.version)
    db.session.commit()
    client.login(admin.email)
    page = client.get(f"/offers/{offer.id}").text
    forms = re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    with_reason = [action for action, body in forms if 'id="reject-comment"' in body]
    assert with_reason == [f"/offers/{offer.id}/reject"]
