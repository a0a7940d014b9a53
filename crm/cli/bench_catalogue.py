"""Bench data: the catalogue offers are built from.

~420 products in categories (a few no longer sold; VAT 20, 7 or 0 %; one-off, monthly and
yearly revenue), volume tiers for ~100 of them, ~30 segment prices on the bench tags, and for
picking products into offers a popularity table (retired products only in old offers).
"""

import random
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Product, RuleKind
from crm.services.catalogue import search_text_of
from crm.services.pricing import Rule, Tier, money

# category, SKU code, unit, list price range, VAT, revenue, kinds, how many
CATEGORIES = [
    ("Мягкая мебель", "MM", "шт", (9_000, 95_000), 20, "one_off", "Диван|Кресло|Пуф|Софа", 50),
    ("Кухни", "KH", "пог. м", (18_000, 48_000), 20, "one_off", "Кухня|Кухонный остров", 25),
    (
        "Офисная мебель", "OF", "шт", (2_500, 38_000), 20, "one_off",
        "Стол офисный|Кресло офисное|Шкаф для документов|Тумба мобильная|Стеллаж|Ресепшн", 70,
    ),
    (
        "Мебель для учреждений", "UC", "шт", (1_800, 16_000), 20, "one_off",
        "Парта школьная|Стул ученический|Доска магнитная|Шкаф для раздевалки", 45,
    ),
    (
        "Мебель для гостиниц", "HT", "шт", (4_000, 42_000), 20, "one_off",
        "Кровать гостиничная|Тумба прикроватная|Шкаф-купе|Стол письменный", 45,
    ),
    ("Спальни", "SP", "шт", (6_000, 70_000), 20, "one_off", "Кровать|Комод|Шкаф|Матрас", 40),
    ("Детская мебель", "DT", "шт", (3_000, 30_000), 20, "one_off", "Кровать детская|Стол", 30),
    (
        "Медицинская мебель", "MD", "шт", (5_000, 45_000), 7, "one_off",
        "Кушетка медицинская|Шкаф медицинский|Стол процедурный|Ширма", 20,
    ),
    ("Текстиль", "TX", "м", (350, 2_400), 20, "one_off", "Ткань мебельная|Шторы", 25),
    ("Фурнитура", "FR", "шт", (80, 2_500), 20, "one_off", "Ручка|Петля|Направляющие", 25),
    ("Услуги", "SRV", "ч", (600, 3_500), 20, "one_off", "Сборка и монтаж|Замер|Дизайн", 15),
    ("Обучение", "EDU", "ч", (1_500, 6_000), 0, "one_off", "Обучение персонала|Семинар", 5),
    ("Сервис", "CARE", "год", (18_000, 96_000), 20, "yearly", "Сервисное обслуживание", 12),
    ("Аренда", "RNT", "мес.", (8_000, 60_000), 20, "monthly", "Аренда мебели", 13),
]  # fmt: skip
MODELS = (
    "Комфорт|Лофт|Модерн|Классика|Сканди|Эргон|Премьер|Верона|Милан|Атлант|Ретро|Норд|Бриз|"
    "Гранд|Сити|Мастер|Оникс|Уют|Терра|Альфа|Бета|Вега|Орион|Лагуна|Палермо|Тоскана|Марсель"
)
VARIANTS = "дуб сонома|белый|венге|графит|орех|бук|серый|160×200|140×70|120×60|большой|малый"
DESCRIPTIONS = [
    "Каркас из массива бука, ткань — велюр, независимый пружинный блок.",
    "ЛДСП 22 мм, кромка ПВХ 2 мм, фурнитура Blum.",
    "Металлокаркас с порошковой окраской, столешница HPL.",
    "Гарантия 24 месяца, доставка и сборка оплачиваются отдельно.",
    "",
]
# tag: catalogue-wide percentage; then (tag, category code, kind, value, products)
CATALOGUE_WIDE = {"опт": 7, "wholesale": 7, "дилер": 10, "партнёр": 5, "key account": 8}
PER_PRODUCT = [
    ("VIP", "MM", "percent", 12, 8),
    ("тендер", "UC", "percent", 9, 8),
    ("дилер", "OF", "percent", 15, 5),
    ("key account", "HT", "percent", 12, 4),
]


@dataclass
class BenchCatalogue:
    """The rows to insert, and what pricing the lines needs: tiers, rules, popularity."""

    products: list[dict] = field(default_factory=list)
    tiers: dict[int, list[Tier]] = field(default_factory=lambda: defaultdict(list))
    rules: dict[tuple[int, int | None], Rule] = field(default_factory=dict)  # (tag, product)
    rows: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    picks: dict[bool, tuple[list, list[float]]] = field(default_factory=dict)

    def rules_for(self, tags: set[int], product_id: int | None) -> list[Rule]:
        """The segment rules of these tags for one product (None: the catalogue-wide ones)."""
        rules = self.rules.items()
        return [rule for (tag, pid), rule in rules if pid == product_id and tag in tags]


def build_catalogue(rng: random.Random, now: datetime, tags: dict[str, int]) -> BenchCatalogue:
    """Products, volume tiers and segment prices on the bench tags (name → id)."""
    catalogue = BenchCatalogue()
    pid, names = max_id(Product), set()
    since = now - timedelta(days=4 * 365)
    for category, code, unit, (low, high), vat, revenue, kinds, count in CATEGORIES:
        for n in range(1, count + 1):
            name = ""
            while not name or name in names:
                name = f"{rng.choice(kinds.split('|'))} «{rng.choice(MODELS.split('|'))}» "
                name += rng.choice(VARIANTS.split("|"))
            names.add(name)
            pid += 1
            active = rng.random() > 0.03
            created = since + timedelta(days=rng.randrange(700))
            catalogue.products.append(
                {
                    "id": pid,
                    "name": name,
                    "sku": f"{code}-{n:03d}",
                    "search_text": search_text_of(name, f"{code}-{n:03d}"),
                    "unit": unit,
                    "description": rng.choice(DESCRIPTIONS),
                    "category": category,
                    "list_price": Decimal(rng.randrange(low, high) // 10 * 10),
                    "vat_rate": Decimal(vat),
                    "revenue_type": revenue,
                    "active": active,
                    "created_at": created,
                    "updated_at": created + timedelta(days=rng.randrange(1, 700)),
                    "version": 1 if active else 2,
                }
            )
    catalogue.rows["products"] = catalogue.products
    for product in rng.sample([p for p in catalogue.products if p["unit"] == "шт"], 100):
        steps = rng.choice([[(10, 5), (50, 10)], [(5, 3), (20, 7), (100, 12)], [(30, 0)]])
        for quantity, percent in steps:
            kind, value = RuleKind.PERCENT, Decimal(percent)
            if not percent:  # a fixed price from 30 on
                kind, value = RuleKind.PRICE, money(product["list_price"] * Decimal("0.92"))
            row = {"product_id": product["id"], "min_quantity": Decimal(quantity)}
            catalogue.rows["tiers"].append({**row, "kind": kind.value, "value": value})
            catalogue.tiers[product["id"]].append(Tier(Decimal(quantity), Rule(kind, value)))
    for tag, percent in CATALOGUE_WIDE.items():
        _rule(catalogue, tags, tag, None, RuleKind.PERCENT, Decimal(percent))
    for tag, code, kind, value, count in PER_PRODUCT:
        chosen = [p for p in catalogue.products if p["sku"].startswith(code + "-")]
        for product in rng.sample(chosen, count):
            _rule(catalogue, tags, tag, product["id"], RuleKind(kind), Decimal(value))
    for product in rng.sample([p for p in catalogue.products if p["sku"].startswith("OF-")], 3):
        price = money(product["list_price"] * Decimal("0.85"))  # VIP: a fixed price
        _rule(catalogue, tags, "VIP", product["id"], RuleKind.PRICE, price)
    # Popular products first; retired ones only in offers more than a year old.
    ranked = rng.sample(catalogue.products, len(catalogue.products))
    weights = {p["id"]: 1 / (rank + 1) ** 0.8 for rank, p in enumerate(ranked)}
    on_sale = [p for p in ranked if p["active"]]
    catalogue.picks = {
        True: cumulative(on_sale, [weights[p["id"]] for p in on_sale]),
        False: cumulative(ranked, list(weights.values())),
    }
    return catalogue


def _rule(
    catalogue: BenchCatalogue,
    tags: dict,
    tag: str,
    product_id: int | None,
    kind: RuleKind,
    value: Decimal,
) -> None:
    if tag in tags and (tags[tag], product_id) not in catalogue.rules:
        row = {"tag_id": tags[tag], "product_id": product_id}
        catalogue.rows["segments"].append({**row, "kind": kind.value, "value": value})
        catalogue.rules[(tags[tag], product_id)] = Rule(kind, value, tag)


def max_id(model: type) -> int:
    return db.session.scalar(select(func.max(model.id))) or 0


def cumulative(values: list, weights: list[float]) -> tuple[list, list[float]]:
    """A table for `pick`: the values and their cumulative weights."""
    return values, list(accumulate(weights))


def pick(rng: random.Random, table: tuple[list, list[float]]):  # noqa: ANN201
    """One value of a `cumulative` table, drawn by its weight."""
    values, sums = table
    return values[bisect(sums, rng.random() * sums[-1])]
