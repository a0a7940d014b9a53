"""The company profile: typed reading, one set of rules for every field, admins only, audited;
the logo and signature checked by their bytes, never by their name."""

import struct
import unicodedata
import zlib
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEntry, CompanyImage, Setting
from crm.services import company
from crm.services.company import CompanyProfile, CompanyProfileError, ImageRejectedError
from crm.services.errors import NotFoundError, PermissionDeniedError

# --- helpers -------------------------------------------------------------------------------


def png(width: int = 3, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG of the given size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(min(height, 8))))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg(width: int = 3, height: int = 2) -> bytes:
    """A JPEG header as cameras write it: JFIF segment, then the frame with the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00" * 3
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"

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


# --- images --------------------------------------------------------------------------------


def test_a_png_named_jpg_is_accepted_as_a_png(admin):
    data = png()
    company.save_company_image(admin, "logo", "logo.jpg", data)
    db.session.commit()

    assert company.company_images() == {"logo": (data, "image/png")}


def test_a_jpeg_named_png_is_accepted_as_a_jpeg(admin):
    data = jpeg(640, 200)
    company.save_company_image(admin, "signature", "scan.png", data)
    db.session.commit()

    assert company.company_images() == {"signature": (data, "image/jpeg")}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(GIF, "Only PNG and JPEG images can be used.", id="gif"),
        pytest.param(HTML, "Only PNG and JPEG images can be used.", id="html"),
        pytest.param(b"%PDF-1.7\n", "Only PNG and JPEG images can be used.", id="pdf"),
        pytest.param(b"", "The file is empty.", id="empty"),
        pytest.param(b"\x89PNG\r\n\x1a\n", "could not be read", id="png-signature-only"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "could not be read", id="jpeg-no-frame"),
        pytest.param(b"\xff\xd8\xff\xd9", "could not be read", id="jpeg-empty"),
        pytest.param(png(4001, 10), "larger than 4000 × 4000", id="png-too-wide"),
        pytest.param(jpeg(10, 4001), "larger than 4000 × 4000", id="jpeg-too-tall"),
        pytest.param(png(0, 10), "could not be read", id="png-zero-width"),
    ],
)
def test_anything_but_a_sane_png_or_jpeg_is_refused_whatever_its_name(admin, data, message):
    with pytest.raises(ImageRejectedError, match=message):
        company.save_company_image(admin, "logo", "logo.png", data)
    assert company.company_images() == {}
    assert audit_entries("company_image") == []


def test_an_image_over_one_megabyte_is_refused_and_one_of_exactly_a_megabyte_is_kept(admin):
    header = png(200, 100)
    exactly = header + b"\x00" * (company.MAX_IMAGE_BYTES - len(header))

    with pytest.raises(ImageRejectedError, match="larger than 1 MB"):
        company.save_company_image(admin, "logo", "logo.png", exactly + b"\x00")
    company.save_company_image(admin, "logo", "logo.png", exactly)

    assert company.stored_images()["logo"].size == company.MAX_IMAGE_BYTES


def test_the_largest_allowed_size_is_accepted(admin):
    company.save_company_image(admin, "logo", "big.png", png(4000, 4000))
    assert company.company_images()["logo"][1] == "image/png"


def test_a_new_upload_replaces_the_old_image_and_is_audited(admin):
    company.save_company_image(admin, "logo", "old.png", png(1, 1))
    company.save_company_image(admin, "logo", "C:\\Users\\ada\\new.jpg", jpeg(30, 20))
    db.session.commit()

    assert db.session.scalar(select(CompanyImage).where(CompanyImage.kind == "logo")).mime_type == (
        "image/jpeg"
    )
    assert len(db.session.scalars(select(CompanyImage)).all()) == 1
    last = audit_entries("company_image")[-1]
    assert last.action == "upload" and last.user_id == admin.id
    assert last.changes["filename"] == "new.jpg"
    assert (last.changes["width"], last.changes["height"]) == (30, 20)


def test_both_images_are_handed_to_the_pdf_renderer(admin):
    company.save_company_image(admin, "logo", "a.png", png())
    company.save_company_image(admin, "signature", "b.jpg", jpeg())
    db.session.commit()

    images = company.company_images()
    assert {kind: mime for kind, (_, mime) in images.items()} == {
        "logo": "image/png",
        "signature": "image/jpeg",
    }
    assert all(isinstance(data, bytes) for data, _ in images.values())


def test_removing_an_image_deletes_it_and_removing_nothing_does_nothing(admin):
    company.save_company_image(admin, "logo", "a.png", png())
    company.remove_company_image(admin, "logo")
    company.remove_company_image(admin, "signature")
    db.session.commit()

    assert company.company_images() == {}
    assert [e.action for e in audit_entries("company_image")] == ["upload", "remove"]
    with pytest.raises(NotFoundError):
        company.get_company_image("logo")


def test_an_unknown_kind_of_image_is_not_found(admin):
    with pytest.raises(NotFoundError):
        company.save_company_image(admin, "favicon", "a.png", png())
    with pytest.raises(NotFoundError):
        company.get_company_image("../logo")


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_only_an_admin_may_change_the_images(request, admin, who):
    company.save_company_image(admin, "logo", "a.png", png())
    db.session.commit()
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDeniedError):
        company.save_company_image(user, "signature", "b.png", png())
    with pytest.raises(PermissionDeniedError):
        company.remove_company_image(user, "logo")
    assert set(company.company_images()) == {"logo"}
