"""The company's logo and signature/stamp for offers: checked by their content (Pillow reads
the PNG or JPEG header), never by the file's name, and stored in `company_images`."""

import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from PIL import Image
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import CompanyImage, User
from crm.services import audit
from crm.services.company import require_admin
from crm.services.errors import DomainError, NotFoundError

IMAGE_KINDS = ("logo", "signature")
MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_SIDE = 4000


@dataclass(frozen=True)
class ImageInfo:
    """A stored image without its bytes: enough for the settings page."""

    mime_type: str
    size: int
    updated_at: datetime


class ImageRejectedError(DomainError):
    """The upload is not a PNG or JPEG image of an acceptable size."""


def sniff_image(data: bytes) -> tuple[str, int, int]:
    """MIME type, width and height read from the header (Pillow, nothing decoded);
    ImageRejectedError if the bytes are not a readable PNG or JPEG of a sane size."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime, again = "image/png", _l("The image could not be read. Save it again as PNG.")
    elif data.startswith(b"\xff\xd8\xff"):
        mime, again = "image/jpeg", _l("The image could not be read. Save it again as JPEG.")
    else:
        raise ImageRejectedError(_l("Only PNG and JPEG images can be used."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (OSError, SyntaxError, ValueError):
        raise ImageRejectedError(again) from None
    if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE):
        raise ImageRejectedError(
            _l(
                "The image is %(width)d × %(height)d pixels, larger than %(max)d × %(max)d.",
                width=width,
                height=height,
                max=MAX_IMAGE_SIDE,
            )
        )
    return mime, width, height


def _check_kind(kind: str) -> None:
    if kind not in IMAGE_KINDS:
        raise NotFoundError(_l("No such image."))


def save_company_image(user: User, kind: str, filename: str, data: bytes) -> CompanyImage:
    """Store the logo or the signature (admins only), replacing the previous one."""
    require_admin(user)
    _check_kind(kind)
    if not data:
        raise ImageRejectedError(_l("The file is empty."))
    if len(data) > MAX_IMAGE_BYTES:
        limit = MAX_IMAGE_BYTES // (1024 * 1024)
        raise ImageRejectedError(_l("The image is larger than %(num)d MB.", num=limit))
    mime, width, height = sniff_image(data)
    image = db.session.get(CompanyImage, kind)
    if image is None:
        image = CompanyImage(kind=kind)
        db.session.add(image)
    image.content, image.mime_type = data, mime
    db.session.flush()
    name = "".join(ch for ch in filename.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable())
    details = {
        "kind": kind,
        "filename": name[:255],
        "mime_type": mime,
        "size": len(data),
        "width": width,
        "height": height,
    }
    audit.record(user, "company_image", 0, "upload", changes=details)
    return image


def remove_company_image(user: User, kind: str) -> None:
    """Remove the logo or the signature (admins only); nothing happens if there is none."""
    require_admin(user)
    _check_kind(kind)
    image = db.session.get(CompanyImage, kind)
    if image is not None:
        db.session.delete(image)
        db.session.flush()
        audit.record(user, "company_image", 0, "remove", changes={"kind": kind})


def get_company_image(kind: str) -> CompanyImage:
    """One stored image with its bytes; NotFoundError if there is none."""
    _check_kind(kind)
    image = db.session.get(CompanyImage, kind)
    if image is None:
        raise NotFoundError(_l("No such image."))
    return image


def stored_images() -> dict[str, ImageInfo]:
    """Which images are stored, with type, size and date, without loading their bytes."""
    query = select(
        CompanyImage.kind,
        CompanyImage.mime_type,
        func.length(CompanyImage.content),
        CompanyImage.updated_at,
    )
    return {kind: ImageInfo(mime, size, at) for kind, mime, size, at in db.session.execute(query)}


def company_images() -> dict[str, tuple[bytes, str]]:
    """Every stored image as kind → (bytes, MIME type), for the PDF renderer."""
    rows = db.session.execute(
        select(CompanyImage.kind, CompanyImage.content, CompanyImage.mime_type)
    )
    return {kind: (bytes(content), mime) for kind, content, mime in rows}
