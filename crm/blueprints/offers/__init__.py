"""Offers (commercial proposals): the list, the editor, the PDF and the offer's life."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from crm.models import OfferStatus, PriceSource, RevenueType

bp = Blueprint("offers", __name__, url_prefix="/offers")

STATUS_LABELS = {
    OfferStatus.DRAFT: _l("Draft"),
    OfferStatus.AWAITING_APPROVAL: _l("Awaiting approval"),
    OfferStatus.SENT: _l("Sent"),
    OfferStatus.ACCEPTED: _l("Accepted"),
    OfferStatus.REJECTED: _l("Rejected"),
    OfferStatus.EXPIRED: _l("Expired"),
    OfferStatus.SUPERSEDED: _l("Superseded"),
    OfferStatus.CANCELLED: lazy_pgettext("offer status", "Cancelled"),  # tasks say it too
}
REVENUE_LABELS = {
    RevenueType.ONE_OFF: _l("One-off"),
    RevenueType.MONTHLY: _l("Monthly"),
    RevenueType.YEARLY: _l("Yearly"),
}
PRICE_SOURCE_LABELS = {
    PriceSource.LIST: _l("List price"),
    PriceSource.SEGMENT: _l("Segment price"),
    PriceSource.TIER: _l("Volume price"),
    PriceSource.MANUAL: _l("Price set by hand"),
}
EVENT_LABELS = {
    "created": _l("Offer created"),
    "approval_requested": _l("Approval requested"),
    "approval_withdrawn": _l("Approval request withdrawn"),
    "approved": _l("Discount approved"),
    "approval_rejected": _l("Discount not approved"),
    "sent": _l("Sent to the client"),
    "accepted": _l("Accepted by the client"),
    "rejected": _l("Rejected by the client"),
    "revised": _l("New revision of"),
    "cancelled": _l("Offer cancelled"),
}
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "uk": "Українська"}


@bp.app_context_processor
def labels() -> dict:
    """Translated offer vocabulary, for every template (the party card shows offers too)."""
    return {
        "offer_status_labels": STATUS_LABELS,
        "revenue_labels": REVENUE_LABELS,
        "price_source_labels": PRICE_SOURCE_LABELS,
        "offer_event_labels": EVENT_LABELS,
        "language_names": LANGUAGE_NAMES,
    }


from crm.blueprints.offers import actions, editor, routes  # noqa: E402, F401
