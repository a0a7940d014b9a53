"""Administration: users, company settings, hand-over, trash."""

from flask import Blueprint

from crm.blueprints.admin.forms import ROLE_CHOICES

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_context_processor
def labels() -> dict:
    """Translated user-role names, for every template."""
    return {"role_names": dict(ROLE_CHOICES)}


from crm.blueprints.admin import company, ladder, leads, routes  # noqa: E402, F401
