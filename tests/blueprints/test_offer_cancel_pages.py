"""Cancelling an offer over HTTP: the button, the message, the status, rights and CSRF."""

from decimal import Decimal as D
from html import unescape

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Offer, OfferStatus
from crm.services import offer_flow, offer_lines, offers
from tests.factories import make_party
from tests.services.offer_helpers import make_product


@pytest.fixture
def offer(manager):
    created = offers.create_offer(manager, make_party(manager, "ТОВ «Ґудзик»").id)
    offer_lines.add_product_line(manager, created, make_product().id, D(1), created.version)
    db.session.commit()
    return created


def status_of(offer_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Offer.status).where(Offer.id == offer_id))


def test_a_manager_cancels_a_draft_and_sees_how_to_bring_it_back(client, manager, offer):
    client.login(manager.email)
    page = unescape(client.get(f"/offers/{offer.id}").text)
    assert "Cancel the offer" in page and 'for="cancel-comment"' in page

    response = client.send(
        f"/offers/{offer.id}/cancel", {"version": offer.version, "comment": "Дубль"}
    )

    assert response.status_code == 302
    assert status_of(offer.id) == OfferStatus.CANCELLED
    page = unescape(client.get(f"/offers/{offer.id}").text)
    assert "The offer is cancelled. It keeps its number" in page
    assert '<span class="offer-status offer-status-cancelled">Cancelled</span>' in page
    assert "Offer cancelled" in page and "Дубль" in page  # the offer's history
    assert "Cancel the offer" not in page
    assert "New revision" in page
    listed = unescape(client.get("/offers?status=cancelled").text)
    assert offer.number in listed


def test_the_status_reads_naturally_in_russian_and_ukrainian(client, manager, offer):
    offer_flow.cancel(manager, offer, offer.version)
    db.session.commit()
    client.login(manager.email)
    for locale, word in (("ru", "Отменено"), ("uk", "Скасовано")):
        client.send("/language", {"locale": locale})
        page = client.get(f"/offers/{offer.id}").text
        assert f'offer-status-cancelled">{word}</span>' in page


def test_a_sent_offer_is_not_cancelled_and_says_why(client, manager, offer):
    offer_flow.mark_sent(manager, offer, offer.version)
    db.session.commit()
    client.login(manager.email)
    assert "Cancel the offer" not in client.get(f"/offers/{offer.id}").text

    client.send(f"/offers/{offer.id}/cancel", {"version": offer.version})

    assert status_of(offer.id) == OfferStatus.SENT
    page = unescape(client.get(f"/offers/{offer.id}").text)
    assert "Only an offer that was not sent can be cancelled." in page


def test_rights_csrf_and_unknown_ids(app, client, manager, viewer, offer):
    client.login(viewer.email)
    assert "Cancel the offer" not in client.get(f"/offers/{offer.id}").text
    assert client.send(f"/offers/{offer.id}/cancel", {"version": offer.version}).status_code == 403
    owner = app.test_client()
    owner.login(manager.email)
    without_token = owner.post(f"/offers/{offer.id}/cancel", data={"version": offer.version})
    assert without_token.status_code == 400
    assert owner.send("/offers/999999/cancel", {"version": 1}).status_code == 404
    assert status_of(offer.id) == OfferStatus.DRAFT
