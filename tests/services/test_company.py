"""The company profile: typed reading, one set of rules for every field, admins only, audited."""

import unicodedata
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, Setting
from crm.services import company
from crm.services.company import CompanyProfile, CompanyProfileError
from crm.services.errors import PermissionDeniedError

# --- helpers -------------------------------------------------------------------------------


VALID = {
    "company_name": "ТОВ «Вектор Софт»",
    "company_legal_details": "Товариство з обмеженою відповідальністю «Вектор Софт»",
    "company_tax_ids": "Код ЄДРПОУ 43125670\nІПН 431256726502",
    "company_address": "01032, м. Київ, вул. Саксаганського, 121",
    "company_bank_details": "IBAN UA743052990000026007233566001\nАТ КБ «ПриватБанк»",
    "company_phone": "+380 44 390 12 34",
    "company_email": "sales@vector-soft.example",
    "base_currency": "EUR",
    "default_vat_rate": "7,5",
    "prices_include_vat": "yes",
    "offer_prefix": "ВС/",
    "offer_validity_days": "30",
    "default_document_language": "en",
}


def stored() -> dict[str, str]:
    """The profile's rows in the settings table (others, such as the ladder's, left out)."""
    query = select(Setting.key, Setting.value).where(Setting.key.in_(company.PROFILE_KEYS))
    return dict(db.session.execute(query).all())


def audit_entries(entity: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


# --- the profile ---------------------------------------------------------------------------


def test_with_nothing_stored_the_profile_has_the_defaults():
    assert company.company_profile() == CompanyProfile(
        company_name="",
        company_legal_details="",
        company_tax_ids="",
        company_address="",
        company_bank_details="",
        company_phone="",
        company_email="",
        base_currency="UAH",
        default_vat_rate=Decimal(20),
        prices_include_vat=False,
        offer_prefix="КП-",
        offer_validity_days=14,
        default_document_language="uk",
    )


def test_a_saved_profile_reads_back_typed(admin):
    company.save_company_profile(admin, VALID)
    db.session.commit()

    profile = company.company_profile()

    assert profile.company_name == "ТОВ «Вектор Софт»"
    assert profile.company_tax_ids == "Код ЄДРПОУ 43125670\nІПН 431256726502"
    assert profile.base_currency == "EUR"
    assert profile.default_vat_rate == Decimal("7.5")
    assert isinstance(profile.default_vat_rate, Decimal)
    assert profile.prices_include_vat is True
    assert profile.offer_prefix == "ВС/"
    assert profile.offer_validity_days == 30
    assert profile.default_document_language == "en"
    with pytest.raises(AttributeError):
        profile.company_name = "changed"  # frozen


def test_every_text_field_fits_the_settings_column():
    column_length = Setting.__table__.c.value.type.length
    assert all(limit <= column_length for limit, _ in company.TEXT_FIELDS.values())


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("company_name", "Я" * 201, "At most 200 characters."),
        ("company_legal_details", "x" * 501, "At most 500 characters."),
        ("company_tax_ids", "1" * 201, "At most 200 characters."),
        ("company_address", "a" * 301, "At most 300 characters."),
        ("company_bank_details", "UA" * 251, "At most 500 characters."),
        ("company_phone", "1" * 101, "At most 100 characters."),
        ("company_email", "sales at vector", "is not an e-mail address"),
        ("base_currency", "GBP", "Choose one of: UAH, USD, EUR."),
        ("base_currency", "uah", "Choose one of"),
        ("default_vat_rate", "twenty", "Enter a number"),
        ("default_vat_rate", "", "Enter a number"),
        ("default_vat_rate", "100.01", "between 0 and 100"),
        ("default_vat_rate", "-1", "between 0 and 100"),
        ("default_vat_rate", "NaN", "between 0 and 100"),
        ("default_vat_rate", "Infinity", "between 0 and 100"),
        ("default_vat_rate", "7.125", "two decimal places"),
        ("prices_include_vat", "maybe", "Choose yes or no."),
        ("prices_include_vat", None, "Choose yes or no."),
        ("offer_prefix", "КОМПРОПОЗИЦІЯ", "At most 12 characters."),
        ("offer_prefix", "КП 1", "Only letters, digits"),
        ("offer_prefix", "<b>", "Only letters, digits"),
        ("offer_prefix", "КП.", "Only letters, digits"),
        ("offer_prefix", "K\tP", "Only letters, digits"),
        ("offer_validity_days", "0", "from 1 to 365"),
        ("offer_validity_days", "366", "from 1 to 365"),
        ("offer_validity_days", "1.5", "from 1 to 365"),
        ("offer_validity_days", "-3", "from 1 to 365"),
        ("offer_validity_days", "", "from 1 to 365"),
        ("offer_validity_days", True, "from 1 to 365"),
        ("default_document_language", "de", "Choose one of: uk, ru, en."),
        ("default_document_language", None, "Choose one of"),
    ],
)
def test_an_invalid_value_is_refused_with_a_message_for_its_field(admin, key, value, message):
    with pytest.raises(CompanyProfileError) as refused:
        company.save_company_profile(admin, {**VALID, key: value})

    assert list(refused.value.errors) == [key]
    assert message in str(refused.value.errors[key])
    assert stored() == {}
    assert audit_entries("settings") == []


@pytest.mark.parametrize(
    ("key", "value", "kept"),
    [
        ("company_name", "  ТОВ   «Вектор\tСофт» ", "ТОВ «Вектор Софт»"),
        ("company_address", "01032, м. Київ,  \r\nвул. Саксаганського, 121\r\n\r\n", None),
        ("company_email", "", ""),
        ("default_vat_rate", "20.00", "20"),
        ("default_vat_rate", " 7,50 % ", "7.5"),
        ("default_vat_rate", Decimal("0.00"), "0"),
        ("default_vat_rate", "100", "100"),
        ("prices_include_vat", True, "yes"),
        ("prices_include_vat", "no", "no"),
        ("offer_prefix", "Offer_2026/", "Offer_2026/"),
        ("offer_prefix", "ΠΡ-", "ΠΡ-"),
        ("offer_prefix", unicodedata.normalize("NFD", "Й-"), "Й-"),
        ("offer_prefix", "", ""),
        ("offer_prefix", " КП- ", "КП-"),
        ("offer_validity_days", 365, "365"),
        ("offer_validity_days", "007", "7"),
    ],
)
def test_accepted_values_are_stored_in_one_canonical_form(admin, key, value, kept):
    company.save_company_profile(admin, {key: value})
    db.session.commit()

    expected = "01032, м. Київ,\nвул. Саксаганського, 121" if kept is None else kept
    assert stored().get(key, company.stored_profile()[key]) == expected


def test_several_invalid_fields_are_all_named_and_the_valid_ones_are_not_saved(admin):
    data = {**VALID, "offer_prefix": "К П", "default_vat_rate": "200"}

    with pytest.raises(CompanyProfileError) as refused:
        company.save_company_profile(admin, data)

    assert set(refused.value.errors) == {"offer_prefix", "default_vat_rate"}
    assert stored() == {}


def test_fields_left_out_keep_their_value(admin):
    company.save_company_profile(admin, VALID)
    company.save_company_profile(admin, {"company_phone": "+380 67 000 00 00"})
    db.session.commit()

    profile = company.company_profile()
    assert profile.company_phone == "+380 67 000 00 00"
    assert profile.company_name == VALID["company_name"]


def test_an_unknown_field_is_a_programming_error(admin):
    with pytest.raises(KeyError):
        company.save_company_profile(admin, {"company_nmae": "typo"})


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_only_an_admin_may_change_the_profile(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDeniedError):
        company.save_company_profile(user, VALID)
    assert stored() == {}


def test_a_change_is_audited_with_old_and_new_values_and_a_resave_records_nothing(admin):
    company.save_company_profile(admin, {"company_name": "ТОВ «Альфа»", "offer_prefix": "КП-"})
    company.save_company_profile(admin, {"company_name": "ТОВ «Бета»"})
    company.save_company_profile(admin, {"company_name": "ТОВ «Бета»"})
    db.session.commit()

    first, second = audit_entries("settings")
    assert first.user_id == admin.id and first.action == "update"
    # The prefix equals its default: not a change.
    assert first.changes == {"company_name": ["", "ТОВ «Альфа»"]}
    assert second.changes == {"company_name": ["ТОВ «Альфа»", "ТОВ «Бета»"]}
