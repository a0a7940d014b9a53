"""The offer PDF's timing: a PDF_LINES-line offer put together in memory from two 12-line
bench offers, rendered PDF_RENDERS times through render_offer_pdf after one warm-up, with
offer_html and WeasyPrint alone timed beside it and the pages counted with pypdf; the result
is a PdfResult for the report's PDF section.
"""

import time
from dataclasses import dataclass, field

from measuring import percentile
from settings import PDF_LINES, PDF_RENDERS, log


@dataclass
class PdfResult:
    lines: int = 0
    pages: int = 0
    size_kb: float = 0.0
    times: list[float] = field(default_factory=list)  # render_offer_pdf, ms
    html_ms: float = float("nan")  # median of offer_html alone
    weasy_ms: float = float("nan")  # median of render_pdf_in_process alone (no worker)
    error: str = ""


def measure_pdf(app, inputs: dict) -> PdfResult:  # noqa: ANN001
    """Median of PDF_RENDERS warm renders of a PDF_LINES-line offer, through render_offer_pdf.

    Bench offers have at most 12 lines, so the offer is put together in memory (never saved)
    from the lines of two of them: a 12-line offer's header, party and contact, its lines and
    the first lines of another, totalled by the pricing service.
    """
    import io

    from crm.extensions import db
    from crm.models import Offer, OfferLine, RevenueType
    from crm.services.offer_pdf import offer_html, render_offer_pdf
    from crm.services.pdf_render import render_pdf_in_process
    from crm.services.pricing import PricedLine, line_amounts, offer_totals

    result = PdfResult()
    ids = inputs["offers_12"][:2]
    if len(ids) < 2:
        result.error = "no two offers with 12 lines"
        return result
    log(f"  PDF: {PDF_RENDERS} renders of a {PDF_LINES}-line offer after one warm-up …")
    with app.test_request_context(), db.session.no_autoflush:
        base, other = (db.session.get(Offer, i) for i in ids)
        columns = [c.key for c in Offer.__table__.columns if c.key not in ("id", "version")]
        offer = Offer(**{key: getattr(base, key) for key in columns})
        offer.party, offer.contact, offer.owner = base.party, base.contact, base.owner
        line_columns = [
            c.key for c in OfferLine.__table__.columns if c.key not in ("id", "offer_id")
        ]
        source = [*base.lines, *other.lines][:PDF_LINES]
        offer.lines = [OfferLine(**{k: getattr(line, k) for k in line_columns}) for line in source]
        priced = []
        for position, line in enumerate(offer.lines, start=1):
            line.position = position
            amounts = line_amounts(
                line.quantity,
                line.unit_price,
                line.discount_percent,
                line.vat_rate,
                offer.prices_include_vat,
            )
            priced.append(
                PricedLine(amounts, RevenueType(line.revenue_type), line.discount_percent)
            )
        totals = offer_totals(priced)
        offer.subtotal, offer.discount_total, offer.net_total = (
            totals.subtotal,
            totals.discount,
            totals.net,
        )
        offer.vat_total, offer.total, offer.max_discount = (
            totals.vat,
            totals.total,
            totals.max_discount,
        )
        offer.one_off_total, offer.monthly_total = totals.one_off, totals.monthly
        offer.yearly_total = totals.yearly
        try:
            content = render_offer_pdf(offer)  # warm-up: starts the render worker
            for _ in range(PDF_RENDERS):
                began = time.perf_counter()
                content = render_offer_pdf(offer)
                result.times.append((time.perf_counter() - began) * 1000)
            html_times, weasy_times = [], []
            for _ in range(3):
                began = time.perf_counter()
                page = offer_html(offer)
                html_times.append((time.perf_counter() - began) * 1000)
            render_pdf_in_process(page)  # warm-up of WeasyPrint in this process
            for _ in range(3):
                began = time.perf_counter()
                render_pdf_in_process(page)
                weasy_times.append((time.perf_counter() - began) * 1000)
            result.html_ms, result.weasy_ms = (
                percentile(html_times, 50),
                percentile(weasy_times, 50),
            )
        except Exception as exc:  # noqa: BLE001 - reported, the other rows still count
            result.error = f"{type(exc).__name__}: {exc}"
            log(f"  PDF FAILED: {result.error}")
            return result
        finally:
            db.session.rollback()
    from pypdf import PdfReader

    result.lines, result.size_kb = len(offer.lines), len(content) / 1024
    result.pages = len(PdfReader(io.BytesIO(content)).pages)
    log(
        f"  {'PDF, ' + str(result.lines) + ' lines, ' + str(result.pages) + ' pages':<48} "
        f"median {percentile(result.times, 50):7.1f} ms  max {max(result.times):7.1f} ms"
    )
    return result
