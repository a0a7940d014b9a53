"""The printed proposal: its text in the offer's language, pages, hostile input, the frozen copy."""

import hashlib
import io
import threading
from dataclasses import replace
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import InteractionType, Offer, OfferPdf, Product, RevenueType
from crm.services import offer_flow, offer_pdf
from crm.services.amount_words import amount_in_words
from crm.services.company import save_company_profile
from crm.services.company_images import save_company_image
from crm.services.errors import EditConflictError
from crm.services.offer_lines import add_free_line, add_product_line
from crm.services.offer_pdf import (
    freeze_pdf,
    offer_html,
    offer_pdf_bytes,
    pdf_filename,
    render_offer_pdf,
)
from crm.services.offers import create_offer, default_header
from tests.factories import make_contact, make_party

CLIENT_NAME = 'ТОВ "Ґудзик і Єнот"'


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines and spaces as it likes."""
    return "".join(text.split())


def has(text: str, wanted: str) -> bool:
    return squeeze(wanted) in squeeze(text)


def make_product(name: str, price: str, **fields) -> Product:
    fields = {"unit": "шт", "vat_rate": Decimal(20), "sku": None, **fields}
    product = Product(name=name, list_price=Decimal(price), **fields)
    db.session.add(product)
    db.session.commit()
    return product


def make_offer(owner, party, language: str = "uk", contact=None, **header_fields) -> Offer:
    header = replace(
        default_header(party),
        language=language,
        contact_id=contact.id if contact else None,
        **header_fields,
    )
    offer = create_offer(owner, party.id, header)
    db.session.commit()
    return offer


def add_line(owner, offer, name: str, price: str, quantity: str = "1", **product_fields) -> None:
    """A catalogue line (a new product at its list price)."""
    product = make_product(name, price, **product_fields)
    add_product_line(owner, offer, product.id, Decimal(quantity), offer.version)
    db.session.commit()


@pytest.fixture
def company(admin):
    save_company_profile(
        admin,
        {
            "company_name": "Меблевий салон «Ярослав»",
            "company_address": "вул. Шевченка, 1\nКиїв, 01001",
            "company_tax_ids": "ЄДРПОУ 12345678",
            "company_bank_details": "IBAN UA213223130000026007233566001\nАТ «Банк»",
            "company_phone": "+380 44 123 45 67",
        },
    )
    db.session.commit()


@pytest.fixture
def client_party(manager):
    return make_party(
        manager,
        CLIENT_NAME,
        legal_name="Товариство з обмеженою відповідальністю «Ґудзик і Єнот»",
        tax_id="87654321",
        address="м. Львів, пл. Ринок, 5",
    )


@pytest.fixture
def offer(manager, client_party, company):
    """Two lines: 2 × 5 000,00 + 288,00 net, VAT 20 %: 12 345,60 in all."""
    contact = make_contact(client_party, "Петро Іваненко", emails="petro@gudzyk.ua")
    offer = make_offer(manager, client_party, "uk", contact, intro="Шановний Петре!\nПропонуємо:")
    add_line(manager, offer, "Шафа-купе «Ярослав»", "5000.00", "2", sku="SH-001", description="Дуб")
    add_free_line(
        manager,
        offer,
        name="Доставка і збирання",
        unit="посл.",
        quantity=Decimal(1),
        price=Decimal("288.00"),
        vat_rate=Decimal(20),
        revenue_type=RevenueType.ONE_OFF,
        expected_version=offer.version,
    )
    db.session.commit()
    return offer


def test_a_ukrainian_offer_prints_number_client_totals_and_words(offer):
    text = "\n".join(pages_of(render_offer_pdf(offer)))

    assert offer.total == Decimal("12345.60")
    for wanted in (
        offer.display_number,
        CLIENT_NAME,
        "Товариство з обмеженою відповідальністю «Ґудзик і Єнот»",
        "Петро Іваненко",
        "Меблевий салон «Ярослав»",
        "ЄДРПОУ 12345678",
        "Шафа-купе «Ярослав»",
        "SH-001",
        "10 288,00 грн",  # net
        "2 057,60 грн",  # VAT
        "12 345,60 грн",  # total
        amount_in_words(Decimal("12345.60"), "UAH", "uk"),
        "Клієнт",  # the label, in the offer's language while the app's is English
        "Олена Коваль",  # the manager signs
    ):
        assert has(text, wanted), wanted
    assert has(text, "Дванадцять тисяч триста сорок п'ять гривень 60 копійок")


def test_an_english_offer_prints_english_labels_and_numbers(manager, client_party, company):
    offer = make_offer(manager, client_party, "en")
    add_line(manager, offer, "Delivery", "10288.00")
    text = "\n".join(pages_of(render_offer_pdf(offer)))

    for wanted in (
        "Client",
        "10,288.00 UAH",
        "12,345.60 UAH",
        amount_in_words(Decimal("12345.60"), "UAH", "en"),
        "Twelve thousand",
    ):
        assert has(text, wanted), wanted
    assert not has(text, "Клієнт")


def test_the_offers_language_wins_over_the_readers_and_is_restored_after(app, offer):
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        assert str(get_locale()) == "ru"
        html = offer_html(offer)
        assert str(get_locale()) == "ru"
        assert _("Client") == "Клиент"

    assert "Клієнт" in html
    assert "Клиент" not in html


def test_line_breaks_in_the_intro_survive_as_css_not_markup(offer):
    html = offer_html(offer)

    assert "Шановний Петре!\nПропонуємо:" in html
    assert "white-space: pre-line" in html


def test_prices_with_vat_show_the_vat_inside_the_total(manager, client_party, company, admin):
    save_company_profile(admin, {"prices_include_vat": "yes"})
    db.session.commit()
    offer = make_offer(manager, client_party, "en")
    add_line(manager, offer, "Sofa", "1200.00")
    text = "\n".join(pages_of(render_offer_pdf(offer)))

    assert offer.prices_include_vat
    assert has(text, "Total incl. VAT 1,200.00 UAH")
    assert has(text, "including VAT 20% 200.00 UAH")


def test_recurring_payments_are_totalled_per_month_and_per_year(manager, client_party, company):
    offer = make_offer(manager, client_party, "en")
    add_line(manager, offer, "Sofa", "1000.00")
    add_line(manager, offer, "Cleaning", "100.00", revenue_type=RevenueType.MONTHLY)
    add_line(manager, offer, "Insurance", "500.00", revenue_type=RevenueType.YEARLY)
    text = "\n".join(pages_of(render_offer_pdf(offer)))

    assert has(text, "One-off payment 1,200.00 UAH")
    assert has(text, "120.00 UAH per month")
    assert has(text, "600.00 UAH per year")


def test_a_long_offer_repeats_the_table_header_and_numbers_its_pages(
    manager, client_party, company
):
    offer = make_offer(manager, client_party, "en", terms="Delivery in 10 days.")
    for number in range(1, 23):
        add_line(
            manager,
            offer,
            f"Chair model {number}",
            "100.00",
            quantity=str(number),
            sku=f"CH-{number:03d}",
            description="Beech frame, fabric seat.\nColour: graphite.",
        )
    pages = pages_of(render_offer_pdf(offer))

    assert len(pages) >= 2
    with_rows = [text for text in pages if "Chair model" in text]
    assert len(with_rows) >= 2  # the table itself runs onto the next page
    assert all(has(text, "Product or service") for text in with_rows)
    for page_number, page_text in enumerate(pages, start=1):
        assert has(page_text, f"Page {page_number} of {len(pages)}")
        assert has(page_text, offer.display_number)
    # No row is split between pages: every line's name is whole somewhere.
    text = "\n".join(pages)
    assert all(has(text, f"Chair model {n}") for n in range(1, 23))


def test_the_page_footer_is_in_the_offers_language(offer):
    for number in range(20):
        add_line(offer.owner, offer, f"Стілець {number}", "10.00", description="Бук\nСірий")
    pages = pages_of(render_offer_pdf(offer))

    with force_locale("uk"):
        expected = _("Page %(page)s of %(pages)s", page=2, pages=len(pages))
    assert len(pages) >= 2
    assert has(pages[1], expected)


@pytest.fixture
def http_server():
    """A local web server that records every request it gets."""
    hits = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def test_hostile_values_print_as_text_and_fetch_nothing(manager, company, http_server):
    port, hits = http_server
    base = f"http://127.0.0.1:{port}"
    party_name = "<img src=file:///etc/passwd>"
    line_name = "<script>alert(1)</script>"
    intro = f"<link rel=stylesheet href={base}/x.css>"
    description = f'"><img src="{base}/description.png">'
    terms = f"<style>@import url({base}/terms.css);</style>"
    party = make_party(manager, party_name, address=f"<iframe src={base}/address>")
    contact = make_contact(party, f"<object data={base}/contact>")
    offer = make_offer(manager, party, "en", contact, intro=intro, terms=terms)
    add_line(manager, offer, line_name, "10.00", sku="X-1", description=description)

    html = offer_html(offer)
    text = "\n".join(pages_of(render_offer_pdf(offer)))

    for value in (party_name, line_name, intro, description, terms):
        assert has(text, value), value
        assert value not in html  # escaped in the markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert hits == []


def test_the_logo_and_the_signature_are_printed_when_there_are_some(offer, admin):
    def image_count(pdf: bytes) -> int:
        return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)

    assert image_count(render_offer_pdf(offer)) == 0
    for kind, size in (("logo", (40, 20)), ("signature", (60, 30))):
        png = io.BytesIO()
        Image.new("RGB", size, (29, 79, 124)).save(png, "PNG")
        save_company_image(admin, kind, f"{kind}.png", png.getvalue())
    db.session.commit()

    assert image_count(render_offer_pdf(offer)) == 2


def test_a_sent_offer_keeps_the_pdf_the_client_received(offer, admin, company):
    offer_flow.mark_sent(admin, offer, offer.version, InteractionType.EMAIL)
    db.session.commit()
    sent = offer_pdf_bytes(offer)
    stored = db.session.get(OfferPdf, offer.id)
    assert stored.sha256 == hashlib.sha256(sent).hexdigest()

    product = db.session.get(Product, offer.lines[0].product_id)
    product.list_price = Decimal("9999.00")
    save_company_profile(admin, {"company_name": "Зовсім інша фірма"})
    offer.lines[1].name = "Змінений рядок"
    offer.lines[1].unit_price = Decimal("1.00")
    db.session.commit()
    db.session.expire_all()

    assert offer_pdf_bytes(offer) == sent
    assert freeze_pdf(offer).content == sent  # freezing again keeps the first copy
    assert db.session.scalar(select(func.count()).select_from(OfferPdf)) == 1
    # The changes are real: a live render would show them.
    assert has("\n".join(pages_of(render_offer_pdf(offer))), "Зовсім інша фірма")


def test_a_pdf_frozen_meanwhile_by_someone_else_is_an_edit_conflict(offer, monkeypatch):
    content = b"%PDF-1.7 sent by a colleague a moment ago"
    db.session.add(OfferPdf(offer_id=offer.id, content=content, sha256="0" * 64))
    db.session.commit()
    monkeypatch.setattr(offer_pdf, "frozen_pdf", lambda offer: None)  # not seen yet

    with pytest.raises(EditConflictError):
        freeze_pdf(offer)

    assert db.session.get(OfferPdf, offer.id).content == content


def test_a_draft_is_a_live_preview(offer, admin):
    assert not has("\n".join(pages_of(offer_pdf_bytes(offer))), "Зовсім інша фірма")
    save_company_profile(admin, {"company_name": "Зовсім інша фірма"})
    db.session.commit()

    assert has("\n".join(pages_of(offer_pdf_bytes(offer))), "Зовсім інша фірма")
    assert db.session.get(OfferPdf, offer.id) is None


@pytest.mark.parametrize(
    ("number", "revision", "expected"),
    [
        ("КП-2026-0001", 1, "КП-2026-0001.pdf"),
        ("КП-2026-0001", 2, "КП-2026-0001-v2.pdf"),
        ("КП/2026-0007", 1, "КП-2026-0007.pdf"),
        ("../2026-0001", 1, "2026-0001.pdf"),
        ("", 1, "offer-7.pdf"),
    ],
)
def test_pdf_file_names_are_safe(number, revision, expected):
    assert pdf_filename(Offer(id=7, number=number, revision=revision)) == expected


def test_a_preview_with_an_unapproved_discount_says_so_on_every_page(app, manager):
    from decimal import Decimal as D

    from pypdf import PdfReader

    from crm.services import offer_lines, offers
    from crm.services.offer_pdf import offer_pdf_bytes
    from tests.factories import make_party
    from tests.services.offer_helpers import make_product

    offer = offers.create_offer(manager, make_party(manager, "Ромашка").id)
    offer.language = "en"
    line = offer_lines.add_product_line(manager, offer, make_product().id, D(1), offer.version)
    preview = offer_pdf_bytes(offer)
    assert "Not approved" not in PdfReader(io.BytesIO(preview)).pages[0].extract_text()
    offer_lines.change_line(manager, offer, line.id, offer.version, discount_percent=D(30))
    marked = offer_pdf_bytes(offer)
    assert (
        "Not approved: not for the client" in PdfReader(io.BytesIO(marked)).pages[0].extract_text()
    )
