"""After the resolution: the "was your problem solved?" follow-up four weeks later, its answers, and closing
resolved cases once the 30-day reopening window has passed. Marking is set-based; the loop runs over clients."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, insert, literal, select, update

from civic import db
from civic.bureau import clock
from civic.bureau.models import REOPEN_WINDOW, Case, CaseEvent, CaseState, EventKind, Visibility
from civic.bureau.models.enums import CONSENT_VALID_MONTHS, FollowUpResult
from civic.bureau.permissions import can_work_on, is_client
from civic.bureau.services.common import record_event, tell_client
from civic.core.errors import DomainError, PermissionDenied
from civic.identity import audit

C = Case.__table__
E = CaseEvent.__table__


def _consent_cutoff(now: datetime) -> datetime:
    return clock.add_months(now, -CONSENT_VALID_MONTHS)


def send_follow_ups(now: datetime | None = None) -> tuple[int, int]:
    """Ask every client whose resolution is four weeks old whether the problem was solved (with their consent).

    Returns (asked, skipped for lack of a valid follow-up consent)."""
    now = now or clock.now()
    due = (
        C.c.follow_up_sent_at.is_(None),
        C.c.follow_up_due_at <= now,
        C.c.anonymised_at.is_(None),
        C.c.state.in_([CaseState.RESOLVED, CaseState.CLOSED]),
    )
    consented = and_(C.c.consent_follow_up_at.is_not(None), C.c.consent_follow_up_at > _consent_cutoff(now))
    ask_ids = list(db.session.scalars(select(C.c.id).where(*due, consented)))
    skipped = db.session.scalar(select(func.count()).select_from(C).where(*due, ~consented)) or 0
    db.session.execute(
        insert(E).from_select(
            ["case_id", "at", "kind", "visibility", "body", "data"],
            select(
                C.c.id,
                literal(now, E.c.at.type),
                literal(EventKind.FOLLOW_UP_SENT),
                case((consented, literal(Visibility.CLIENT)), else_=literal(Visibility.INTERNAL)),
                literal(""),
                case(
                    (consented, literal({"asked": True}, E.c.data.type)),
                    else_=literal({"asked": False, "reason": "no_consent"}, E.c.data.type),
                ),
            ).where(*due),
        )
    )
    db.session.execute(update(C).where(*due).values(follow_up_sent_at=now).execution_options(synchronize_session=False))
    for start in range(0, len(ask_ids), 500):
        for item in db.session.scalars(select(Case).where(Case.id.in_(ask_ids[start : start + 500]))):
            number = item.number
            tell_client(
                item,
                "bureau.follow_up",
                lambda n=number: _l("Was your problem solved? (case %(number)s)", number=n),
                lambda: _l(
                    "Four weeks ago the bureau resolved your case. Please tell us whether your problem "
                    "was solved: open the case and answer two short questions."
                ),
            )
    return len(ask_ids), skipped


def close_after_reopen_window(now: datetime | None = None) -> int:
    """Close resolved cases whose 30-day reopening window has passed (set-based; the timeline records it)."""
    now = now or clock.now()
    stale = (C.c.state == CaseState.RESOLVED, C.c.resolved_at < now - REOPEN_WINDOW)
    db.session.execute(
        insert(E).from_select(
            ["case_id", "at", "kind", "visibility", "from_state", "to_state", "body", "data"],
            select(
                C.c.id,
                literal(now, E.c.at.type),
                literal(EventKind.STATE),
                literal(Visibility.CLIENT),
                literal(CaseState.RESOLVED),
                literal(CaseState.CLOSED),
                literal(""),
                literal({"action": "close", "automatic": True}, E.c.data.type),
            ).where(*stale),
        )
    )
    return db.session.execute(
        update(C)
        .where(*stale)
        .values(state=CaseState.CLOSED, closed_at=now, state_changed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def answer_follow_up(case_: Case, actor, result: str, comment: str = "") -> None:
    """Record the client's answer to the follow-up (online, or taken by a consultant over the phone)."""
    if not (is_client(actor, case_) or can_work_on(actor, case_)):
        raise PermissionDenied()
    if case_.state not in (CaseState.RESOLVED, CaseState.CLOSED) or case_.anonymised_at is not None:
        raise DomainError(_l("Only a resolved case can be rated."))
    if case_.follow_up_answered_at is not None:
        raise DomainError(_l("This follow-up was already answered. Thank you!"))
    if result not in set(FollowUpResult):
        raise DomainError(_l("Choose an answer."), field="result")
    case_.follow_up_result, case_.follow_up_comment = result, (comment or "").strip()[:2000] or None
    case_.follow_up_answered_at = clock.now()
    case_.follow_up_sent_at = case_.follow_up_sent_at or case_.follow_up_answered_at
    record_event(
        case_,
        EventKind.FOLLOW_UP_ANSWERED,
        Visibility.CLIENT,
        actor,
        case_.follow_up_comment or "",
        data={"result": result},
    )
    if not is_client(actor, case_):
        audit.record("bureau.follow_up_recorded", case_, actor=actor, after={"result": result})
