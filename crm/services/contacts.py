"""Contacts: the people at an organisation."""

from flask_babel import lazy_gettext as _l

from crm.extensions import db
from crm.models import Contact, Party, User
from crm.models.base import utcnow
from crm.services import audit
from crm.services.access import require_editor
from crm.services.errors import NotFoundError
from crm.services.parties import reindex_after_contact_change

CONTACT_FIELDS = ("name", "position", "phones", "emails", "notes")


def get_contact(party: Party, contact_id: int) -> Contact:
    """A live contact of this party."""
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.party_id != party.id or contact.deleted_at is not None:
        raise NotFoundError(_l("No such contact."))
    return contact


def add_contact(actor: User, party: Party, data: dict) -> Contact:
    """Add a contact person to the party."""
    require_editor(actor)
    contact = Contact(party_id=party.id, **{k: data[k] for k in CONTACT_FIELDS if k in data})
    db.session.add(contact)
    db.session.flush()
    reindex_after_contact_change(party)
    audit.record(
        actor,
        "contact",
        contact.id,
        "create",
        party_id=party.id,
        changes=audit.diff({}, audit.snapshot(contact, CONTACT_FIELDS)),
    )
    return contact


def update_contact(actor: User, contact: Contact, data: dict) -> Contact:
    """Change a contact, recording each field's old and new value."""
    require_editor(actor)
    before = audit.snapshot(contact, CONTACT_FIELDS)
    for name in CONTACT_FIELDS:
        if name in data:
            setattr(contact, name, data[name])
    changes = audit.diff(before, audit.snapshot(contact, CONTACT_FIELDS))
    if changes:
        db.session.flush()
        reindex_after_contact_change(contact.party)
        audit.record(
            actor, "contact", contact.id, "update", party_id=contact.party_id, changes=changes
        )
    return contact


def remove_contact(actor: User, contact: Contact) -> None:
    """Hide a contact; the record and its history stay."""
    require_editor(actor)
    contact.deleted_at = utcnow()
    db.session.flush()
    reindex_after_contact_change(contact.party)
    audit.record(
        actor,
        "contact",
        contact.id,
        "delete",
        party_id=contact.party_id,
        changes={"name": [contact.name, None]},
    )
