"""The client base: parties, their contacts and documents."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from crm.blueprints.clients.labels import FACTOR_LABELS, KIND_LABELS, ROLE_LABELS
from crm.models import RelationshipFactors
from crm.models.base import utcnow
from crm.services.ladder import reason_name, stage_name

bp = Blueprint("clients", __name__, url_prefix="/clients")


@bp.app_context_processor
def labels() -> dict:
    """Translated names of roles, kinds, stages, reasons and factors, for every template."""
    return {
        "role_labels": ROLE_LABELS,
        "kind_labels": KIND_LABELS,
        "stage_name": stage_name,
        "reason_name": reason_name,
        "factor_names": RelationshipFactors.FIELDS,
        "factor_labels": FACTOR_LABELS,
        "now": utcnow(),
        "owner_label": owner_label,
    }


def owner_label(party) -> str:  # noqa: ANN001
    """The owner's name, or a note that the party waits in the lead pool."""
    return party.owner.name if party.owner else str(_l("Unassigned (lead pool)"))


from crm.blueprints.clients import documents, relationship, routes, suggestions, work  # noqa: E402, F401
