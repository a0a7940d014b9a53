"""Demo offers in every state, priced from the demo catalogue, and the sales they made."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from crm.cli.demo_sales import add_demo_sales
from crm.extensions import db
from crm.models import Offer, Party, Product, User
from crm.services import offer_flow, offer_lines, offers
from crm.services.clock import local_today

# (party, owner, [(sku, quantity, discount %)], intro, what happens next)
OFFERS = [
    (
        "Гостиница «Волга»",
        "dmitry@example.com",
        [("KRV-HTL-160", "25", "0"), ("SRV-DLV-YAR", "2", "0"), ("SRV-ASM", "40", "0")],
        "Предлагаем обновить номерной фонд второго этажа.",
        "draft",
    ),
    (
        "Стоматология «Жемчуг»",
        "dmitry@example.com",
        [("STL-OF-140", "6", "15"), ("KRS-ERG", "6", "15"), ("SRV-CARE-Y", "1", "0")],
        "Мебель для новой ресепшн-зоны и кабинетов.",
        "awaiting",
    ),
    (
        "Bright Kids School",
        "james@example.com",
        [("STL-OF-140", "12", "0"), ("KRS-ERG", "12", "3"), ("RNT-EVT-M", "2", "0")],
        "Furniture for the new staff room, and event furniture for the spring fair.\n"
        "Payment: 50 % in advance, 50 % on delivery. Delivery in three weeks.",
        "sent",
    ),
    (
        "ООО «Домашний уют»",
        "olena@example.com",
        [("KRS-LOFT", "4", "0"), ("SRV-DLV-YAR", "1", "0")],
        "Кресла для торгового зала, как обсуждали.",
        "expired",
    ),
    (
        "Дизайн-студия «Интерьер+»",
        "olena@example.com",
        [("SRV-DSG", "120", "0"), ("KUH-MOD-PM", "4.5", "5")],
        "Дизайн-проект и кухня для объекта на Набережной.",
        "accepted",
    ),
    (
        "Иван Петров",
        "dmitry@example.com",
        [("KUH-MOD-PM", "3.2", "0"), ("SRV-ASM", "6", "0")],
        "Модульная кухня по вашим размерам.",
        "rejected",
    ),
    (
        "Гостиница «Волга»",
        "dmitry@example.com",
        [("KRV-HTL-160", "25", "0")],
        "Предлагаем обновить номерной фонд второго этажа.",
        "cancelled",  # a second draft made by mistake
    ),
]


def make_demo_offers(by_email: dict[str, User]) -> None:
    """Offers in each state; a rejected one was revised, a duplicate draft cancelled.
    Flushes, never commits."""
    add_demo_sales()
    products = {p.sku: p for p in db.session.scalars(select(Product))}
    for party_name, owner_email, lines, intro, fate in OFFERS:
        owner = by_email[owner_email]
        party = db.session.scalar(select(Party).where(Party.name == party_name))
        offer = _draft(owner, party, lines, intro, products)
        if fate == "awaiting":
            offer_flow.request_approval(owner, offer, offer.version)
        elif fate == "cancelled":
            offer_flow.cancel(owner, offer, offer.version, "Дубль: создано по ошибке.")
        elif fate != "draft":
            offer_flow.mark_sent(owner, offer, offer.version)
            _fate(owner, offer, fate)


def _draft(
    owner: User, party: Party, lines: list, intro: str, products: dict[str, Product]
) -> Offer:
    offer = offers.create_offer(owner, party.id)
    english = owner.locale == "en" or intro.isascii()
    offer.language = "en" if english else "ru"  # the demo clients write Russian, or English
    offer.intro, _, offer.terms = intro.partition("\n")
    if not offer.terms:
        offer.terms = "Оплата: 50 % предоплата, 50 % по факту поставки. Срок поставки — 3 недели."
    for sku, quantity, discount in lines:
        line = offer_lines.add_product_line(
            owner, offer, products[sku].id, Decimal(quantity), offer.version
        )
        if discount != "0":
            offer_lines.change_line(
                owner, offer, line.id, offer.version, discount_percent=Decimal(discount)
            )
    return offer


def _fate(owner: User, offer: Offer, fate: str) -> None:
    if fate == "accepted":
        offer_flow.accept(owner, offer, offer.version)
    elif fate == "rejected":
        # Too expensive: the manager is preparing a second version.
        offer_flow.reject(owner, offer, offer.version, "Дорого: нашли дешевле у конкурента.")
        offer_flow.revise(owner, offer)
    elif fate == "expired":
        # Sent six weeks ago, valid for two: nobody answered.
        offer.offer_date = local_today() - timedelta(days=42)
        offer.valid_until = offer.offer_date + timedelta(days=14)
        db.session.flush()
