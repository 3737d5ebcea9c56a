"""Referrals as official appeals: sending, extending once with a legal reason, answering, inspecting."""

from __future__ import annotations

from flask import url_for
from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.bureau import clock
from civic.bureau.models import (
    Attachment,
    Case,
    CaseState,
    Consent,
    EventKind,
    Referral,
    ReferralAnswer,
    ReferralState,
    SlaState,
    Verdict,
    Visibility,
)
from civic.bureau.models.enums import CLOCK_REFERRAL_STATES, EXTENSION_LABELS
from civic.bureau.permissions import ANSWER, INSPECT, can_work_on, is_body_official, is_inspector_for, is_supervisor
from civic.bureau.services import deadlines
from civic.bureau.services.attachments import add_attachment
from civic.bureau.services.cases import active_referral
from civic.bureau.services.common import change_state, record_event, require_consent, sla_error, tell_client, tell_user
from civic.core import deadlines as legal_clock
from civic.core.errors import Conflict, DomainError, PermissionDenied
from civic.core.i18n import format_day
from civic.identity import audit
from civic.identity.directory import route_to_body
from civic.identity.permissions import holders

SUMMARY_MIN, TEXT_MAX = 20, 5000


def _text(text: str, field: str, minimum: int = 20) -> str:
    text = (text or "").strip()
    if not minimum <= len(text) <= TEXT_MAX:
        raise DomainError(
            _l("Write %(min)s to %(max)s characters.", min=format_number(minimum), max=format_number(TEXT_MAX)),
            field=field,
        )
    return text


def suggest_body(case: Case):
    """The competent body by the directory's routing rules (a suggestion the consultant may change)."""
    return route_to_body(case.territory, case.category)


def referral_link(referral: Referral) -> str:
    return url_for("bureau.referral_detail", referral_id=referral.id)


def _due_text(referral: Referral) -> str:
    return format_day(referral.due_at) if referral.due_at else str(_l("not running (waiting for you)"))


def refer(case: Case, actor, body, summary: str, shared_attachment_ids=()) -> Referral:
    """Send the case to the competent state body as an official appeal; the legal clock starts."""
    if not can_work_on(actor, case):
        raise PermissionDenied()
    require_consent(case)
    require_consent(case, Consent.REFERRAL)
    if body is None:
        raise DomainError(_l("Choose the state body."), field="body")
    if active_referral(case) is not None:
        raise Conflict(_l("This case already has an open referral."))
    summary = _text(summary, "summary", SUMMARY_MIN)
    suggested = suggest_body(case)
    change_state(case, "refer", actor)
    referral = Referral(
        case_id=case.id,
        case=case,
        body_id=body.id,
        body=body,
        summary=summary,
        suggested_body_id=getattr(suggested, "id", None),
        referred_at=clock.now(),
        referred_by_id=actor.id,
        state=ReferralState.SENT,
    )
    db.session.add(referral)
    db.session.flush()
    _share(case, referral, shared_attachment_ids)
    deadlines.refresh(referral)
    record_event(
        case,
        EventKind.REFERRED,
        Visibility.BODY,
        actor,
        summary,
        referral=referral,
        data={
            "body_id": body.id,
            "suggested_body_id": getattr(suggested, "id", None),
            "body_names": {"kk": body.name_kk, "ru": body.name_ru, "en": body.name_en},
        },
    )
    audit.record("bureau.refer", case, actor=actor, after={"body": body.code, "referral_id": referral.id})
    _announce_referral(case, referral)
    return referral


def _share(case: Case, referral: Referral, attachment_ids) -> None:
    ids = {int(i) for i in attachment_ids}
    if ids:
        for attachment in db.session.scalars(
            select(Attachment).where(Attachment.case_id == case.id, Attachment.id.in_(ids))
        ):
            attachment.shared_with_body = True
        db.session.flush()


def _announce_referral(case: Case, referral: Referral) -> None:
    """Mandatory feedback 2 for referrals: which body handles the appeal and by when."""
    number, body = case.number, referral.body
    # Names and dates are rendered inside the callables: notify() calls them in each recipient's language.
    tell_client(
        case,
        "bureau.referred",
        lambda: _l("Your case %(number)s was sent to %(body)s", number=number, body=body.name),
        lambda: _l(
            "The bureau sent your appeal to %(body)s. The body must answer by %(due)s.",
            body=body.name,
            due=_due_text(referral),
        ),
    )
    for official in _body_people(referral):
        tell_user(
            official,
            "bureau.referral_received",
            lambda: _l("New appeal from the citizen advice bureau (%(number)s)", number=number),
            lambda: _l("Answer by %(due)s.", due=_due_text(referral)),
            referral_link(referral),
        )


def _body_people(referral: Referral) -> list:
    people = {u.id: u for u in holders(ANSWER, body=referral.body)}
    if referral.body.head is not None:
        people[referral.body.head.id] = referral.body.head
    return list(people.values())


def extend(referral: Referral, actor, reason: str, note: str = "") -> None:
    """Extend the term once to 30 days for a legal reason; the client is told why."""
    if not is_body_official(actor, referral):
        raise PermissionDenied()
    if referral.state not in CLOCK_REFERRAL_STATES:
        raise DomainError(_l("Only a referral awaiting the body's answer can be extended."))
    try:
        extension = legal_clock.extend(
            reason, at_utc=clock.now(), already_extended=referral.extended, due_utc=referral.due_at, note=note or ""
        )
    except legal_clock.SlaError as exc:
        raise sla_error(exc) from exc
    before = referral.due_at
    referral.extended, referral.extension_reason = True, extension.reason.value
    referral.extension_note, referral.extended_at, referral.extended_by_id = extension.note, extension.at_utc, actor.id
    deadlines.refresh(referral)
    label = EXTENSION_LABELS[extension.reason.value]
    record_event(
        referral.case,
        EventKind.EXTENDED,
        Visibility.BODY,
        actor,
        extension.note,
        referral=referral,
        data={
            "reason": extension.reason.value,
            "due_before": before.isoformat() if before else None,
            "due_after": referral.due_at.isoformat() if referral.due_at else None,
        },
    )
    audit.record("bureau.extend", referral, actor=actor, after={"reason": extension.reason.value})
    number = referral.case.number
    tell_client(
        referral.case,
        "bureau.extended",
        lambda: _l("The deadline for your case %(number)s was extended", number=number),
        lambda: _l("Reason: %(reason)s. The body must now answer by %(due)s.", reason=label, due=_due_text(referral)),
    )


def withdraw(referral: Referral, actor, reason: str) -> None:
    """A supervisor withdraws a referral the body never answered: the clock stops for good, the case goes back to its
    consultant, and the client and the body are told why (audited). Refused once the body has answered."""
    case = referral.case
    if not is_supervisor(actor, case):
        raise PermissionDenied()
    answered = referral.answered_at is not None or db.session.scalar(
        select(ReferralAnswer.id).where(ReferralAnswer.referral_id == referral.id).limit(1)
    )
    if answered:
        raise Conflict(_l("The body has already answered this referral; it can no longer be withdrawn."))
    if referral.state != ReferralState.SENT:
        raise Conflict(_l("Only a referral awaiting the body's answer can be withdrawn."))
    reason = _text(reason, "reason", 10)
    now = clock.now()
    if case.state == CaseState.AWAITING_CLIENT:  # the wait was for this appeal: it ends with it
        change_state(case, "resume", actor, visibility=Visibility.BODY, referral=referral)
        pause = referral.open_pause
        if pause is not None:
            pause.end_at = max(now, pause.start_at)
    before = {"state": referral.state, "due_at": referral.due_at.isoformat() if referral.due_at else None}
    referral.state = ReferralState.WITHDRAWN
    referral.withdrawn_at, referral.withdrawn_by_id, referral.withdrawal_reason = now, actor.id, reason
    deadlines.close(referral, SlaState.CLOSED)
    record_event(case, EventKind.REFERRAL_WITHDRAWN, Visibility.BODY, actor, reason, referral=referral)
    change_state(case, "conclude_referral", actor, referral=referral)
    audit.record("bureau.withdraw_referral", referral, actor=actor, before=before, after={"state": referral.state})
    number, body = case.number, referral.body
    tell_client(
        case,
        "bureau.referral_withdrawn",
        lambda: _l("The bureau withdrew the appeal of your case %(number)s to %(body)s", number=number, body=body.name),
        lambda: _l("Reason: %(reason)s. Your consultant continues with your case.", reason=reason),
    )
    for person in [*_body_people(referral), case.consultant]:
        tell_user(
            person,
            "bureau.referral_withdrawn",
            lambda: _l("The appeal of case %(number)s was withdrawn by the bureau", number=number),
            reason,
            link=referral_link(referral),
        )


def answer(referral: Referral, actor, text: str, uploads=()) -> ReferralAnswer:
    """The body answers the appeal; the answer goes to the client and to the inspectors."""
    if not is_body_official(actor, referral):
        raise PermissionDenied()
    if referral.state not in CLOCK_REFERRAL_STATES:
        raise DomainError(_l("This referral is not awaiting an answer."))
    text = _text(text, "text")
    case = referral.case
    if case.state == CaseState.AWAITING_CLIENT:  # answering without the requested information ends the wait
        change_state(case, "resume", actor, visibility=Visibility.BODY, referral=referral)
        deadlines.restart_clock(referral)
    entry = ReferralAnswer(
        referral_id=referral.id, body_id=referral.body_id, author_id=actor.id, text=text, created_at=clock.now()
    )
    db.session.add(entry)
    referral.state, referral.answered_at = ReferralState.ANSWERED, entry.created_at
    deadlines.close(referral, SlaState.ANSWERED)
    record_event(
        case,
        EventKind.ANSWERED,
        Visibility.BODY,
        actor,
        text,
        referral=referral,
        data={"answer_id": entry.id, "late": bool(referral.due_at and entry.created_at > referral.due_at)},
    )
    for upload in uploads:
        add_attachment(case, upload, actor, referral=referral)
    audit.record("bureau.answer", referral, actor=actor, after={"answer_id": entry.id})
    _announce_answer(referral)
    return entry


def _announce_answer(referral: Referral) -> None:
    case, number, body = referral.case, referral.case.number, referral.body
    tell_client(
        case, "bureau.answered", lambda: _l("%(body)s answered your case %(number)s", body=body.name, number=number)
    )
    for person in [*holders(INSPECT, territory=referral.body.territory), case.consultant]:
        tell_user(
            person,
            "bureau.answer_to_review",
            lambda: _l("An answer to case %(number)s awaits inspection", number=number),
            link=referral_link(referral),
        )


def review(referral: Referral, actor, verdict: str, reason: str = "") -> None:
    """The inspector accepts the body's answer, or finds it evasive: it goes back and the body's head is told."""
    if not is_inspector_for(actor, referral):
        raise PermissionDenied()
    if referral.state != ReferralState.ANSWERED:
        raise DomainError(_l("There is no answer awaiting inspection."))
    latest = db.session.scalar(
        select(ReferralAnswer)
        .where(ReferralAnswer.referral_id == referral.id)
        .order_by(ReferralAnswer.id.desc())
        .limit(1)
    )
    if verdict == Verdict.ACCEPTED:
        _accept(referral, latest, actor, reason.strip())
    elif verdict == Verdict.EVASIVE:
        _return_evasive(referral, latest, actor, _text(reason, "verdict_reason", 10))
    else:
        raise DomainError(_l("Choose a verdict."), field="verdict")
    audit.record("bureau.review", referral, actor=actor, after={"verdict": verdict, "answer_id": latest.id})


def _accept(referral: Referral, latest: ReferralAnswer, actor, note: str) -> None:
    now = clock.now()
    latest.verdict, latest.verdict_reason, latest.reviewed_by_id, latest.reviewed_at = (
        Verdict.ACCEPTED,
        note,
        actor.id,
        now,
    )
    referral.state, referral.accepted_at = ReferralState.ACCEPTED, now
    referral.answered_late = bool(referral.due_at and latest.created_at > referral.due_at)
    deadlines.close(referral, SlaState.CLOSED)
    case = referral.case
    record_event(
        case,
        EventKind.ANSWER_ACCEPTED,
        Visibility.BODY,
        actor,
        note,
        referral=referral,
        data={"answer_id": latest.id, "late": referral.answered_late},
    )
    change_state(case, "conclude_referral", actor, referral=referral)
    number = case.number
    tell_user(
        case.consultant,
        "bureau.answer_accepted",
        lambda: _l("The body's answer to case %(number)s was accepted: give the client your resolution", number=number),
        link=referral_link(referral),
    )


def _return_evasive(referral: Referral, latest: ReferralAnswer, actor, reason: str) -> None:
    now = clock.now()
    latest.verdict, latest.verdict_reason, latest.reviewed_by_id, latest.reviewed_at = (
        Verdict.EVASIVE,
        reason,
        actor.id,
        now,
    )
    referral.state = ReferralState.RETURNED
    referral.evasive_count += 1
    deadlines.refresh(referral)  # an evasive answer is no answer: the original deadline keeps running
    case = referral.case
    record_event(
        case, EventKind.ANSWER_EVASIVE, Visibility.BODY, actor, reason, referral=referral, data={"answer_id": latest.id}
    )
    number, body = case.number, referral.body
    for person in _body_people(referral):
        tell_user(
            person,
            "bureau.answer_evasive",
            lambda: _l("Evasive answer to case %(number)s: answer again", number=number),
            lambda: _l(
                "The inspector found the answer of %(body)s evasive or unqualified: %(reason)s",
                body=body.name,
                reason=reason,
            ),
            referral_link(referral),
        )
    tell_client(
        case,
        "bureau.answer_evasive",
        lambda: _l("The answer to your case %(number)s was sent back to the body", number=number),
        lambda: _l(
            "The inspector found the answer evasive or unqualified and asked %(body)s to answer again.", body=body.name
        ),
    )


def escalation_recipients(body) -> list:
    """Who an escalation reaches: the body's head; a body with no head on record reaches its answering officials
    (identity's ``holders`` of ``bureau.answer`` over the body), so an escalation never goes nowhere."""
    head = body.head
    if head is not None and head.is_active and not head.is_deleted:
        return [head]
    return holders(ANSWER, body=body)


def escalate(referral: Referral, actor) -> list:
    """An inspector escalates a referral due soon or overdue to the head of the body (audited, on the timeline).

    Returns the people notified. Refused for anyone but an inspector of the body's territory, and for a referral
    whose body does not owe an answer or whose deadline is not near."""
    if not is_inspector_for(actor, referral):
        raise PermissionDenied()
    now = clock.now()
    status = legal_clock.status_at(now, referral.due_at) if referral.due_at else None
    if referral.state not in CLOCK_REFERRAL_STATES or status not in (
        legal_clock.SlaStatus.DUE_SOON,
        legal_clock.SlaStatus.OVERDUE,
    ):
        raise Conflict(_l("Only a referral that is due soon or overdue can be escalated."))
    body, case = referral.body, referral.case
    recipients = escalation_recipients(body)
    overdue_days = legal_clock.days_overdue(now, referral.due_at)
    record_event(
        case,
        EventKind.ESCALATED,
        Visibility.BODY,
        actor,
        referral=referral,
        data={"overdue": status == legal_clock.SlaStatus.OVERDUE, "days_overdue": overdue_days},
    )
    audit.record(
        "bureau.escalate",
        referral,
        actor=actor,
        after={
            "body": body.code,
            "status": str(status),
            "days_overdue": overdue_days,
            "notified": [person.id for person in recipients],
        },
    )
    number, due = case.number, _due_text(referral)
    for person in recipients:
        tell_user(
            person,
            "bureau.escalated",
            lambda: _l("The inspector escalated the appeal of case %(number)s to you", number=number),
            lambda: _l(
                "%(body)s must answer this appeal by %(due)s. Make sure the answer is given without delay.",
                body=body.name,
                due=due,
            ),
            referral_link(referral),
        )
    return recipients
