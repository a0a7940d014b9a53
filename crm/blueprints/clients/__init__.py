"""The client base: parties, their contacts and documents."""

from flask import Blueprint

from crm.blueprints.clients.labels import KIND_LABELS, ROLE_LABELS

bp = Blueprint("clients", __name__, url_prefix="/clients")


@bp.app_context_processor
def labels() -> dict:
    """Translated role and kind names, for every template."""
    return {"role_labels": ROLE_LABELS, "kind_labels": KIND_LABELS}


from crm.blueprints.clients import documents, routes  # noqa: E402, F401
