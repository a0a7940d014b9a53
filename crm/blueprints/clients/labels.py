"""Translated names for roles, kinds and profile fields, shared by forms, lists and history."""

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "client": _l("Client"),
    "partner": _l("Partner"),
    "supplier": _l("Supplier"),
    "competitor": _l("Competitor"),
}
KIND_LABELS = {"organisation": _l("Organisation"), "person": _l("Person")}
FIELD_LABELS = {
    "kind": _l("Kind"),
    "name": _l("Name"),
    "legal_name": _l("Legal name"),
    "tax_id": _l("Tax ID"),
    "industry": _l("Industry"),
    "website": _l("Website"),
    "address": _l("Address"),
    "phones": _l("Phones"),
    "emails": _l("E-mails"),
    "employees": _l("Employees"),
    "product_range": _l("Product range"),
    "end_customers": _l("Their end customers"),
    "price_range": _l("Price range"),
    "notes": _l("Notes"),
    "language": _l("Language of documents"),
    "owner_id": _l("Owner"),
    "roles": _l("Roles"),
    "tags": _l("Tags"),
    "position": _l("Position"),
    "filename": _l("File"),
}
# Whole sentences, so that every language can make them agree.
EVENT_LABELS = {
    ("party", "create"): _l("Party created"),
    ("party", "update"): _l("Profile changed"),
    ("party", "delete"): _l("Moved to the trash"),
    ("party", "restore"): _l("Restored from the trash"),
    ("party", "hand_over"): _l("Handed over to another manager"),
    ("party", "assign"): _l("Assigned from the lead pool"),
    ("contact", "create"): _l("Contact added"),
    ("contact", "update"): _l("Contact changed"),
    ("contact", "delete"): _l("Contact removed"),
    ("document", "create"): _l("Document attached"),
    ("document", "delete"): _l("Document removed"),
}
SORT_LABELS = {
    "name": _l("Name A–Z"),
    "-name": _l("Name Z–A"),
    "-created": _l("Newest first"),
    "created": _l("Oldest first"),
}
FACTOR_LABELS = {
    "satisfaction": _l("Satisfaction"),
    "trust_staff": _l("Trust in our staff"),
    "trust_company": _l("Trust in the company"),
    "engagement_emotional": _l("Emotional engagement"),
    "engagement_rational": _l("Rational engagement"),
}
