"""Domain errors raised by services; views turn them into translated messages and 4xx answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the domain refused the request. ``str(exc)`` is a translated, user-facing message."""

    status_code = 400
    default_message = _l("This action is not allowed.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class InvalidTransition(DomainError):
    status_code = 409
    default_message = _l("This action is not possible in the current state.")

    def __init__(self, obj=None, action: str = "", message=None):
        self.obj, self.action = obj, action
        super().__init__(message)


class PermissionDenied(DomainError):
    status_code = 403
    default_message = _l("You do not have permission to do this.")


class NotFound(DomainError):
    status_code = 404
    default_message = _l("The requested item does not exist.")


class Conflict(DomainError):
    status_code = 409
    default_message = _l("This conflicts with existing data.")
