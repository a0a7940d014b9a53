"""Screenshots of the main screens at desktop (1280×800) and phone (390×844) width.

They land in tests/screenshots/<name>-<desktop|phone>.png (git-ignored) for a person to
look at. docs/screenshot-clients.png is a copy of clients-desktop.png: to refresh it, run
these tests and copy the file by hand (the test does not touch docs/).
"""

import pytest
from playwright.sync_api import expect

from crm.extensions import db
from crm.models import Party
from crm.services import parties
from tests.browser.helpers import log_in, settle_db
from tests.factories import make_contact, make_party, make_user

pytestmark = pytest.mark.browser

NO_OVERFLOW = {"desktop": 0, "phone": 0}  # nothing sticks out sideways at either width

# name, roles, owner key, profile fields, tags
DEMO_PARTIES = [
    (
        "ТОВ «Меблі Поділля»",
        ["supplier"],
        "olena",
        {
            "legal_name": "Товариство з обмеженою відповідальністю «Меблі Поділля»",
            "phones": "+380 (432) 55-12-12",
            "industry": "Виробництво меблів",
        },
        ["постачальник", "Вінниця"],
    ),
    (
        "ООО «Домашний уют»",
        ["client"],
        "olena",
        {"phones": "+7 (4852) 30-12-45", "industry": "Розничная торговля"},
        ["опт", "Ярославль"],
    ),
    (
        "Гостиница «Волга»",
        ["client"],
        "dmitro",
        {"phones": "+7 4852 72-00-01", "industry": "Гостиничный бизнес"},
        ["опт", "VIP"],
    ),
    (
        "Фабрика «Русский диван»",
        ["supplier", "partner"],
        "dmitro",
        {"phones": "+7 495 600-70-80"},
        ["постачальник"],
    ),
    ("Мебель-Сити", ["competitor"], "admin", {"industry": "Розничная торговля"}, ["Ярославль"]),
    ("IKEA Yaroslavl", ["competitor"], "admin", {"website": "ikea.example"}, []),
    (
        "Дизайн-студія «Інтер'єр+»",
        ["partner"],
        "olena",
        {"phones": "+380 50 765 43 21", "emails": "studio@interior.example"},
        ["дизайнери", "Київ"],
    ),
    (
        "Петро Ромашко",
        ["client"],
        "olena",
        {"kind": "person", "phones": "+380 (50) 123-45-67"},
        ["роздріб"],
    ),
    (
        "Whitfield & Sons Interiors Ltd",
        ["client", "partner"],
        "admin",
        {"phones": "+44 20 7946 0018", "legal_name": "Whitfield & Sons Interiors Limited"},
        ["export", "VIP"],
    ),
    ("Кафе «Берёзка»", ["client"], "dmitro", {"phones": "+7 980 222-11-00"}, ["HoReCa"]),
    ("Клиника «Здоровье»", ["client"], "dmitro", {"phones": "+7 4852 40-40-40"}, []),
    (
        "Лесопилка «Северный лес»",
        ["supplier"],
        "olena",
        {"phones": "+7 4852 58-58-58", "tax_id": "7602000111"},
        ["постачальник", "опт"],
    ),
]


@pytest.fixture
def demo(admin, manager) -> dict:
    """About a dozen parties with roles, tags and three owners; a card with a history."""
    owners = {
        "admin": admin,
        "olena": manager,
        "dmitro": make_user("dmitro@example.com", name="Дмитро Шевченко"),
    }
    for name, roles, owner, fields, tags in DEMO_PARTIES:
        make_party(owners[owner], name, roles=roles, tags=tags, **fields)

    card = make_party(
        manager,
        "ТОВ «Ромашка»",
        roles=["client", "partner"],
        legal_name="Товариство з обмеженою відповідальністю «Ромашка»",
        tax_id="ЄДРПОУ 40123456",
        industry="Роздрібна торгівля меблями",
        website="romashka.example",
        phones="+380 (44) 200-10-20\n+380 67 000 11 22",
        emails="office@romashka.example\nzakupivli@romashka.example",
        address="Київ, вул. Велика Васильківська, 100, офіс 12",
        employees=48,
        price_range="середній",
        tags=["опт", "Київ", "VIP"],
        notes="Оновлюють асортимент двічі на рік. Тендер у березні.",
    )
    make_contact(
        card,
        "Петро Іваненко",
        position="Закупівельник",
        phones="+380 50 111 22 33",
        emails="petro@romashka.example",
    )
    make_contact(card, "Ганна Їжакевич", position="Бухгалтер", phones="+380 67 123 45 67")
    party = db.session.get(Party, card.id)
    data = {"industry": "Меблі та інтер'єр", "employees": 52, "price_range": "вище середнього"}
    parties.update_party(manager, party, data, party.version)
    db.session.commit()
    ids = {"card": card.id, "admin": admin.email, "manager": manager.email}
    settle_db()
    return ids


def test_login(page, admin, screenshot):
    settle_db()
    page.goto("/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert screenshot(page, "login") == NO_OVERFLOW


def test_clients_list(page, demo, screenshot):
    log_in(page, demo["admin"])
    expect(page.locator("#results table.list tbody tr")).to_have_count(13)
    assert screenshot(page, "clients") == NO_OVERFLOW


def test_party_card(page, demo, screenshot):
    log_in(page, demo["manager"])
    page.goto(f"/clients/{demo['card']}")
    expect(page.locator("#contacts ul.contacts > li")).to_have_count(2)
    expect(page.locator("#history .changes del").first).to_be_visible()
    page.locator("#contacts").get_by_text("Add a contact").click()  # show the inline form
    assert screenshot(page, "party-card") == NO_OVERFLOW


def test_party_form_with_errors(page, demo, screenshot):
    log_in(page, demo["manager"])
    page.goto("/clients/new")
    page.get_by_label("Website").fill("not a web address")
    page.get_by_label("E-mails").fill("sales@romashka")
    page.get_by_label("Phones").fill("+380 44 200-10-20\ncall the office")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field.has-error")).to_have_count(4)  # name, website, e-mail, phone
    assert screenshot(page, "party-form-error") == NO_OVERFLOW
