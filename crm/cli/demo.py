"""The demo company: a furniture salon selling retail and wholesale (seed 001's story)."""

from sqlalchemy import select

from crm.cli.demo_catalogue import seed_catalogue
from crm.cli.demo_company import describe_the_company
from crm.cli.demo_ladder import walk_the_ladder
from crm.cli.demo_offers import make_demo_offers
from crm.cli.demo_work import plan_the_work
from crm.extensions import db
from crm.models import Role, User
from crm.services import contacts, parties, users

DEMO_ADMIN = "admin@example.com"
DEMO_PASSWORD = "demo"  # noqa: S105 - the README and the login page say so

PEOPLE = [
    ("admin@example.com", "Анна Власова", Role.ADMIN),
    ("olena@example.com", "Олена Коваль", Role.MANAGER),
    ("dmitry@example.com", "Дмитрий Орлов", Role.MANAGER),
    ("james@example.com", "James Whitfield", Role.MANAGER),
    ("viewer@example.com", "Ирина Бухгалтер", Role.VIEWER),
]

# name, kind, roles, owner e-mail, profile, tags, contacts [(name, position, phone, e-mail)]
PARTIES = [
    (
        "ООО «Домашний уют»",
        "organisation",
        ["client"],
        "olena@example.com",
        {
            "legal_name": "ООО «Домашний уют»",
            "tax_id": "7604123456",
            "industry": "Розничная торговля",
            "phones": "+7 (4852) 30-12-45",
            "emails": "zakaz@domuyut.example",
            "address": "Ярославль, ул. Свободы, 52",
            "employees": 35,
            "product_range": "Мягкая мебель, кухни",
            "end_customers": "Семьи, новосёлы",
            "price_range": "средний",
        },
        ["опт", "Ярославль"],
        [("Петро Іваненко", "Закупщик", "+7 910 111-22-33", "petro@domuyut.example")],
    ),
    (
        "Гостиница «Волга»",
        "organisation",
        ["client"],
        "dmitry@example.com",
        {
            "industry": "Гостиничный бизнес",
            "phones": "+7 4852 72-00-01",
            "employees": 120,
            "address": "Ярославль, Которосльная наб., 3",
            "price_range": "выше среднего",
            "notes": "Обновляют номерной фонд раз в 5 лет. Тендер весной.",
        },
        ["опт", "VIP", "Ярославль"],
        [("Светлана Морозова", "Завхоз", "+7 915 444-55-66", "")],
    ),
    (
        "ТОВ «Меблі Поділля»",
        "organisation",
        ["supplier"],
        "olena@example.com",
        {
            "legal_name": "Товариство з обмеженою відповідальністю «Меблі Поділля»",
            "tax_id": "ЄДРПОУ 38123456",
            "industry": "Виробництво меблів",
            "website": "mebli-podillia.example",
            "phones": "+380 (432) 55-12-12",
            "emails": "sales@mebli-podillia.example",
            "product_range": "Корпусні меблі, шафи-купе",
            "price_range": "економ",
        },
        ["постачальник"],
        [
            (
                "Ґанна Їжакевич",
                "Менеджер з експорту",
                "+380 67 123 45 67",
                "ganna@mebli-podillia.example",
            )
        ],
    ),
    (
        "Фабрика «Русский диван»",
        "organisation",
        ["supplier", "partner"],
        "dmitry@example.com",
        {
            "industry": "Производство мебели",
            "phones": "+7 495 600-70-80",
            "website": "https://divan.example",
            "product_range": "Диваны, кресла",
        },
        ["постачальник"],
        [("Алексей Ёлкин", "Директор по продажам", "+7 903 700-80-90", "elkin@divan.example")],
    ),
    (
        "Мебель-Сити",
        "organisation",
        ["competitor"],
        "admin@example.com",
        {
            "industry": "Розничная торговля",
            "address": "Ярославль, Московский пр., 100",
            "notes": "Демпингуют на кухнях; сильная реклама.",
        },
        ["Ярославль"],
        [],
    ),
    (
        "IKEA Yaroslavl",
        "organisation",
        ["competitor"],
        "admin@example.com",
        {"industry": "Retail", "website": "ikea.example"},
        [],
        [],
    ),
    (
        "Дизайн-студия «Интерьер+»",
        "organisation",
        ["partner", "client"],
        "olena@example.com",
        {
            "industry": "Дизайн интерьеров",
            "phones": "+7 920 101-01-01",
            "emails": "hello@interior-plus.example",
            "notes": "Приводят клиентов, 5% комиссии.",
        },
        ["партнёр", "VIP"],
        [("Мария Соколова", "Дизайнер", "+7 920 101-01-02", "maria@interior-plus.example")],
    ),
    (
        "Иван Петров",
        "person",
        ["client"],
        "dmitry@example.com",
        {
            "phones": "+7 962 333-44-55",
            "emails": "ivan.petrov@mail.example",
            "notes": "Купил спальню в 2024, интересуется кухней.",
        },
        ["розница"],
        [],
    ),
    (
        "Олександр Шевчук",
        "person",
        ["client"],
        "olena@example.com",
        {"phones": "+380 50 765 43 21", "address": "Київ, вул. Хрещатик, 10"},
        ["розница"],
        [],
    ),
    (
        "Northwind Office Supply",
        "organisation",
        ["client"],
        "james@example.com",
        {
            "industry": "Office equipment",
            "phones": "+44 20 7946 0018",
            "emails": "buying@northwind.example",
            "employees": 40,
            "price_range": "mid",
            "language": "en",
        },
        ["wholesale"],
        [("IVAN SMITH", "Purchasing lead", "+44 7700 900123", "ivan.smith@northwind.example")],
    ),
    (
        "Bright Kids School",
        "organisation",
        ["client"],
        "james@example.com",
        {"industry": "Education", "employees": 60, "notes": "Classroom furniture every August."},
        ["wholesale"],
        [("Emma Clarke", "Bursar", "", "emma@brightkids.example")],
    ),
    (
        "ЗАО «ЛесТорг»",
        "organisation",
        ["supplier"],
        "dmitry@example.com",
        {"industry": "Пиломатериалы", "phones": "+7 4852 58-58-58", "tax_id": "7602000111"},
        ["постачальник"],
        [],
    ),
    (
        "Кафе «Берёзка»",
        "organisation",
        ["client"],
        "olena@example.com",
        {"industry": "Общепит", "phones": "+7 980 222-11-00", "employees": 12},
        ["опт", "Ярославль"],
        [("Фёдор Белов", "Владелец", "+7 980 222-11-01", "")],
    ),
    (
        "Стоматология «Жемчуг»",
        "organisation",
        ["client"],
        "dmitry@example.com",
        {"industry": "Медицина", "phones": "+7 4852 40-40-40", "notes": "Мебель для ресепшн."},
        [],
        [],
    ),
    (
        "Логистическая компания «Быстрый путь»",
        "organisation",
        ["partner"],
        "admin@example.com",
        {
            "industry": "Доставка",
            "phones": "+7 800 555-35-35",
            "notes": "Доставка и сборка по области.",
        },
        ["партнёр"],
        [("Наталья Кравец", "Менеджер", "+7 905 632-11-22", "n.kravets@bp.example")],
    ),
]


def load_demo() -> bool:
    """Create the demo users and parties; False if they are there already."""
    if db.session.scalar(select(User.id).where(User.email == DEMO_ADMIN)):
        return False
    by_email = {}
    for email, name, role in PEOPLE:
        by_email[email] = users.create_user(email, name, DEMO_PASSWORD, role)
    admin = by_email["admin@example.com"]
    describe_the_company(admin)
    for name, kind, roles, owner, profile, tags, people in PARTIES:
        owner_user = by_email[owner]
        data = {
            "name": name,
            "kind": kind,
            "roles": roles,
            "tags": tags,
            "owner_id": owner_user.id,
            **profile,
        }
        party = parties.create_party(owner_user, data)
        for contact_name, position, phone, email in people:
            contacts.add_contact(
                owner_user,
                party,
                {
                    "name": contact_name,
                    "position": position,
                    "phones": phone,
                    "emails": email,
                },
            )
    # A little history: an edit by another person, and a party in the trash.
    hotel = db.session.scalar(
        select(parties.Party).where(parties.Party.name == "Гостиница «Волга»")
    )
    parties.update_party(admin, hotel, {"price_range": "премиум"}, hotel.version)
    cafe = db.session.scalar(select(parties.Party).where(parties.Party.name == "Кафе «Берёзка»"))
    parties.trash_party(admin, cafe)
    walk_the_ladder(by_email)
    plan_the_work(by_email)
    seed_catalogue(by_email)
    make_demo_offers(by_email)
    return True
