"""The logo and signature: checked by their bytes, never by their name; admins only, audited."""

import struct
import zlib

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import CompanyImage
from crm.services import company_images
from crm.services.company_images import ImageRejectedError
from crm.services.errors import NotFoundError, PermissionDeniedError
from tests.services.test_company import audit_entries

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


# --- images --------------------------------------------------------------------------------


def test_a_png_named_jpg_is_accepted_as_a_png(admin):
    data = png()
    company_images.save_company_image(admin, "logo", "logo.jpg", data)
    db.session.commit()

    assert company_images.company_images() == {"logo": (data, "image/png")}


def test_a_jpeg_named_png_is_accepted_as_a_jpeg(admin):
    data = jpeg(640, 200)
    company_images.save_company_image(admin, "signature", "scan.png", data)
    db.session.commit()

    assert company_images.company_images() == {"signature": (data, "image/jpeg")}


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
        company_images.save_company_image(admin, "logo", "logo.png", data)
    assert company_images.company_images() == {}
    assert audit_entries("company_image") == []


def test_an_image_over_one_megabyte_is_refused_and_one_of_exactly_a_megabyte_is_kept(admin):
    header = png(200, 100)
    exactly = header + b"\x00" * (company_images.MAX_IMAGE_BYTES - len(header))

    with pytest.raises(ImageRejectedError, match="larger than 1 MB"):
        company_images.save_company_image(admin, "logo", "logo.png", exactly + b"\x00")
    company_images.save_company_image(admin, "logo", "logo.png", exactly)

    assert company_images.stored_images()["logo"].size == company_images.MAX_IMAGE_BYTES


def test_the_largest_allowed_size_is_accepted(admin):
    company_images.save_company_image(admin, "logo", "big.png", png(4000, 4000))
    assert company_images.company_images()["logo"][1] == "image/png"


def test_a_new_upload_replaces_the_old_image_and_is_audited(admin):
    company_images.save_company_image(admin, "logo", "old.png", png(1, 1))
    company_images.save_company_image(admin, "logo", "C:\\Users\\ada\\new.jpg", jpeg(30, 20))
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
    company_images.save_company_image(admin, "logo", "a.png", png())
    company_images.save_company_image(admin, "signature", "b.jpg", jpeg())
    db.session.commit()

    images = company_images.company_images()
    assert {kind: mime for kind, (_, mime) in images.items()} == {
        "logo": "image/png",
        "signature": "image/jpeg",
    }
    assert all(isinstance(data, bytes) for data, _ in images.values())


def test_removing_an_image_deletes_it_and_removing_nothing_does_nothing(admin):
    company_images.save_company_image(admin, "logo", "a.png", png())
    company_images.remove_company_image(admin, "logo")
    company_images.remove_company_image(admin, "signature")
    db.session.commit()

    assert company_images.company_images() == {}
    assert [e.action for e in audit_entries("company_image")] == ["upload", "remove"]
    with pytest.raises(NotFoundError):
        company_images.get_company_image("logo")


def test_an_unknown_kind_of_image_is_not_found(admin):
    with pytest.raises(NotFoundError):
        company_images.save_company_image(admin, "favicon", "a.png", png())
    with pytest.raises(NotFoundError):
        company_images.get_company_image("../logo")


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_only_an_admin_may_change_the_images(request, admin, who):
    company_images.save_company_image(admin, "logo", "a.png", png())
    db.session.commit()
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDeniedError):
        company_images.save_company_image(user, "signature", "b.png", png())
    with pytest.raises(PermissionDeniedError):
        company_images.remove_company_image(user, "logo")
    assert set(company_images.company_images()) == {"logo"}
