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
    "owner_id": _l("Owner"),
    "roles": _l("Roles"),
    "tags": _l("Tags"),
    "position": _l("Position"),
    "filename": _l("File"),
}
ACTION_LABELS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "restore": _l("restored"),
    "hand_over": _l("handed over"),
}
ENTITY_LABELS = {"party": _l("Profile"), "contact": _l("Contact"), "document": _l("Document")}
SORT_LABELS = {
    "name": _l("Name A–Z"),
    "-name": _l("Name Z–A"),
    "-created": _l("Newest first"),
    "created": _l("Oldest first"),
}
