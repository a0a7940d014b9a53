"""`flask crm bench-data`: a large, realistic client base for benchmarks.

Users go through the users service (Argon2 hashes, as in production). Parties, their
roles, tags, contacts, audit entries and stage moves (places on the ladder come from
crm/cli/bench_ladder.py) are written with bulk Core inserts (executemany), a chunk per
transaction, so that 100,000 parties load in well under a minute on SQLite.
The folded search columns are computed exactly as `parties.refresh_search_text` does, and
a sample of the written parties is checked against that function at the end.
"""

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from sqlalchemy import func, insert, select, text

from crm.cli.bench_ladder import LadderPlacer
from crm.cli.bench_work import WORK_TABLES, WorkBuilder
from crm.extensions import db
from crm.models import (
    AuditEntry,
    Contact,
    Party,
    PartyRole,
    Role,
    StageMove,
    Tag,
    User,
    party_tags,
)
from crm.models.base import utcnow
from crm.services import audit, users
from crm.services.clock import local_today
from crm.services.parties import PROFILE_FIELDS, refresh_search_text
from crm.services.text import digits, fold, split_lines

BENCH_PASSWORD = "bench-password"  # noqa: S105 - bench/run.py logs in with it
CHUNK = 5_000  # parties per transaction
HISTORY_YEARS = 6

MANAGERS = [
    ("manager01@bench.example", "Олена Коваль"),
    ("manager02@bench.example", "Дмитрий Орлов"),
    ("manager03@bench.example", "James Whitfield"),
    ("manager04@bench.example", "Ирина Соколова"),
    ("manager05@bench.example", "Тарас Шевченко"),
    ("manager06@bench.example", "Алексей Ёлкин"),
    ("manager07@bench.example", "Ґанна Їжакевич"),
    ("manager08@bench.example", "Maria Nowak"),
    ("manager09@bench.example", "Сергей Кузнецов"),
    ("manager10@bench.example", "Наталія Бондаренко"),
]
# Share of the client base each manager owns: a few own most of it.
OWNER_WEIGHTS = [24, 18, 14, 11, 9, 7, 6, 5, 4, 2]

TAGS = [
    "опт",
    "розница",
    "VIP",
    "постоянный",
    "новый",
    "спящий",
    "тендер",
    "дилер",
    "партнёр",
    "постачальник",
    "гуртовий",
    "роздріб",
    "Москва",
    "Санкт-Петербург",
    "Ярославль",
    "Казань",
    "Новосибирск",
    "Київ",
    "Львів",
    "Одеса",
    "Харків",
    "export",
    "wholesale",
    "retail",
    "key account",
    "предоплата",
    "отсрочка",
    "выставка 2025",
    "холодный",
    "рекомендация",
]
# (roles, weight): most are clients, ~2% competitors, some hold two roles.
ROLE_MIX = [
    (("client",), 760),
    (("supplier",), 80),
    (("partner",), 60),
    (("competitor",), 20),
    (("client", "partner"), 40),
    (("partner", "supplier"), 25),
    (("client", "supplier"), 15),
]
TAG_COUNT_WEIGHTS = [35, 35, 20, 10]  # 0, 1, 2 or 3 tags

ORG_STEMS_RU = [
    "Мебель",
    "Лес",
    "Строй",
    "Техно",
    "Агро",
    "Транс",
    "Дом",
    "Интерьер",
    "Комфорт",
    "Уют",
    "Стиль",
    "Металл",
    "Пром",
    "Электро",
    "Инвест",
    "Гранд",
    "Альфа",
    "Вектор",
    "Сити",
    "Волга",
    "Урал",
    "Сибирь",
    "Нева",
    "Север",
    "Восток",
    "Юг",
    "Кедр",
    "Дуб",
    "Берёза",
    "Сосна",
]
ORG_ENDINGS_RU = [
    "Торг",
    "Снаб",
    "Сервис",
    "Маркет",
    "Групп",
    "Плюс",
    "Мир",
    "Лайн",
    "Проект",
    "Комплект",
    "Опт",
    "Трейд",
    "Холдинг",
    "Центр",
    "Мастер",
    "Стандарт",
]
ORG_STEMS_UK = [
    "Меблі",
    "Ліс",
    "Буд",
    "Дім",
    "Світ",
    "Дніпро",
    "Карпати",
    "Поділля",
    "Слобожан",
    "Хмель",
    "Ясен",
    "Явір",
    "Затишок",
    "Їжак",
    "Ґрунт",
]
ORG_ENDINGS_UK = ["Торг", "Постач", "Сервіс", "Збут", "Груп", "Плюс", "Майстер", "Інвест"]
ORG_WORDS_EN = [
    "Northwind",
    "Bright",
    "Oak",
    "Maple",
    "Silver",
    "Blue",
    "Green",
    "Crown",
    "Harbor",
    "Summit",
    "Atlas",
    "Nordic",
    "Baltic",
    "Union",
    "Prime",
]
ORG_NOUNS_EN = ["Furniture", "Interiors", "Supply", "Trading", "Office", "Home", "Design", "Wood"]
FORMS_RU = [("ООО", "Общество с ограниченной ответственностью"), ("АО", "Акционерное общество")]
FORMS_RU += [("ЗАО", "Закрытое акционерное общество")]
FORMS_UK = [("ТОВ", "Товариство з обмеженою відповідальністю"), ("ПП", "Приватне підприємство")]
FORMS_EN = ["Ltd", "LLC", "GmbH", "Sp. z o.o.", "s.r.o.", "Inc."]

FIRST_RU_M = ["Иван", "Дмитрий", "Алексей", "Сергей", "Андрей", "Михаил", "Павел", "Фёдор"]
FIRST_RU_M += ["Николай", "Артём", "Егор", "Владимир"]
FIRST_RU_F = ["Анна", "Мария", "Ольга", "Светлана", "Наталья", "Елена", "Татьяна", "Юлия"]
FIRST_RU_F += ["Ирина", "Алёна", "Ксения", "Дарья"]
LAST_RU = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов"]
LAST_RU += ["Новиков", "Морозов", "Волков", "Соловьёв", "Ёлкин", "Орлов", "Белов", "Федоров"]
FIRST_UK_M = ["Олександр", "Петро", "Тарас", "Богдан", "Юрій", "Остап", "Євген", "Ігор"]
FIRST_UK_F = ["Олена", "Ганна", "Ґанна", "Оксана", "Марʼяна", "Наталія", "Ірина", "Юлія"]
LAST_UK = ["Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравець", "Іваненко", "Мельник"]
LAST_UK += ["Шевчук", "Поліщук", "Їжакевич", "Гнатюк", "Лисенко", "Дем'яненко", "Ярошенко"]
FIRST_EN = ["John", "Emma", "James", "Olivia", "Michael", "Sophie", "Thomas", "Anna", "Peter"]
LAST_EN = ["Smith", "Clarke", "Brown", "Taylor", "Wilson", "Nowak", "Müller", "Novak", "Evans"]

POSITIONS = [
    "Директор",
    "Генеральный директор",
    "Закупщик",
    "Менеджер по закупкам",
    "Главный бухгалтер",
    "Бухгалтер",
    "Завхоз",
    "Коммерческий директор",
    "Директор з продажу",
    "Менеджер",
    "Головний інженер",
    "Purchasing manager",
    "Owner",
    "Office manager",
    "",
]
INDUSTRIES = [
    "Розничная торговля",
    "Оптовая торговля",
    "Производство мебели",
    "Гостиничный бизнес",
    "Общепит",
    "Строительство",
    "Дизайн интерьеров",
    "Образование",
    "Медицина",
    "Логистика",
    "Виробництво меблів",
    "Роздрібна торгівля",
    "Office equipment",
    "Retail",
    "Hospitality",
    "",
]
CITIES_RU = ["Москва", "Санкт-Петербург", "Ярославль", "Казань", "Новосибирск", "Екатеринбург"]
CITIES_UK = ["Київ", "Львів", "Одеса", "Харків", "Дніпро", "Вінниця"]
CITIES_EN = ["London", "Berlin", "Warsaw", "Prague", "Riga"]
STREETS_RU = ["ул. Ленина", "ул. Свободы", "Московский пр.", "ул. Мира", "наб. Волги"]
STREETS_UK = ["вул. Хрещатик", "вул. Шевченка", "просп. Свободи", "вул. Франка"]
STREETS_EN = ["High Street", "Station Road", "Main Street", "Park Lane"]
PRODUCT_RANGES = [
    "Мягкая мебель, кухни",
    "Корпусная мебель",
    "Офисная мебель",
    "Диваны, кресла",
    "Шкафы-купе",
    "Пиломатериалы",
    "Фурнитура",
    "Корпусні меблі, шафи-купе",
    "Office chairs and desks",
    "",
]
END_CUSTOMERS = ["Семьи, новосёлы", "Офисы", "Гостиницы", "Школи", "Кафе и рестораны", "Retail"]
END_CUSTOMERS += ["", ""]
PRICE_RANGES = ["эконом", "средний", "выше среднего", "премиум", "економ", "mid", ""]
NOTES = [
    "Обновляют номерной фонд раз в 5 лет.",
    "Тендер весной.",
    "Платят с отсрочкой 30 дней.",
    "Приводят клиентов, 5% комиссии.",
    "Звонить после обеда.",
    "Демпингуют на кухнях; сильная реклама.",
    "Потрібен рахунок з ПДВ.",
    "Prefers e-mail; orders every August.",
]
EMAIL_BOXES = ["info", "sales", "zakaz", "office", "buh", "hello", "orders"]

_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e",
        "є": "ye", "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
        "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ü": "u",
        "ʼ": "", "'": "", " ": ".", "-": "",
    }
)  # fmt: skip


def _slug(text_value: str) -> str:
    return text_value.casefold().translate(_TRANSLIT)


@dataclass
class Person:
    name: str
    slug: str
    country: str  # ru, uk, en


@dataclass
class Built:
    """The rows of one chunk, per table."""

    parties: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    audit: list[dict] = field(default_factory=list)
    moves: list[dict] = field(default_factory=list)


class Generator:
    """Deterministic (per seed) fake parties and contacts."""

    def __init__(self, seed: int, owner_ids: list[int], tag_ids: list[int]) -> None:
        self.rng = random.Random(seed)
        self.owner_ids = owner_ids
        self.tag_ids = tag_ids
        # Tag popularity falls off: the first tags of the pool are the common ones.
        self.tag_weights = [1 / (i + 1) ** 0.8 for i in range(len(tag_ids))]
        self.role_sets = [r for r, _ in ROLE_MIX]
        self.role_weights = [w for _, w in ROLE_MIX]

    # --- small pieces -------------------------------------------------------------------

    def country(self) -> str:
        return self.rng.choices(["ru", "uk", "en"], [55, 35, 10])[0]

    def person(self, country: str | None = None) -> Person:
        rng = self.rng
        country = country or self.country()
        if country == "en":
            first, last = rng.choice(FIRST_EN), rng.choice(LAST_EN)
        elif country == "uk":
            female = rng.random() < 0.5
            first = rng.choice(FIRST_UK_F if female else FIRST_UK_M)
            last = rng.choice(LAST_UK)
        else:
            female = rng.random() < 0.5
            first = rng.choice(FIRST_RU_F if female else FIRST_RU_M)
            last = rng.choice(LAST_RU)
            if female:
                last = last[:-1] + "ва" if last.endswith("ов") or last.endswith("ёв") else last
                last = last + "а" if last.endswith(("ев", "ин")) else last
        name = f"{first} {last}"
        if rng.random() < 0.04:  # the odd capitalised or spaced-out entry
            name = name.upper() if rng.random() < 0.5 else f"{first}  {last}"
        return Person(name, _slug(f"{first}.{last}"), country)

    def phone(self, country: str, mobile: bool) -> str:
        rng = self.rng
        n = [rng.randrange(10) for _ in range(7)]
        tail = f"{n[0]}{n[1]}{n[2]}-{n[3]}{n[4]}-{n[5]}{n[6]}"
        if country == "uk":
            code = (
                rng.choice(["50", "67", "63", "93", "97"]) if mobile else rng.choice(["44", "32"])
            )
            return rng.choice(
                [
                    f"+380 {code} {n[0]}{n[1]}{n[2]} {n[3]}{n[4]} {n[5]}{n[6]}",
                    f"+380 ({code}) {tail}",
                    f"0{code}{''.join(map(str, n))}",
                ]
            )
        if country == "en":
            area = rng.choice(["20", "7700", "161"])
            return f"+44 {area} {n[0]}{n[1]}{n[2]}{n[3]} {n[4]}{n[5]}{n[6]}"
        code = rng.choice(["910", "915", "903", "962", "980"]) if mobile else "4852"
        return rng.choice(
            [f"+7 {code} {tail}", f"+7 ({code}) {tail}", f"8{code}{''.join(map(str, n))}"]
        )

    def created_at(self, index: int, total: int, start: datetime, span: float) -> datetime:
        # Ids grow with time, as they do in a real base; a little jitter inside the slot.
        slot = span / max(total, 1)
        return start + timedelta(seconds=slot * index + self.rng.random() * slot)

    # --- a party ------------------------------------------------------------------------

    def organisation(self) -> dict:
        rng = self.rng
        country = self.country()
        if country == "uk":
            brand = rng.choice(ORG_STEMS_UK) + rng.choice(ORG_ENDINGS_UK).lower()
            short, long = rng.choice(FORMS_UK)
            name = f"{short} «{brand}»"
            tax_id = f"ЄДРПОУ {rng.randrange(10_000_000, 99_999_999)}"
            city, street = rng.choice(CITIES_UK), rng.choice(STREETS_UK)
        elif country == "en":
            brand = f"{rng.choice(ORG_WORDS_EN)} {rng.choice(ORG_NOUNS_EN)}"
            long = ""
            name = f"{brand} {rng.choice(FORMS_EN)}" if rng.random() < 0.6 else brand
            tax_id = f"GB{rng.randrange(100_000_000, 999_999_999)}"
            city, street = rng.choice(CITIES_EN), rng.choice(STREETS_EN)
        else:
            brand = rng.choice(ORG_STEMS_RU) + rng.choice(ORG_ENDINGS_RU)
            if rng.random() < 0.15:
                brand += rng.choice(["-М", " Плюс", "-Юг", " 2000", "-Центр"])
            short, long = rng.choice(FORMS_RU)
            name = f"{short} «{brand}»" if rng.random() < 0.8 else brand
            tax_id = str(rng.randrange(1_000_000_000, 9_999_999_999))
            city, street = rng.choice(CITIES_RU), rng.choice(STREETS_RU)
        domain = f"{_slug(brand).replace('.', '')}{rng.randrange(1, 999)}.example"
        phones = [self.phone(country, mobile=False) for _ in range(rng.choice([1, 1, 1, 2]))]
        emails = [f"{box}@{domain}" for box in rng.sample(EMAIL_BOXES, rng.choice([0, 1, 1, 2]))]
        return {
            "kind": "organisation",
            "country": country,
            "domain": domain,
            "name": name,
            "legal_name": f"{long} «{brand}»" if long and rng.random() < 0.5 else "",
            "tax_id": tax_id if rng.random() < 0.6 else "",
            "industry": rng.choice(INDUSTRIES),
            "website": domain if rng.random() < 0.4 else "",
            "address": f"{city}, {street}, {rng.randrange(1, 200)}" if rng.random() < 0.7 else "",
            "phones": "\n".join(phones),
            "emails": "\n".join(emails),
            "employees": rng.choice([None, 5, 12, 35, 60, 120, 250, 1200]),
            "product_range": rng.choice(PRODUCT_RANGES),
            "end_customers": rng.choice(END_CUSTOMERS),
            "price_range": rng.choice(PRICE_RANGES),
            "notes": rng.choice(NOTES) if rng.random() < 0.3 else "",
        }

    def individual(self) -> dict:
        rng = self.rng
        person = self.person()
        mail = f"{person.slug}{rng.randrange(1, 99)}@mail.example"
        city = rng.choice({"ru": CITIES_RU, "uk": CITIES_UK, "en": CITIES_EN}[person.country])
        return {
            "kind": "person",
            "country": person.country,
            "domain": "mail.example",
            "name": person.name,
            "legal_name": "",
            "tax_id": "",
            "industry": "",
            "website": "",
            "address": city if rng.random() < 0.4 else "",
            "phones": self.phone(person.country, mobile=True),
            "emails": mail if rng.random() < 0.6 else "",
            "employees": None,
            "product_range": "",
            "end_customers": "",
            "price_range": "",
            "notes": rng.choice(NOTES) if rng.random() < 0.2 else "",
        }

    def contact(self, party: dict) -> dict:
        rng = self.rng
        person = self.person(party["country"] if rng.random() < 0.85 else None)
        return {
            "name": person.name,
            "position": rng.choice(POSITIONS) if party["kind"] == "organisation" else "",
            "phones": "\n".join(
                self.phone(party["country"], mobile=True) for _ in range(rng.choice([0, 1, 1, 2]))
            ),
            "emails": f"{person.slug}@{party['domain']}" if rng.random() < 0.7 else "",
            "notes": "",
        }

    def contact_counts(self, kinds: list[str], total: int) -> list[int]:
        """Contacts per party: organisations have a few, people rarely any; sums to total."""
        rng = self.rng
        counts = [
            rng.choices([0, 1, 2, 3, 4, 6], [8, 20, 28, 24, 12, 8])[0]
            if kind == "organisation"
            else rng.choices([0, 1], [85, 15])[0]
            for kind in kinds
        ]
        orgs = [i for i, kind in enumerate(kinds) if kind == "organisation"] or list(
            range(len(kinds))
        )
        diff = total - sum(counts)
        while diff > 0:
            counts[rng.choice(orgs)] += 1
            diff -= 1
        while diff < 0:
            i = rng.randrange(len(counts))
            if counts[i]:
                counts[i] -= 1
                diff += 1
        return counts


def search_columns(party: dict, contacts: list[dict]) -> tuple[str, str]:
    """(search_text, name_key) exactly as parties.refresh_search_text computes them."""
    words = [party["name"], party["legal_name"], party["tax_id"], party["emails"]]
    phones = split_lines(party["phones"] or "")
    for contact in contacts:  # in id order, as the service reads them
        words += [contact["name"], contact["emails"]]
        phones += split_lines(contact["phones"] or "")
    search_text = " | ".join(
        [fold(w) for w in words if w] + [digits(p) for p in phones if digits(p)]
    )
    return search_text, fold(party["name"] or "")[:200]


def _managers() -> list[User]:
    """The bench managers, created once (Argon2 hashing, like any user)."""
    found = []
    for email, name in MANAGERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = users.create_user(email, name, BENCH_PASSWORD, Role.MANAGER)
        found.append(user)
    db.session.commit()
    return found


def _tag_ids() -> list[int]:
    """The ids of the tag pool, in pool order (creating the missing tags)."""
    existing = dict(db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(TAGS))).all())
    missing = [{"name": name} for name in TAGS if name not in existing]
    if missing:
        db.session.execute(insert(Tag), missing)
        db.session.commit()
        existing = dict(
            db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(TAGS))).all()
        )
    return [existing[name] for name in TAGS]


def _build_chunk(
    gen: Generator,
    first: int,
    count: int,
    total: int,
    ids: dict[str, int],
    tag_names: dict[int, str],
    owners: list[int],
    timeline: tuple[datetime, float],
    placer: LadderPlacer,
) -> Built:
    rng = gen.rng
    built = Built()
    start, span = timeline
    profiles = [
        gen.organisation() if rng.random() < 0.75 else gen.individual() for _ in range(count)
    ]
    contact_counts = gen.contact_counts([p["kind"] for p in profiles], 2 * count)
    for offset, (profile, n_contacts) in enumerate(zip(profiles, contact_counts, strict=True)):
        party_id = ids["party"] = ids["party"] + 1
        created = gen.created_at(first + offset, total, start, span)
        owner_id = rng.choices(owners, OWNER_WEIGHTS[: len(owners)])[0]
        roles = rng.choices(gen.role_sets, gen.role_weights)[0]
        n_tags = rng.choices(range(len(TAG_COUNT_WEIGHTS)), TAG_COUNT_WEIGHTS)[0]
        tag_ids: set[int] = set()
        while len(tag_ids) < n_tags:
            tag_ids.add(rng.choices(gen.tag_ids, gen.tag_weights)[0])
        contacts = [gen.contact(profile) for _ in range(n_contacts)]
        search_text, name_key = search_columns(profile, contacts)
        row = {k: profile[k] for k in PROFILE_FIELDS if k in profile}
        row.update(
            id=party_id,
            owner_id=owner_id,
            created_at=created,
            updated_at=created,
            deleted_at=None,
            deleted_by_id=None,
            version=1,
            name_key=name_key,
            search_text=search_text,
        )
        ladder_fields, moves = placer.place(party_id, roles, created, owner_id)
        row["stage_id"], row["stage_since"], row["last_contact_at"] = ladder_fields
        built.moves += moves
        built.parties.append(row)
        built.roles += [{"party_id": party_id, "role": r} for r in roles]
        built.tags += [{"party_id": party_id, "tag_id": t} for t in sorted(tag_ids)]
        # The history the services would have written: the party, then each contact.
        state = {k: row[k] for k in PROFILE_FIELDS}
        state["roles"] = sorted(roles)
        state["tags"] = sorted(tag_names[t] for t in tag_ids)
        ids["audit"] += 1
        built.audit.append(
            {
                "id": ids["audit"],
                "at": created,
                "user_id": owner_id,
                "party_id": party_id,
                "entity": "party",
                "entity_id": party_id,
                "action": "create",
                "changes": audit.diff({}, state),
                "version": 1,
            }
        )
        for n, contact in enumerate(contacts):
            ids["contact"] += 1
            at = created + timedelta(minutes=n + 1)
            built.contacts.append(
                {**contact, "id": ids["contact"], "party_id": party_id, "created_at": at}
            )
            ids["audit"] += 1
            built.audit.append(
                {
                    "id": ids["audit"],
                    "at": at,
                    "user_id": owner_id,
                    "party_id": party_id,
                    "entity": "contact",
                    "entity_id": ids["contact"],
                    "action": "create",
                    "changes": audit.diff({}, contact),
                    "version": None,
                }
            )
        if rng.random() < 0.005:  # a few parties in the trash
            deleted = created + timedelta(days=rng.randrange(1, 300))
            row.update(deleted_at=deleted, deleted_by_id=owner_id, version=2)
            ids["audit"] += 1
            built.audit.append(
                {
                    "id": ids["audit"],
                    "at": deleted,
                    "user_id": owner_id,
                    "party_id": party_id,
                    "entity": "party",
                    "entity_id": party_id,
                    "action": "delete",
                    "changes": {},
                    "version": 2,
                }
            )
    return built


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for first in range(0, total, CHUNK):
        yield first, min(CHUNK, total - first)


def _max_id(model: type) -> int:
    return db.session.scalar(select(func.max(model.id))) or 0


def _check_sample(seed: int, sample: int = 25) -> None:
    """Recompute search columns of a few parties with the service; they must not change."""
    rng = random.Random(seed)
    top = _max_id(Party)
    for party_id in {rng.randint(1, top) for _ in range(sample)}:
        party = db.session.get(Party, party_id)
        if party is None:
            continue
        written = (party.search_text, party.name_key)
        refresh_search_text(party)
        if (party.search_text, party.name_key) != written:
            db.session.rollback()
            raise click.ClickException(
                f"Party {party_id}: bench search columns differ from refresh_search_text()."
            )
    db.session.rollback()


def fill(clients: int, seed: int) -> None:
    """Create ~10 managers, `clients` parties with roles and tags, 2 contacts per party."""
    existing = db.session.scalar(select(func.count()).select_from(Party)) or 0
    if existing:
        raise click.ClickException(
            f"The database has {existing:,} parties already; bench data goes into an empty "
            "client base only. Nothing was added. Point DATABASE_URL at a new database."
        )
    if clients < 1:
        raise click.ClickException("--clients must be at least 1.")
    began = time.perf_counter()
    click.echo(f"Bench data: {clients:,} parties, {2 * clients:,} contacts, seed {seed}.")
    owners = [u.id for u in _managers()]
    tag_ids = _tag_ids()
    tag_names = dict(zip(tag_ids, TAGS, strict=True))
    click.echo(
        f"  {len(owners)} managers (password {BENCH_PASSWORD!r}), {len(tag_ids)} tags "
        f"[{time.perf_counter() - began:.1f}s]"
    )

    gen = Generator(seed, owners, tag_ids)
    placer = LadderPlacer(seed, utcnow())
    work = WorkBuilder(seed, owners, placer.now, local_today())  # interactions and tasks
    ids = {
        "party": _max_id(Party),
        "contact": _max_id(Contact),
        "audit": _max_id(AuditEntry),
    }
    db.session.commit()
    span = HISTORY_YEARS * 365 * 86400.0
    timeline = (utcnow() - timedelta(seconds=span), span - 3600.0)
    totals = dict.fromkeys(("parties", "roles", "tags", "contacts", "audit", "moves"), 0)
    totals.update(dict.fromkeys(WORK_TABLES, 0))
    tables = (
        ("parties", Party.__table__),
        ("roles", PartyRole.__table__),
        ("tags", party_tags),
        ("contacts", Contact.__table__),
        ("audit", AuditEntry.__table__),
        ("moves", StageMove.__table__),
    )
    for first, count in _chunks(clients):
        built = _build_chunk(gen, first, count, clients, ids, tag_names, owners, timeline, placer)
        # Interactions and tasks; built first: they set off-ladder parties' last contact.
        work_rows = work.build(built.parties, built.roles, built.contacts)
        with db.engine.begin() as conn:  # one transaction per chunk
            for name, table in (*tables, *((n, WORK_TABLES[n]) for n in work_rows)):
                rows = work_rows[name] if name in work_rows else getattr(built, name)
                if rows:
                    conn.execute(insert(table), rows)
                    totals[name] += len(rows)
        done = first + count
        click.echo(
            f"  {done:>9,} / {clients:,} parties  {totals['contacts']:>9,} contacts  "
            f"{totals['interactions']:>9,} interactions  [{time.perf_counter() - began:.1f}s]"
        )

    if db.engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        with db.engine.begin() as conn:
            for table in ("parties", "contacts", "audit_entries"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    _check_sample(seed)
    click.echo(
        f"Done: {totals['parties']:,} parties, {totals['roles']:,} roles, "
        f"{totals['tags']:,} tag links, {totals['contacts']:,} contacts, "
        f"{totals['audit']:,} audit entries, {totals['moves']:,} stage moves, "
        f"{totals['interactions']:,} interactions, {totals['tasks']:,} tasks "
        f"in {time.perf_counter() - began:.1f}s."
    )
