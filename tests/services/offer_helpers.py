"""Catalogue items and offers for tests, made through the services."""

from decimal import Decimal as D

from crm.extensions import db
from crm.models import Product, RuleKind, VolumeTier
from crm.services.catalogue import search_text_of


def make_product(name: str = "Ліцензія CRM", price: str = "100.00", **fields) -> Product:
    sku = fields.pop("sku", None)
    product = Product(
        name=name,
        sku=sku,
        search_text=search_text_of(name, sku),
        unit=fields.pop("unit", "шт."),
        list_price=D(price),
        vat_rate=D(fields.pop("vat_rate", "20")),
        **fields,
    )
    db.session.add(product)
    db.session.commit()
    return product


def add_tier(product: Product, min_quantity: str, kind: RuleKind, value: str) -> None:
    db.session.add(
        VolumeTier(product_id=product.id, min_quantity=D(min_quantity), kind=kind, value=D(value))
    )
    db.session.commit()
