"""Domain errors; the web layer maps them to responses."""


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is for the user."""


class NotFoundError(DomainError):
    """The thing does not exist, or this user may not know that it does."""


class PermissionDeniedError(DomainError):
    """The user is known but lacks the right for this change."""


class EditConflictError(DomainError):
    """Someone saved the record after this user opened it."""

    def __init__(self, changes: list) -> None:
        super().__init__("edit conflict")
        self.changes = changes


class FieldError(DomainError):
    """One field's value breaks a rule; forms show the message next to that field."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(message)
        self.field = field
