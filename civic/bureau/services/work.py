"""Working on a case: confidential notes, structured actions, messages with the client, response templates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from civic import db
from civic.bureau.models import Case, CaseState, EventKind, ResponseTemplate, Visibility
from civic.bureau.models.enums import WORK_ACTION_LABELS, WorkAction
from civic.bureau.permissions import can_work_on, is_client
from civic.bureau.services import cases as case_services
from civic.bureau.services.attachments import add_attachment
from civic.bureau.services.common import case_link, record_event, require_consent, tell_client, tell_user
from civic.core.errors import DomainError, PermissionDenied
from civic.identity import audit

TEXT_MAX = 5000


def _text(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Write a text first."), field=field)
    if len(text) > TEXT_MAX:
        raise DomainError(_l("Keep the text under %(n)s characters.", n=TEXT_MAX), field=field)
    return text


def _staff_on_open_case(case: Case, actor) -> None:
    if not can_work_on(actor, case):
        raise PermissionDenied()
    if not case.is_open:
        raise DomainError(_l("This case is resolved or closed. Reopen it to continue working on it."))
    require_consent(case)


def add_note(case: Case, actor, text: str) -> None:
    """Write a confidential note that only bureau staff see."""
    _staff_on_open_case(case, actor)
    record_event(case, EventKind.NOTE, Visibility.INTERNAL, actor, _text(text, "note"))
    audit.record("bureau.note", case, actor=actor)


def record_action(case: Case, actor, action: str, text: str) -> None:
    """Record a piece of work done for the client (advice, form, letter, negotiation, court)."""
    _staff_on_open_case(case, actor)
    if action not in set(WorkAction):
        raise DomainError(_l("Choose what was done."), field="action")
    record_event(
        case,
        EventKind.ACTION,
        Visibility.CLIENT,
        actor,
        _text(text, "details"),
        data={"action": action, "label": str(WORK_ACTION_LABELS[WorkAction(action)])},
    )
    audit.record("bureau.action", case, actor=actor, after={"action": action})


def message_from_staff(case: Case, actor, text: str, uploads=()) -> None:
    """Write to the client (the client is notified)."""
    _staff_on_open_case(case, actor)
    body = _text(text, "message")
    record_event(case, EventKind.MESSAGE_OUT, Visibility.CLIENT, actor, body)
    for upload in uploads:
        add_attachment(case, upload, actor)
    audit.record("bureau.message", case, actor=actor)
    number = case.number
    tell_client(case, "bureau.message", lambda: _l("New message about your case %(number)s", number=number), body)


def message_from_client(case: Case, actor, text: str, uploads=()) -> None:
    """The client writes to the bureau; an answer to a request for information restarts the case."""
    if not is_client(actor, case):
        raise PermissionDenied()
    if case.state == CaseState.CLOSED:
        raise DomainError(_l("This case is closed. Reopen it within 30 days of its resolution, or open a new case."))
    body = _text(text, "message")
    referral = case_services.active_referral(case)
    answers_body = case.state == CaseState.AWAITING_CLIENT and referral is not None
    visibility = Visibility.BODY if answers_body else Visibility.CLIENT
    record_event(case, EventKind.MESSAGE_IN, visibility, actor, body, referral=referral if answers_body else None)
    for upload in uploads:
        add_attachment(case, upload, actor, shared_with_body=answers_body)
    if case.state == CaseState.AWAITING_CLIENT:
        case_services.resume(case, actor)
    number = case.number
    if case.consultant is not None:
        tell_user(
            case.consultant,
            "bureau.client_message",
            lambda: _l("The client wrote about case %(number)s", number=number),
            link=case_link(case),
        )


def templates_for(case: Case) -> list[ResponseTemplate]:
    """Active response templates for the case's category (and general ones), client's language first."""
    rows = db.session.scalars(
        select(ResponseTemplate)
        .where(
            ResponseTemplate.is_active.is_(True),
            or_(ResponseTemplate.category_id == case.category_id, ResponseTemplate.category_id.is_(None)),
        )
        .order_by(ResponseTemplate.title)
    ).all()
    return sorted(rows, key=lambda t: (t.language != case.preferred_language, t.category_id is None, t.title))
