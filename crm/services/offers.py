"""Offers: creating them, their header, who may see and change them."""

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from crm.extensions import db
from crm.models import Contact, Offer, OfferEvent, OfferStatus, Party, User
from crm.services import audit
from crm.services.access import require_editor, sees_only_own
from crm.services.amount_words import CURRENCIES
from crm.services.clock import local_today
from crm.services.company import company_profile
from crm.services.errors import DomainError, EditConflictError, FieldError, NotFoundError
from crm.services.offer_numbers import next_number
from crm.services.parties import get_party

MAX_TEXT = 5000
MAX_RATE = Decimal(100_000_000)


@dataclass
class OfferHeader:
    """What the user fills in above the lines."""

    contact_id: int | None
    currency: str
    exchange_rate: Decimal
    language: str
    offer_date: date
    valid_until: date
    intro: str = ""
    terms: str = ""


HEADER_FIELDS = tuple(f.name for f in fields(OfferHeader))


def visible_offers(user: User) -> Select:
    """Offers of live parties the user may see.

    Subqueries, not a join: SQLite would otherwise walk every party to find the newest offers.
    """
    trashed = select(Party.id).where(Party.deleted_at.is_not(None))
    query = select(Offer).where(Offer.party_id.not_in(trashed))
    if sees_only_own(user):
        query = query.where(Offer.party_id.in_(select(Party.id).where(Party.owner_id == user.id)))
    return query


def get_offer(user: User, offer_id: int, *, with_lines: bool = False) -> Offer:
    """The offer if the user may see its party; NotFoundError otherwise."""
    query = visible_offers(user).where(Offer.id == offer_id)
    if with_lines:
        query = query.options(selectinload(Offer.lines))
    offer = db.session.scalars(query).first()
    if offer is None:
        raise NotFoundError(_l("No such offer."))
    return offer


def default_header(party: Party, today: date | None = None) -> OfferHeader:
    """A new offer's header: the party's first contact and language, the company's currency,
    the usual validity."""
    company = company_profile()
    today = today or local_today()
    contacts = party.contacts
    return OfferHeader(
        contact_id=contacts[0].id if contacts else None,
        currency=company.base_currency,
        exchange_rate=Decimal(1),
        language=party.language or company.default_document_language,
        offer_date=today,
        valid_until=today + timedelta(days=company.offer_validity_days),
    )


def create_offer(actor: User, party_id: int, header: OfferHeader | None = None) -> Offer:
    """A new draft for the party, numbered now; the actor owns it."""
    require_editor(actor)
    party = get_party(actor, party_id)
    header = header or default_header(party)
    _check_header(party, header)
    company = company_profile()
    offer = Offer(
        number=next_number(header.offer_date.year, company.offer_prefix),
        party_id=party.id,
        owner_id=actor.id,
        created_by_id=actor.id,
        prices_include_vat=company.prices_include_vat,
        **{name: getattr(header, name) for name in HEADER_FIELDS},
    )
    db.session.add(offer)
    db.session.flush()
    record_event(offer, actor, "created")
    return offer


def update_header(actor: User, offer: Offer, header: OfferHeader, expected_version: int) -> None:
    """Save the header of a draft, unless someone changed the offer meanwhile."""
    require_editable(actor, offer, expected_version)
    _check_header(offer.party, header)
    before = audit.snapshot(offer, HEADER_FIELDS)
    old_rate = offer.exchange_rate
    for name in HEADER_FIELDS:
        if getattr(offer, name) != getattr(header, name):  # 1.000000 and 1 are the same rate
            setattr(offer, name, getattr(header, name))
    changes = audit.diff(before, audit.snapshot(offer, HEADER_FIELDS))
    if changes.keys() & {"currency", "exchange_rate"}:
        from crm.services.offer_lines import convert_typed_prices, recalculate  # they build on this

        convert_typed_prices(offer, old_rate)
        recalculate(offer, content_changed=False)  # the same prices in another currency
    if changes:
        flush_or_conflict()
        # The offer's own history; the party's card lists offers, not their every edit.
        audit.record(actor, "offer", offer.id, "update", changes=changes)


def require_editable(actor: User, offer: Offer, expected_version: int | None = None) -> None:
    """Only drafts change; a stale version means someone else changed it first."""
    require_editor(actor)
    if expected_version is not None and offer.version != expected_version:
        raise EditConflictError([])
    if offer.status != OfferStatus.DRAFT:
        raise DomainError(_l("Only a draft can be changed. Make a new revision instead."))


def flush_or_conflict() -> None:
    """Write the offer; a racing save of the same version turns into an edit conflict."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError) as exc:  # a changed version, a revision taken
        db.session.rollback()
        raise EditConflictError([]) from exc


def record_event(offer: Offer, actor: User | None, kind: str, comment: str = "") -> OfferEvent:
    event = OfferEvent(offer_id=offer.id, kind=kind, user_id=actor.id if actor else None)
    event.comment = comment
    db.session.add(event)
    return event


def events(offer: Offer) -> list[OfferEvent]:
    query = select(OfferEvent).where(OfferEvent.offer_id == offer.id).order_by(OfferEvent.id)
    return list(db.session.scalars(query))


def revisions(offer: Offer) -> list[Offer]:
    """Every revision sharing the offer's number, newest first."""
    query = select(Offer).where(Offer.number == offer.number).order_by(Offer.revision.desc())
    return list(db.session.scalars(query))


def _check_header(party: Party, header: OfferHeader) -> None:
    if header.currency not in CURRENCIES:
        raise FieldError("currency", _l("Choose one of the listed currencies."))
    rate = header.exchange_rate
    if not rate or rate <= 0:
        raise FieldError("exchange_rate", _l("The exchange rate must be above zero."))
    if rate >= MAX_RATE or rate != rate.quantize(Decimal("0.000001")):
        raise FieldError("exchange_rate", _l("The exchange rate is too large or too precise."))
    base = company_profile().base_currency
    if header.currency == base and rate != 1:
        raise FieldError("exchange_rate", _l("In the base currency the rate is 1."))
    if header.currency != base and rate == 1:
        message = _l(
            "Enter the rate: %(base)s for one %(currency)s.", base=base, currency=header.currency
        )
        raise FieldError("exchange_rate", message)
    if header.language not in current_app.config["LANGUAGES"]:
        raise FieldError("language", _l("Choose one of the listed languages."))
    if header.valid_until < header.offer_date:
        raise FieldError("valid_until", _l("An offer can't expire before its date."))
    for name in ("intro", "terms"):
        if len(getattr(header, name)) > MAX_TEXT:
            raise FieldError(name, _l("At most %(count)s characters.", count=MAX_TEXT))
    if header.contact_id is not None:
        contact = db.session.get(Contact, header.contact_id)
        if contact is None or contact.party_id != party.id or contact.deleted_at is not None:
            raise FieldError("contact_id", _l("Choose a contact of this party."))
