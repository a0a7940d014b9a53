"""An offer's life: approval of big discounts, sent, accepted or rejected, expired, revised.

draft → (awaiting approval → draft, approved) → sent → accepted / rejected / expired;
an offer that was never sent can be cancelled instead.
An offer past its "valid until" date counts as expired from the next day on, without anyone
touching it (`effective_status`); `expire_due` also writes it down (the `flask crm` command).
"""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, or_, select, update

from crm.extensions import db
from crm.models import InteractionType, Offer, OfferLine, OfferStatus, Sale, User
from crm.models.base import utcnow
from crm.services import sales
from crm.services.access import require_editor
from crm.services.clock import local_today
from crm.services.errors import DomainError, EditConflictError, PermissionDeniedError
from crm.services.interactions import log_interaction
from crm.services.offers import flush_or_conflict, record_event, require_editable

SEND_CHANNELS = (
    InteractionType.EMAIL,
    InteractionType.LETTER,
    InteractionType.MEETING,
    InteractionType.VISIT,
)


def effective_status(offer: Offer, today: date | None = None) -> str:
    """The status as the client sees it: a sent offer past its validity has expired."""
    if offer.status == OfferStatus.SENT and offer.valid_until < (today or local_today()):
        return OfferStatus.EXPIRED
    return offer.status


def status_condition(status: str, today: date) -> ColumnElement[bool]:
    """SQL for "the effective status is …", for lists and filters."""
    if status == OfferStatus.EXPIRED:
        return or_(
            Offer.status == OfferStatus.EXPIRED,
            and_(Offer.status == OfferStatus.SENT, Offer.valid_until < today),
        )
    if status == OfferStatus.SENT:
        return and_(Offer.status == OfferStatus.SENT, Offer.valid_until >= today)
    return Offer.status == status


def expire_due(today: date) -> int:
    """Write down the expiry of sent offers past their validity; returns how many."""
    result = db.session.execute(
        update(Offer)
        .where(Offer.status == OfferStatus.SENT, Offer.valid_until < today)
        .values(status=OfferStatus.EXPIRED, version=Offer.version + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def discount_limit(actor: User, offer: Offer) -> Decimal:
    """The largest discount this user may send: their own limit, or what an admin approved."""
    if actor.is_admin:
        return Decimal(100)
    return max(actor.max_discount, offer.approved_discount or Decimal(0))


def needs_approval(actor: User, offer: Offer) -> bool:
    return offer.max_discount > discount_limit(actor, offer)


def check_sendable(actor: User, offer: Offer, today: date | None = None) -> None:
    """Why the offer can't go to the client yet, as a DomainError; nothing if it can."""
    require_editor(actor)
    if offer.status != OfferStatus.DRAFT:
        raise DomainError(_l("Only a draft can be sent."))
    if not offer.lines:
        raise DomainError(_l("Add at least one line before sending the offer."))
    previous = offer.previous
    if previous is not None and previous.status == OfferStatus.ACCEPTED:
        raise DomainError(
            _l(
                "The client accepted %(number)s meanwhile: this revision is not needed.",
                number=previous.display_number,
            )
        )
    if offer.valid_until < (today or local_today()):
        raise DomainError(_l("The offer's validity has already ended: change “valid until”."))
    if needs_approval(actor, offer):
        raise DomainError(
            _l(
                "A discount of %(discount)s%% is above your limit of %(limit)s%%: "
                "ask an admin to approve the offer first.",
                discount=_percent(offer.max_discount),
                limit=_percent(discount_limit(actor, offer)),
            )
        )


def request_approval(actor: User, offer: Offer, expected_version: int) -> None:
    require_editable(actor, offer, expected_version)
    if not needs_approval(actor, offer):
        raise DomainError(_l("The discounts are within your limit: no approval is needed."))
    offer.status = OfferStatus.AWAITING_APPROVAL
    flush_or_conflict()
    record_event(offer, actor, "approval_requested")


def withdraw_request(actor: User, offer: Offer, expected_version: int) -> None:
    """Take the offer back to change it before an admin decides."""
    _awaiting(actor, offer, expected_version, admin=False)
    offer.status = OfferStatus.DRAFT
    flush_or_conflict()
    record_event(offer, actor, "approval_withdrawn")


def approve(actor: User, offer: Offer, expected_version: int, comment: str = "") -> None:
    """An admin allows the offer's discounts; the manager can then send it."""
    _awaiting(actor, offer, expected_version, admin=True)
    offer.status = OfferStatus.DRAFT
    offer.approved_discount = offer.max_discount
    flush_or_conflict()
    record_event(offer, actor, "approved", comment.strip())


def reject_approval(actor: User, offer: Offer, expected_version: int, comment: str) -> None:
    """An admin refuses the discounts, saying why; the offer goes back to its author."""
    if not comment.strip():
        raise DomainError(_l("Say why, so that the manager knows what to change."))
    _awaiting(actor, offer, expected_version, admin=True)
    offer.status = OfferStatus.DRAFT
    offer.approved_discount = None
    flush_or_conflict()
    record_event(offer, actor, "approval_rejected", comment.strip())


def mark_sent(
    actor: User,
    offer: Offer,
    expected_version: int,
    channel: str = InteractionType.EMAIL,
    *,
    summary: str | None = None,
    contact_email: str = "",
    pdf: bytes | None = None,
) -> None:
    """The offer went out: freeze its PDF (`pdf`, if rendered already), note the contact."""
    from crm.services.offer_pdf import freeze_pdf  # the renderer pulls in WeasyPrint

    require_editable(actor, offer, expected_version)
    check_sendable(actor, offer)
    if channel not in SEND_CHANNELS:
        raise DomainError(_l("Unknown interaction type."))
    freeze_pdf(offer, pdf)
    offer.status = OfferStatus.SENT
    offer.sent_at = utcnow()
    previous = offer.previous
    if previous is not None and previous.status == OfferStatus.SENT:
        # Until now the client held the previous revision (and could still accept it).
        previous.status = OfferStatus.SUPERSEDED
    flush_or_conflict()
    record_event(offer, actor, "sent", contact_email)
    log_interaction(
        actor,
        offer.party,
        type=channel,
        occurred_at=offer.sent_at,
        summary=summary or str(_l("Offer %(number)s sent", number=offer.display_number)),
        contact=offer.contact if offer.contact and offer.contact.deleted_at is None else None,
    )


def accept(actor: User, offer: Offer, expected_version: int, today: date | None = None) -> Sale:
    """The client said yes: record the sale (which may suggest a step up the ladder)."""
    today = today or local_today()
    _sent(actor, offer, expected_version, today)
    offer.status = OfferStatus.ACCEPTED
    offer.decided_at = utcnow()
    flush_or_conflict()
    record_event(offer, actor, "accepted")
    return sales.record_sale(offer, actor, today)


def reject(actor: User, offer: Offer, expected_version: int, comment: str = "") -> None:
    """The client said no (the reason helps the next offer)."""
    _sent(actor, offer, expected_version, local_today())
    offer.status = OfferStatus.REJECTED
    offer.decided_at = utcnow()
    flush_or_conflict()
    record_event(offer, actor, "rejected", comment.strip())


def cancel(actor: User, offer: Offer, expected_version: int, comment: str = "") -> None:
    """Call off an offer that was never sent (made by mistake, or no longer wanted).

    Nothing is deleted: it keeps its number, so the year's numbers have no gaps, and its
    history; a new revision brings it back as a draft.
    """
    require_editor(actor)
    if offer.version != expected_version:
        raise EditConflictError([])
    if offer.status not in (OfferStatus.DRAFT, OfferStatus.AWAITING_APPROVAL):
        raise DomainError(_l("Only an offer that was not sent can be cancelled."))
    offer.status = OfferStatus.CANCELLED
    flush_or_conflict()
    record_event(offer, actor, "cancelled", comment.strip())


def revise(actor: User, offer: Offer, expected_version: int | None = None) -> Offer:
    """A new draft with the same number and the next version suffix, linked to this one.

    Only the latest revision is revised; the source's version is bumped, so two people
    revising at once get one new revision and one edit conflict. A sent source stays what
    the client holds (it can still be accepted) until the new revision is sent; if the draft
    is cancelled instead, nothing about the sent one has changed.
    """
    require_editor(actor)
    if expected_version is not None and offer.version != expected_version:
        raise EditConflictError([])
    if offer.status in (OfferStatus.ACCEPTED, OfferStatus.SUPERSEDED):
        raise DomainError(_l("This offer can't be revised."))
    if offer.status in (OfferStatus.DRAFT, OfferStatus.AWAITING_APPROVAL):
        raise DomainError(_l("A draft is changed directly; revise an offer once it is sent."))
    latest = db.session.scalar(select(func.max(Offer.revision)).where(Offer.number == offer.number))
    if latest != offer.revision:
        raise DomainError(_l("A newer revision of this offer exists: revise that one."))
    offer.updated_at = utcnow()
    flush_or_conflict()
    today = local_today()
    copy = Offer(
        number=offer.number,
        revision=(latest or 1) + 1,
        previous_id=offer.id,
        party_id=offer.party_id,
        contact_id=offer.contact_id,
        # A manager who left hands nothing on: whoever revises takes the offer over.
        owner_id=offer.owner_id if offer.owner.active else actor.id,
        created_by_id=actor.id,
        currency=offer.currency,
        exchange_rate=offer.exchange_rate,
        language=offer.language,
        offer_date=today,
        valid_until=today + (offer.valid_until - offer.offer_date),
        intro=offer.intro,
        terms=offer.terms,
        # The copied prices keep their meaning even if the company's VAT setting changed.
        prices_include_vat=offer.prices_include_vat,
    )
    copy.lines = [_copy_line(line) for line in offer.lines]
    db.session.add(copy)
    flush_or_conflict()
    record_event(copy, actor, "revised", offer.display_number)
    from crm.services.offer_lines import recalculate

    recalculate(copy)
    return copy


def _copy_line(line: OfferLine) -> OfferLine:
    columns = OfferLine.__table__.columns.keys()
    skip = {"id", "offer_id"}
    return OfferLine(**{name: getattr(line, name) for name in columns if name not in skip})


def _awaiting(actor: User, offer: Offer, expected_version: int, *, admin: bool) -> None:
    require_editor(actor)
    if admin and not actor.is_admin:
        raise PermissionDeniedError(_l("Only an admin approves discounts."))
    if offer.version != expected_version:
        raise EditConflictError([])
    if offer.status != OfferStatus.AWAITING_APPROVAL:
        raise DomainError(_l("The offer is not waiting for approval."))


def _sent(actor: User, offer: Offer, expected_version: int, today: date) -> None:
    require_editor(actor)
    if offer.version != expected_version:
        raise EditConflictError([])
    if effective_status(offer, today) == OfferStatus.EXPIRED:
        raise DomainError(_l("The offer has expired: make a new revision for the client."))
    if offer.status != OfferStatus.SENT:
        raise DomainError(_l("Only a sent offer can be accepted or rejected."))


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"
