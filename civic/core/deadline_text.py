"""Translated words for the legal clock (``civic.core.deadlines``), shared by every module that uses it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from civic.core.deadlines import ExtensionReason, SlaError
from civic.core.errors import DomainError

__all__ = ["DEADLINE_MESSAGES", "EXTENSION_LABELS", "deadline_error"]

#: The reasons for extending a term once, as the official and the public read them.
EXTENSION_LABELS = {
    ExtensionReason.SITE_VISIT.value: _l("A site visit is needed"),
    ExtensionReason.ANALYSIS.value: _l("An analysis is needed"),
    ExtensionReason.COMMISSION.value: _l("A commission must be set up"),
}

#: Translated messages for the engine's error codes that a user can cause.
DEADLINE_MESSAGES = {
    "already_extended": _l("The deadline was already extended once; it cannot be extended again."),
    "reason_required": _l("Choose the reason for the extension: site visit, analysis or commission."),
    "unknown_reason": _l("Choose the reason for the extension: site visit, analysis or commission."),
    "extension_after_due": _l("The deadline has already passed; it can only be extended before it expires."),
}


def deadline_error(exc: SlaError, field: str | None = "reason") -> DomainError:
    """Turn a deadline-engine error into a translated domain error (400: the form says what to change)."""
    return DomainError(DEADLINE_MESSAGES.get(exc.code, _l("The deadline could not be computed.")), field=field)
