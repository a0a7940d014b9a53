"""The /offers list: filters, newest first, a page at a time (keyset on id)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Offer, OfferStatus, Party, User
from crm.services.offer_flow import status_condition
from crm.services.offers import visible_offers
from crm.services.party_list import PartyFilter, conditions

STATUSES = tuple(OfferStatus)


@dataclass
class OfferFilter:
    """What the user asked for; `after` is the id of the previous page's last offer."""

    q: str = ""
    status: str = ""
    owner_id: int | None = None
    party_id: int | None = None
    after: int | None = None


@dataclass
class OfferPage:
    offers: list[Offer]
    next_cursor: int | None = None
    filters: OfferFilter = field(default_factory=OfferFilter)


def list_offers(user: User, filters: OfferFilter, today: date, page_size: int = 25) -> OfferPage:
    """One page of the offers the user may see, newest first."""
    query = visible_offers(user)
    if filters.q.strip():
        term = filters.q.strip()
        # The matching parties as a subquery: OR-ed with the number, conditions on the joined
        # party made SQLite walk every live party for each search.
        by_party = select(Party.id).where(*conditions(PartyFilter(q=term)))
        number = term.upper().rsplit("-V", 1)[0] if "-V" in term.upper() else term.upper()
        by_number = select(Offer.id).where(Offer.number == number)
        query = query.where(Offer.id.in_(by_number) | Offer.party_id.in_(by_party))
    if filters.status in STATUSES:
        query = query.where(status_condition(filters.status, today))
    if filters.owner_id:
        query = query.where(Offer.owner_id == filters.owner_id)
    if filters.party_id:
        query = query.where(Offer.party_id == filters.party_id)
    if filters.after:
        query = query.where(Offer.id < filters.after)
    rows = list(db.session.scalars(query.order_by(Offer.id.desc()).limit(page_size + 1)))
    page = OfferPage(rows[:page_size], filters=filters)
    if len(rows) > page_size:
        page.next_cursor = rows[page_size - 1].id
    return page


def awaiting_approval_count(user: User) -> int:
    """How many offers wait for an admin (shown to admins)."""
    if not user.is_admin:
        return 0
    query = visible_offers(user).where(Offer.status == OfferStatus.AWAITING_APPROVAL)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
