"""The data model: one module per aggregate."""

from crm.models.catalogue import Product, RevenueType, RuleKind, SegmentPrice, VolumeTier
from crm.models.ladder import LossReason, RelationshipFactors, Stage, StageMove
from crm.models.offers import (
    OPEN_STATUSES,
    Offer,
    OfferCounter,
    OfferEvent,
    OfferLine,
    OfferPdf,
    OfferStatus,
    PriceSource,
    Sale,
    StageSuggestion,
    SuggestionStatus,
)
from crm.models.party import Contact, Party, PartyKind, PartyRole, PartyRoleName, Tag, party_tags
from crm.models.records import AuditEntry, CompanyImage, Document, Setting
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
    "Product",
    "RevenueType",
    "RuleKind",
    "SegmentPrice",
    "VolumeTier",
    "OPEN_STATUSES",
    "Offer",
    "OfferCounter",
    "OfferEvent",
    "OfferLine",
    "OfferPdf",
    "OfferStatus",
    "PriceSource",
    "Sale",
    "StageSuggestion",
    "SuggestionStatus",
    "CompanyImage",
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
