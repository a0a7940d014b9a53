"""The data model: one module per aggregate."""

from crm.models.party import Contact, Party, PartyKind, PartyRole, PartyRoleName, Tag, party_tags
from crm.models.records import AuditEntry, Document, Setting
from crm.models.user import LoginAttempt, Role, User

__all__ = [
    "AuditEntry",
    "Contact",
    "Document",
    "LoginAttempt",
    "Party",
    "PartyKind",
    "PartyRole",
    "PartyRoleName",
    "Role",
    "Setting",
    "Tag",
    "User",
    "party_tags",
]
