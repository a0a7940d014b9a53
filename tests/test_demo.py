"""`flask crm demo` loads a company whose every screen has something to show."""

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Offer, OfferPdf, Party, Product, Sale, StageSuggestion, Task, User


def count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_loads_once_with_offers_in_every_state(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    db.session.rollback()
    assert count(User) >= 4 and count(Party) >= 10 and count(Task) > 0
    assert count(Product) >= 10
    statuses = set(db.session.scalars(select(Offer.status)))
    assert {"draft", "awaiting_approval", "sent", "accepted", "rejected", "cancelled"} <= statuses
    assert db.session.scalar(select(func.max(Offer.revision))) >= 2
    assert count(OfferPdf) == db.session.scalar(
        select(func.count()).where(Offer.sent_at.is_not(None))
    )
    assert count(Sale) > 5 and count(StageSuggestion) >= 1

    offers = count(Offer)
    db.session.rollback()
    again = runner.invoke(args=["crm", "demo", "--if-empty"])
    assert "not loaded" in again.output
    db.session.rollback()
    assert count(Offer) == offers
