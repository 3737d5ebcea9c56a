"""Helpers every bureau service uses: the timeline, consent checks, feedback to the client, deadline errors."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civic import db
from civic.bureau import clock
from civic.bureau.models import Case, CaseEvent, Consent, EventKind, Visibility
from civic.bureau.models.enums import CONSENT_LABELS
from civic.core import deadlines
from civic.core.deadline_text import deadline_error
from civic.core.errors import DomainError
from civic.core.mail import queue_mail
from civic.identity.notifications import notify


def sla_error(exc: deadlines.SlaError) -> DomainError:
    """Turn a deadline-engine error into a translated domain error."""
    return deadline_error(exc)


def record_event(
    case: Case,
    kind: EventKind,
    visibility: Visibility,
    actor=None,
    body: str = "",
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    referral=None,
    data: dict | None = None,
) -> CaseEvent:
    """Append one entry to the case's timeline."""
    entry = CaseEvent(
        case_id=case.id,
        kind=kind,
        visibility=visibility,
        actor_id=getattr(actor, "id", None),
        body=body or "",
        from_state=from_state,
        to_state=to_state,
        at=clock.now(),
        referral_id=getattr(referral, "id", None),
        data=data,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def change_state(
    case: Case,
    action: str,
    actor,
    body: str = "",
    *,
    visibility=Visibility.CLIENT,
    referral=None,
    data: dict | None = None,
) -> CaseEvent:
    """Apply a transition and write it on the timeline."""
    before, after = case.transition(action, clock.now())
    return record_event(
        case,
        EventKind.STATE,
        visibility,
        actor,
        body,
        from_state=before,
        to_state=after,
        referral=referral,
        data={"action": action, **(data or {})},
    )


def require_consent(case: Case, kind: Consent = Consent.DATA) -> None:
    """Refuse further processing while the consent is missing or older than six months."""
    if not case.consent_valid(kind, clock.now()):
        raise DomainError(
            _l(
                "The client's consent “%(consent)s” is missing or older than 6 months. "
                "It must be renewed before the case is processed further.",
                consent=CONSENT_LABELS[kind],
            )
        )


def case_link(case: Case) -> str:
    return url_for("bureau.case_detail", case_id=case.id)


def tell_client(case: Case, kind: str, title, body="") -> None:
    """Feedback to the client: a notification to their account, or an email in their language.

    Clients reached only by phone or in person get the message from their consultant; the timeline shows it.
    ``title`` and ``body`` are callables or lazy strings so that they are rendered in the recipient's language.
    """
    if case.anonymised_at is not None:
        return
    if case.client is not None and not case.client.is_deleted:
        notify(case.client, kind, title, body, case_link(case))
    elif case.client_email:
        with force_locale(case.preferred_language):
            subject = str(title() if callable(title) else title)
            text = str(body() if callable(body) else body)
            queue_mail(case.client_email, subject, "\n\n".join(part for part in (text, _footer(case)) if part))


def _footer(case: Case) -> str:
    return _("Your case number is %(number)s. Quote it when you contact the bureau.", number=case.number)


def tell_user(user, kind: str, title, body="", link: str | None = None) -> None:
    if user is not None and not user.is_deleted:
        notify(user, kind, title, body, link)
