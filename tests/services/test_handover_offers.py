"""Open offers follow their party to a new owner: on hand-over and on a single owner change."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.models import OPEN_STATUSES, Offer, OfferStatus, Party, User
from crm.services import parties
from crm.services.handover import hand_over
from tests.factories import make_party, make_user

STATUSES = list(OfferStatus)


@pytest.fixture
def leaving():
    return make_user("leaving@example.com", name="Leaving")


def make_offer(party: Party, owner: User, status: str) -> Offer:
    """An offer built with the model, owned by `owner` (not necessarily the party's owner)."""
    number = db.session.scalar(select(Offer.id).order_by(Offer.id.desc()).limit(1)) or 0
    offer = Offer(
        number=f"КП-2026-{number + 1:04}",
        revision=1,
        party_id=party.id,
        owner_id=owner.id,
        created_by_id=owner.id,
        currency="UAH",
        language="uk",
        offer_date=date(2026, 6, 1),
        valid_until=date(2026, 6, 1) + timedelta(days=14),
        status=status,
    )
    db.session.add(offer)
    db.session.commit()
    return offer


def owners_and_versions(offers: list[Offer]) -> list[tuple[int, int]]:
    db.session.expire_all()
    return [(o.owner_id, o.version) for o in offers]


def test_hand_over_moves_the_open_offers_and_leaves_decided_ones(admin, manager, leaving):
    party = make_party(leaving)
    offers = [make_offer(party, leaving, status) for status in STATUSES]
    hand_over(admin, leaving, manager)
    db.session.commit()
    for offer, (owner_id, version) in zip(offers, owners_and_versions(offers), strict=True):
        moved = offer.status in OPEN_STATUSES
        assert owner_id == (manager.id if moved else leaving.id), offer.status
        assert version == (2 if moved else 1), offer.status


def test_a_selection_moves_only_the_open_offers_of_the_chosen_parties(admin, manager, leaving):
    chosen, kept = make_party(leaving, "Chosen"), make_party(leaving, "Kept")
    offers = [make_offer(chosen, leaving, "sent"), make_offer(kept, leaving, "draft")]
    hand_over(admin, leaving, manager, [chosen.id])
    db.session.commit()
    assert owners_and_versions(offers) == [(manager.id, 2), (leaving.id, 1)]


def test_a_colleagues_offer_on_a_handed_over_party_stays_theirs(admin, manager, leaving):
    colleague = make_user("dmitry@example.com", name="Дмитрий Орлов")
    party = make_party(leaving)
    offer = make_offer(party, colleague, "draft")
    hand_over(admin, leaving, manager)
    db.session.commit()
    assert owners_and_versions([offer]) == [(colleague.id, 1)]


def test_an_editor_who_opened_an_offer_before_the_hand_over_gets_a_conflict(
    admin, manager, leaving
):
    offer = make_offer(make_party(leaving), leaving, "draft")
    assert offer.version == 1  # loaded, as by a form opened before the hand-over
    hand_over(admin, leaving, manager)
    offer.intro = "Saved from the stale form"
    with pytest.raises(StaleDataError):
        db.session.flush()


def test_changing_the_owner_of_one_party_takes_the_old_owners_open_offers(admin, manager, leaving):
    colleague = make_user("dmitry@example.com", name="Дмитрий Орлов")
    party = make_party(leaving)
    offers = [
        make_offer(party, leaving, "draft"),
        make_offer(party, leaving, "awaiting_approval"),
        make_offer(party, leaving, "accepted"),
        make_offer(party, colleague, "sent"),
        make_offer(make_party(leaving, "Other"), leaving, "draft"),
    ]
    parties.update_party(admin, party, {"owner_id": manager.id}, party.version)
    db.session.commit()
    assert owners_and_versions(offers) == [
        (manager.id, 2),
        (manager.id, 2),
        (leaving.id, 1),
        (colleague.id, 1),
        (leaving.id, 1),
    ]
