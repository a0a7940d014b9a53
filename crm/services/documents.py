"""Documents attached to a party: checked, stored outside static, served only to its viewers."""

import secrets
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.extensions import db
from crm.models import Document, Party, User
from crm.models.base import utcnow
from crm.services import audit
from crm.services.access import require_editor
from crm.services.errors import DomainError, NotFoundError

ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "txt": "text/plain",
    "csv": "text/csv",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


class DocumentRejectedError(DomainError):
    """The file's type or size is not allowed."""


def storage_dir() -> Path:
    path = Path(current_app.config["DOCUMENTS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _clean_name(filename: str) -> str:
    """The file's own name without any path, as the user will see it."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in name if ch.isprintable())[:255] or "document"


def attach_document(actor: User, party: Party, filename: str, stream: BinaryIO) -> Document:
    """Store a file for the party; refuses disallowed types and oversized files."""
    require_editor(actor)
    name = _clean_name(filename)
    extension = _extension(name)
    if extension not in ALLOWED_TYPES:
        raise DocumentRejectedError(_l("This file type is not allowed."))
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentRejectedError(_l("The file is too large."))
    if not data:
        raise DocumentRejectedError(_l("The file is empty."))
    storage_name = secrets.token_hex(16)
    (storage_dir() / storage_name).write_bytes(data)
    document = Document(
        party_id=party.id,
        filename=name,
        content_type=ALLOWED_TYPES[extension],
        size=len(data),
        storage_name=storage_name,
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        actor,
        "document",
        document.id,
        "create",
        party_id=party.id,
        changes={"filename": [None, name]},
    )
    return document


def party_documents(party: Party) -> list[Document]:
    query = (
        select(Document)
        .where(Document.party_id == party.id, Document.deleted_at.is_(None))
        .order_by(Document.uploaded_at.desc())
    )
    return list(db.session.scalars(query))


def get_document(party: Party, document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.party_id != party.id or document.deleted_at is not None:
        raise NotFoundError(_l("No such document."))
    return document


def document_path(document: Document) -> Path:
    return storage_dir() / document.storage_name


def remove_document(actor: User, document: Document) -> None:
    """Hide a document; the file stays on disk for an admin to recover."""
    require_editor(actor)
    document.deleted_at = utcnow()
    audit.record(
        actor,
        "document",
        document.id,
        "delete",
        party_id=document.party_id,
        changes={"filename": [document.filename, None]},
    )
