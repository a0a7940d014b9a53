"""Cancelling an offer that was never sent: nothing deleted, no gap in the numbers."""

import io
from decimal import Decimal as D

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from crm.extensions import db
from crm.models import OfferEvent, OfferStatus
from crm.services import handover, offer_flow, offer_lines, offers
from crm.services.clock import local_today
from crm.services.errors import DomainError, EditConflictError, PermissionDeniedError
from crm.services.offer_list import OfferFilter, list_offers
from crm.services.offer_pdf import offer_pdf_bytes
from tests.factories import make_user
from tests.services.offer_helpers import make_product


@pytest.fixture
def offer(manager, offer):  # the shared empty draft, with a line
    offer_lines.add_product_line(manager, offer, make_product().id, D(2), offer.version)
    db.session.commit()
    return offer


def events(offer) -> list[tuple[str, str]]:  # noqa: ANN001
    query = select(OfferEvent.kind, OfferEvent.comment).where(OfferEvent.offer_id == offer.id)
    return [tuple(row) for row in db.session.execute(query.order_by(OfferEvent.id))]


def test_a_draft_is_cancelled_with_its_reason_and_keeps_its_number(manager, party, offer):
    offer_flow.cancel(manager, offer, offer.version, "  Created by mistake ")
    db.session.commit()

    assert offer.status == OfferStatus.CANCELLED
    assert events(offer)[-1] == ("cancelled", "Created by mistake")
    assert len(offer.lines) == 1  # nothing deleted
    following = offers.create_offer(manager, party.id)
    assert following.number.endswith("0002")  # the number is not reused: no gap, no duplicate


def test_an_offer_waiting_for_approval_can_be_cancelled(manager, offer):
    offer_lines.change_line(
        manager, offer, offer.lines[0].id, offer.version, discount_percent=D(30)
    )
    offer_flow.request_approval(manager, offer, offer.version)
    db.session.commit()

    offer_flow.cancel(manager, offer, offer.version)

    assert offer.status == OfferStatus.CANCELLED
    waiting = list_offers(manager, OfferFilter(status="awaiting_approval"), local_today())
    assert waiting.offers == []


@pytest.mark.parametrize("done", ["sent", "accepted"])
def test_an_offer_that_went_out_cannot_be_cancelled(admin, offer, done):
    offer_flow.mark_sent(admin, offer, offer.version)
    if done == "accepted":
        offer_flow.accept(admin, offer, offer.version)
    db.session.commit()
    status = offer.status

    with pytest.raises(DomainError, match="not sent can be cancelled"):
        offer_flow.cancel(admin, offer, offer.version)
    db.session.rollback()

    assert offer.status == status
    assert "cancelled" not in [kind for kind, _ in events(offer)]


def test_a_stale_page_or_a_viewer_changes_nothing(manager, viewer, offer):
    with pytest.raises(EditConflictError):
        offer_flow.cancel(manager, offer, offer.version - 1)
    with pytest.raises(PermissionDeniedError):
        offer_flow.cancel(viewer, offer, offer.version)
    db.session.rollback()
    assert offer.status == OfferStatus.DRAFT


def test_a_new_revision_brings_a_cancelled_offer_back_as_a_draft(manager, offer):
    offer_flow.cancel(manager, offer, offer.version)
    db.session.commit()

    revision = offer_flow.revise(manager, offer, offer.version)
    db.session.commit()

    assert (revision.status, revision.display_number) == (OfferStatus.DRAFT, f"{offer.number}-v2")
    assert [line.name for line in revision.lines] == [line.name for line in offer.lines]
    assert offer.status == OfferStatus.CANCELLED


def test_cancelled_offers_are_not_open_so_a_hand_over_leaves_them(admin, manager, offer):
    offer_flow.cancel(manager, offer, offer.version)
    db.session.commit()
    successor = make_user("taras@example.com", name="Тарас")

    handover.hand_over(admin, manager, successor)
    db.session.commit()

    assert not offer.is_open
    assert offer.owner_id == manager.id
    cancelled = list_offers(manager, OfferFilter(status="cancelled"), local_today())
    assert [o.id for o in cancelled.offers] == [offer.id]


def test_the_preview_of_a_cancelled_offer_says_so_on_every_page(manager, offer):
    product_id = offer.lines[0].product_id
    for _ in range(24):  # enough lines for a second page
        offer_lines.add_product_line(manager, offer, product_id, D(1), offer.version)
    offer.language = "uk"
    offer_flow.cancel(manager, offer, offer.version)

    pages = PdfReader(io.BytesIO(offer_pdf_bytes(offer))).pages

    assert len(pages) >= 2
    assert all("Скасовано: недійсна" in page.extract_text() for page in pages)


def test_cancelling_a_new_revision_leaves_the_sent_one_with_the_client(manager, offer):
    offer_flow.mark_sent(manager, offer, offer.version)
    revision = offer_flow.revise(manager, offer, offer.version)
    db.session.commit()

    offer_flow.cancel(manager, revision, revision.version, "The client decided after all")
    offer_flow.accept(manager, offer, offer.version)  # the sent one still counts
    db.session.commit()

    assert (offer.status, revision.status) == (OfferStatus.ACCEPTED, OfferStatus.CANCELLED)


def test_a_revision_is_not_sent_after_the_client_accepted_the_previous_one(manager, offer):
    offer_flow.mark_sent(manager, offer, offer.version)
    revision = offer_flow.revise(manager, offer, offer.version)
    offer_flow.accept(manager, offer, offer.version)
    db.session.commit()

    with pytest.raises(DomainError, match="accepted .* meanwhile"):
        offer_flow.mark_sent(manager, revision, revision.version)
    db.session.rollback()

    assert (offer.status, revision.status) == (OfferStatus.ACCEPTED, OfferStatus.DRAFT)


def test_a_revision_of_a_departed_managers_offer_belongs_to_whoever_makes_it(admin, manager, offer):
    offer_flow.cancel(manager, offer, offer.version)
    manager.active = False
    db.session.commit()

    revision = offer_flow.revise(admin, offer, offer.version)

    assert revision.owner_id == admin.id
