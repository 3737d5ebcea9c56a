"""The responsible body's answer deadline: 15 days on the platform's legal clock, extendable once to 30.

The term starts when the response threshold is reached (the petition is then an appeal the body must answer) and is
computed by ``civic.core.deadlines``, the clock bureau referrals use too: the end of the local day, rolled to the
next working day of the Kazakhstan calendar. The body's official may extend it once, before it expires, for a typed
reason with a note; the extension is public (petition page and API) and audited.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from civic import db
from civic.core import deadlines
from civic.core.deadline_text import deadline_error
from civic.core.errors import DomainError, PermissionDenied
from civic.core.http import path_for
from civic.db import utc_now
from civic.identity import audit
from civic.identity.models import User
from civic.identity.notifications import notify
from civic.petitions import rules
from civic.petitions.models import Petition, PetitionState
from civic.petitions.permissions import RESPOND

#: Calendar days the body has to answer once the response threshold is reached (the law on appeals) ...
RESPONSE_DAYS = rules.RESPONSE_DAYS
#: ... and once the term is extended (counted from the same start).
EXTENDED_RESPONSE_DAYS = deadlines.EXTENDED_DAYS
#: Longest note the official may publish with an extension.
NOTE_MAX_LENGTH = 2000


def response_due(reached_at: datetime | None, extended: bool = False) -> datetime | None:
    """The answer deadline of a petition whose response threshold was reached at ``reached_at`` (None: not yet)."""
    if reached_at is None:
        return None
    return deadlines.compute_due(
        reached_at, days=RESPONSE_DAYS, extended=extended, extended_days=EXTENDED_RESPONSE_DAYS
    )


def can_extend(user: User, petition: Petition) -> bool:
    """Whether ``user`` may extend the answer term now: an official of the responsible body, term running, once."""
    return (
        user.is_authenticated
        and petition.state_body is not None
        and petition.state in (PetitionState.OPEN, PetitionState.CLOSED)
        and petition.response_due_at is not None
        and petition.responded_at is None
        and not petition.response_extended
        and user.has_permission(RESPOND, body=petition.state_body)
    )


def extend(petition: Petition, official: User, reason: str, note: str, now: datetime | None = None) -> None:
    """Extend the answer term once to 30 days, for a typed reason with a public note (audited; the author is told)."""
    if not (
        official.is_authenticated
        and petition.state_body is not None
        and official.has_permission(RESPOND, body=petition.state_body)
    ):
        raise PermissionDenied(_l("Only an official of the body this petition is routed to can extend its term."))
    if petition.response_due_at is None:
        raise DomainError(_l("The answer term has not started: the response threshold is not reached yet."))
    if petition.responded_at is not None:
        raise DomainError(_l("The petition is already answered; its term cannot be extended."))
    note = (note or "").strip()
    now = now or utc_now()
    try:
        extension = deadlines.extend(
            reason, at_utc=now, already_extended=petition.response_extended, due_utc=petition.response_due_at, note=note
        )
    except deadlines.SlaError as exc:
        raise deadline_error(exc) from exc
    if not extension.note:
        raise DomainError(_l("Explain the extension to the public in a short note."), field="note")
    if len(extension.note) > NOTE_MAX_LENGTH:
        raise DomainError(_l("The note is too long."), field="note")
    before = {"response_due_at": petition.response_due_at.isoformat()}
    petition.response_extension_reason = extension.reason.value
    petition.response_extension_note = extension.note
    petition.response_extended_at, petition.response_extended_by_id = extension.at_utc, official.id
    petition.response_due_at = response_due(petition.response_threshold_reached_at, extended=True)
    db.session.flush()
    audit.record(
        "petitions.extend_response",
        petition,
        actor=official,
        before=before,
        after={
            "response_due_at": petition.response_due_at.isoformat(),
            "reason": extension.reason.value,
            "body": petition.state_body.code,
        },
    )
    if petition.author is not None:
        notify(
            petition.author,
            "petitions.response_extended",
            _l("The answer to your petition “%(title)s” is now due later", title=petition.title),
            lambda: f"{petition.response_extension_label}. {petition.response_extension_note}",
            link=path_for("petitions.detail", petition_id=petition.id),
        )
