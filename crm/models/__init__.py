"""The data model: one module per aggregate."""

from crm.models.ladder import LossReason, RelationshipFactors, Stage, StageMove
from crm.models.party import Contact, Party, PartyKind, PartyRole, PartyRoleName, Tag, party_tags
from crm.models.records import AuditEntry, Document, Setting
from crm.models.user import LoginAttempt, Role, User
from crm.models.work import (
    MEANINGFUL,
    Interaction,
    InteractionType,
    Priority,
    Task,
    TaskStatus,
)

__all__ = [
    "MEANINGFUL",
    "Interaction",
    "InteractionType",
    "Priority",
    "Task",
    "TaskStatus",
    "AuditEntry",
    "Contact",
    "Document",
    "LoginAttempt",
    "LossReason",
    "Party",
    "PartyKind",
    "PartyRole",
    "PartyRoleName",
    "RelationshipFactors",
    "Role",
    "Setting",
    "Stage",
    "StageMove",
    "Tag",
    "User",
    "party_tags",
]
