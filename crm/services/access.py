"""Who may see and change what: the rules every service applies."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from crm.models import Party, Role, User
from crm.services.errors import PermissionDeniedError
from crm.services.settings import Visibility, manager_visibility


def require_editor(user: User) -> None:
    """Viewers read only."""
    if not user.can_edit:
        raise PermissionDeniedError(_l("Read-only account."))


def sees_only_own(user: User) -> bool:
    """Whether this user is limited to the parties they own."""
    return user.role == Role.MANAGER and manager_visibility() == Visibility.OWN


def visible(query: Select, user: User) -> Select:
    """Limit a query on Party to what the user may see."""
    if sees_only_own(user):
        query = query.where(Party.owner_id == user.id)
    return query
