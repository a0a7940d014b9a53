"""The demo company's sales of the last 18 months, and one sale that suggests a step up."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from crm.extensions import db
from crm.models import Party, Sale
from crm.services import sales, settings
from crm.services.clock import local_today

# party name -> [(days ago, amount in the base currency)], matching their story on the ladder
# (crm/cli/demo_ladder.py): recorded as they were, without offers and without suggestions.
HISTORY = {
    "ООО «Домашний уют»": [
        (330, "184500.00"),
        (210, "96200.00"),
        (120, "240000.00"),
        (40, "58750.50"),
    ],
    "Гостиница «Волга»": [(190, "1250000.00")],
    "Дизайн-студия «Интерьер+»": [
        (530, "42000.00"),
        (480, "67500.00"),
        (360, "88000.00"),
        (200, "125400.00"),
        (60, "73900.00"),
        (15, "31250.00"),
    ],
    "Northwind Office Supply": [(420, "215000.00"), (300, "134800.00"), (180, "99000.00")],
    "Иван Петров": [(520, "78600.00")],
}
# A prospect's first purchase, a few days ago: the card and the board suggest "first-time buyer".
SUGGESTING = ("Олександр Шевчук", 5, "46800.00")


def add_demo_sales() -> int:
    """Record the demo sales, each by its party's owner; returns how many. Flushes only.

    Call it after `walk_the_ladder`, so that the parties stand on their stages.
    """
    today, currency = local_today(), settings.base_currency()
    count = 0
    stories = [*HISTORY.items(), (SUGGESTING[0], [SUGGESTING[1:]])]
    for name, rows in stories:
        party = db.session.scalar(select(Party).where(Party.name == name))
        if party is None or party.deleted_at is not None:
            continue
        for days_ago, amount in rows:
            sale = Sale(
                party_id=party.id,
                offer_id=None,
                sale_date=today - timedelta(days=days_ago),
                currency=currency,
                amount=Decimal(amount),
                one_off_amount=Decimal(amount),
                created_by_id=party.owner_id,
            )
            db.session.add(sale)
            db.session.flush()
            count += 1
            if name == SUGGESTING[0]:
                sales.suggest_after_sale(sale)
    return count
