"""The demo company's catalogue: furniture for homes, offices, schools and hotels, services
around it, volume tiers for bulk orders, and prices for wholesale, VIP and partner clients."""

from decimal import Decimal

from sqlalchemy import select

from crm.extensions import db
from crm.models import Product, RevenueType, Tag, User
from crm.services import catalogue, price_rules
from crm.services.catalogue import ProductData

ONE_OFF, MONTHLY, YEARLY = RevenueType.ONE_OFF, RevenueType.MONTHLY, RevenueType.YEARLY

# name, SKU, unit, category, list price (without VAT), revenue, description
PRODUCTS = [
    (
        "Диван «Комфорт» трёхместный",
        "DIV-KOM-3",
        "шт",
        "Мягкая мебель",
        "54900.00",
        ONE_OFF,
        "Велюр, независимый пружинный блок, механизм «еврокнижка».",
    ),
    ("Кресло «Лофт»", "KRS-LOFT", "шт", "Мягкая мебель", "18500.00", ONE_OFF, ""),
    (
        "Кухня «Модерн»",
        "KUH-MOD-PM",
        "пог. м",
        "Кухни",
        "32000.00",
        ONE_OFF,
        "Фасады МДФ в эмали, фурнитура Blum. Цена за погонный метр.",
    ),
    ("Стол офисный 140×70", "STL-OF-140", "шт", "Офисная мебель", "12400.00", ONE_OFF, ""),
    (
        "Кресло офисное «Эргон»",
        "KRS-ERG",
        "шт",
        "Офисная мебель",
        "9800.00",
        ONE_OFF,
        "Сетчатая спинка, регулируемые подлокотники.",
    ),
    (
        "Парта школьная регулируемая",
        "PRT-SCH",
        "шт",
        "Мебель для учреждений",
        "6700.00",
        ONE_OFF,
        "",
    ),
    (
        "Кровать гостиничная 160×200",
        "KRV-HTL-160",
        "шт",
        "Мебель для гостиниц",
        "27300.00",
        ONE_OFF,
        "",
    ),
    ("Доставка по городу", "SRV-DLV-YAR", "рейс", "Услуги", "2500.00", ONE_OFF, ""),
    ("Сборка и монтаж", "SRV-ASM", "ч", "Услуги", "1200.00", ONE_OFF, "Почасовая оплата."),
    ("Дизайн-проект интерьера", "SRV-DSG", "м²", "Услуги", "1500.00", ONE_OFF, ""),
    (
        "Сервисное обслуживание офисной мебели",
        "SRV-CARE-Y",
        "год",
        "Сервис",
        "48000.00",
        YEARLY,
        "Два выезда мастера в квартал, замена фурнитуры.",
    ),
    (
        "Аренда мебели для мероприятий",
        "RNT-EVT-M",
        "мес.",
        "Аренда",
        "35000.00",
        MONTHLY,
        "Комплект на 50 гостей: столы, стулья, лаунж-зона.",
    ),
    ("Кухня «Классика»", "KUH-KLS-PM", "пог. м", "Кухни", "28000.00", ONE_OFF, ""),
]
RETIRED = ["KUH-KLS-PM"]  # no longer offered: shows under "No longer offered"

# SKU, from quantity, kind, value
TIERS = [
    ("STL-OF-140", "10", "percent", "5"),
    ("STL-OF-140", "50", "percent", "10"),
    ("KRS-ERG", "10", "percent", "5"),
    ("KRS-ERG", "50", "percent", "10"),
    ("PRT-SCH", "30", "price", "6200.00"),
    ("KRV-HTL-160", "20", "percent", "7"),
]

# tag, SKU (None: the whole catalogue), kind, value
SEGMENT_PRICES = [
    ("опт", None, "percent", "7"),
    ("wholesale", None, "percent", "7"),
    ("партнёр", None, "percent", "5"),
    ("VIP", "KRS-ERG", "price", "8900.00"),
    ("VIP", "SRV-DSG", "percent", "20"),
]


def seed_catalogue(by_email: dict[str, User]) -> None:
    """The products, tiers and segment prices, entered by the demo admin (so audited)."""
    admin = by_email["admin@example.com"]
    by_sku: dict[str, Product] = {}
    for name, sku, unit, category, price, revenue, description in PRODUCTS:
        data = ProductData(
            name=name,
            sku=sku,
            unit=unit,
            category=category,
            description=description,
            list_price=Decimal(price),
            vat_rate=Decimal(20),
            revenue_type=revenue,
        )
        by_sku[sku] = catalogue.create_product(admin, data)
    for sku in RETIRED:
        catalogue.set_active(admin, by_sku[sku], False)
    for sku, quantity, kind, value in TIERS:
        price_rules.add_volume_tier(
            admin, by_sku[sku], min_quantity=Decimal(quantity), kind=kind, value=Decimal(value)
        )
    tags = {t.name: t for t in db.session.scalars(select(Tag))}
    for tag_name, sku, kind, value in SEGMENT_PRICES:
        if tag_name in tags:  # the demo parties bring their tags
            price_rules.add_segment_price(
                admin,
                tag_id=tags[tag_name].id,
                product_id=by_sku[sku].id if sku else None,
                kind=kind,
                value=Decimal(value),
            )
