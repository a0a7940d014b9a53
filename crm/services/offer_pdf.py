"""The printed commercial proposal: HTML in the offer's language, rendered to PDF and frozen.

A draft's PDF is a live preview (today's company profile, logo and lines). When the offer is
sent, `freeze_pdf` stores the bytes the client receives, and from then on that exact file is
what everyone downloads, whatever changes in the catalogue, the company profile or the offer.

Money is printed the same way everywhere, in the offer's language: the number with that
language's separators and exactly two decimals, then the currency ("12 345,60 грн",
"12,345.60 UAH"). Table cells carry the number only; the column header names the currency.
"""

import hashlib
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

from flask import render_template
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from crm.extensions import db
from crm.models import Offer, OfferPdf, OfferStatus, RevenueType
from crm.services.amount_words import amount_in_words
from crm.services.company import CompanyProfile, company_profile
from crm.services.company_images import company_images
from crm.services.errors import EditConflictError
from crm.services.pdf_render import FONT_CSS, Images, render_pdf

TEMPLATE = "offers/pdf.html"
# How the currency follows an amount, per document language (not UI text: the offer's language
# picks it, whatever the reader's locale is).
CURRENCY_LABELS = {
    "UAH": {"uk": "грн", "ru": "грн", "en": "UAH"},
    "USD": {"uk": "дол. США", "ru": "долл. США", "en": "USD"},
    "EUR": {"uk": "євро", "ru": "евро", "en": "EUR"},
}
_PAGE, _PAGES = "\ue000", "\ue001"  # stand-ins for the page counters in the translated footer


def offer_html(
    offer: Offer,
    company: CompanyProfile | None = None,
    images: Images | None = None,
    *,
    unapproved: bool = False,
) -> str:
    """The proposal as HTML, every label in the offer's language (not the reader's).

    `unapproved` marks every page of a preview whose discount still needs an admin.
    """
    company = company or company_profile()
    images = company_images() if images is None else images
    with force_locale(offer.language):
        context = _context(offer, company, images)
        return render_template(TEMPLATE, unapproved=unapproved, **context)


def render_offer_pdf(offer: Offer, *, unapproved: bool = False) -> bytes:
    """Render the proposal now, with today's company profile, logo and signature."""
    images = company_images()
    html = offer_html(offer, company_profile(), images, unapproved=unapproved)
    return render_pdf(html, images)


def freeze_pdf(offer: Offer, content: bytes | None = None) -> OfferPdf:
    """Store the PDF the client receives (called when the offer is sent); an existing one stays.

    `content` is the PDF rendered from this very version of the offer, if the caller has it.
    """
    frozen = frozen_pdf(offer)
    if frozen is not None:
        return frozen
    content = content or render_offer_pdf(offer)
    frozen = OfferPdf(
        offer_id=offer.id, content=content, sha256=hashlib.sha256(content).hexdigest()
    )
    db.session.add(frozen)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # Someone sent the offer meanwhile: the PDF they froze is the one the client got.
        db.session.rollback()
        raise EditConflictError([]) from exc
    return frozen


def frozen_pdf(offer: Offer) -> OfferPdf | None:
    """The PDF stored when the offer was sent, if any."""
    return db.session.get(OfferPdf, offer.id)


def offer_pdf_bytes(offer: Offer) -> bytes:
    """The PDF as sent if the offer went out; otherwise a live preview."""
    frozen = frozen_pdf(offer)
    if frozen is not None:
        return frozen.content
    from crm.services.offer_flow import needs_approval  # it builds on this module

    waiting = offer.status == OfferStatus.AWAITING_APPROVAL or needs_approval(offer.owner, offer)
    return render_offer_pdf(offer, unapproved=waiting)


def pdf_filename(offer: Offer) -> str:
    """A file name safe on any system and in a mail header: "КП-2026-0001-v2.pdf"."""
    stem = re.sub(r"[^\w.-]+", "-", offer.display_number)
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_")[:100]
    return f"{stem or f'offer-{offer.id}'}.pdf"


def money(amount: Decimal) -> str:
    """An amount as the table prints it: "12 345,60" (uk), "12,345.60" (en)."""
    return format_decimal(amount, format="#,##0.00")


def money_with_currency(amount: Decimal, currency: str, language: str) -> str:
    """An amount with its currency, as the totals print it: "12 345,60 грн"."""
    return f"{money(amount)}\u00a0{currency_label(currency, language)}"


def currency_label(currency: str, language: str) -> str:
    """How the currency is written after an amount in that language: "грн", "UAH"."""
    return CURRENCY_LABELS.get(currency, {}).get(language, currency)


def quantity(value: Decimal) -> str:
    """Up to three decimals, none when whole: "2", "1,5"."""
    return format_decimal(value, format="#,##0.###")


def percent(value: Decimal) -> str:
    """Up to two decimals: "20", "7,5"."""
    return format_decimal(value, format="0.##")


def long_date(day: date) -> str:
    """A date in words of the current locale: "7 грудня 2026 р.", "December 7, 2026"."""
    return format_date(day, format="long")


def _context(offer: Offer, company: CompanyProfile, images: Images) -> dict:
    """What the template needs; called inside force_locale."""
    language = offer.language
    lines = list(offer.lines)
    vat_rates = {line.vat_rate for line in lines}
    return {
        "offer": offer,
        "party": offer.party,
        "contact": offer.contact,
        "company": company,
        "lines": lines,
        "has_logo": "logo" in images,
        "has_signature": "signature" in images,
        "font_css": Markup(FONT_CSS),  # noqa: S704 - our own constant, not user text
        # CSS `content` values; every piece is escaped by _css_string.
        "footer_left": Markup(_css_string(offer.display_number)),  # noqa: S704
        "footer_right": Markup(_page_counter_css()),  # noqa: S704
        "currency": currency_label(offer.currency, language),
        "total_text": lambda amount: money_with_currency(amount, offer.currency, language),
        "money": money,
        "quantity": quantity,
        "percent": percent,
        "long_date": long_date,
        "vat_by_rate": _vat_by_rate(lines),
        "no_vat": vat_rates <= {Decimal(0)},
        "has_discount": offer.discount_total > 0,
        "recurring": offer.monthly_total > 0 or offer.yearly_total > 0,
        "monthly": RevenueType.MONTHLY.value,
        "yearly": RevenueType.YEARLY.value,
        "words": amount_in_words(offer.total, offer.currency, language),
    }


def _vat_by_rate(lines: list) -> list[tuple[Decimal, Decimal]]:
    """(rate, VAT) for every rate on the offer, highest first."""
    sums: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line in lines:
        sums[line.vat_rate.normalize()] += line.vat_amount
    return sorted(((rate, vat) for rate, vat in sums.items() if rate), reverse=True)


def _page_counter_css() -> str:
    """ "Page 1 of 2" in the current language, as a CSS `content` value with page counters."""
    label = _("Page %(page)s of %(pages)s", page=_PAGE, pages=_PAGES)
    parts = []
    for piece in re.split(f"({_PAGE}|{_PAGES})", label):
        if piece == _PAGE:
            parts.append("counter(page)")
        elif piece == _PAGES:
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def _css_string(text: str) -> str:
    """A quoted CSS string; quotes, backslashes, angle brackets and controls as hex escapes."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '"\\<>&' or ord(char) < 32 or ord(char) == 127 else char
        for char in text
    )
    return f'"{escaped}"'
