"""Keeping a referral's stored deadline and status in step with the legal clock (computed by ``civic.core.deadlines``)."""

from __future__ import annotations

from civic import db
from civic.bureau import clock
from civic.bureau.models import ClockPauseRecord, Referral, SlaState
from civic.bureau.models.enums import CLOCK_REFERRAL_STATES, NOTIFY_DUE_SOON, NOTIFY_NONE, NOTIFY_OVERDUE
from civic.core import deadlines

_STATUS = {
    deadlines.SlaStatus.ON_TIME: SlaState.ON_TIME,
    deadlines.SlaStatus.DUE_SOON: SlaState.DUE_SOON,
    deadlines.SlaStatus.OVERDUE: SlaState.OVERDUE,
    deadlines.SlaStatus.PAUSED: SlaState.PAUSED,
}


def compute(referral: Referral, *, extended: bool | None = None):
    """The deadline from the referral's start, extension and clock stops (None while the clock is stopped)."""
    pauses = [deadlines.ClockPause(p.start_at, p.end_at) for p in referral.pauses]
    return deadlines.compute_due(
        referral.referred_at, extended=referral.extended if extended is None else extended, pauses=pauses
    )


def refresh(referral: Referral) -> None:
    """Store the deadline and status; queue the due-soon/overdue notice if this level was not announced yet.

    The sweep sends what is queued (``notify_pending``), so a status a service computes is announced exactly
    like one the sweep finds.
    """
    now = clock.now()
    referral.due_at = compute(referral)
    if referral.state not in CLOCK_REFERRAL_STATES:
        return
    status = _STATUS[deadlines.status_at(now, referral.due_at)]
    referral.sla_state = status
    if status == SlaState.ON_TIME:
        referral.due_soon_notified_at = referral.overdue_notified_at = None
    elif status == SlaState.DUE_SOON:
        referral.overdue_notified_at = None
    if status == SlaState.OVERDUE and referral.overdue_notified_at is None:
        referral.notify_pending = NOTIFY_OVERDUE
    elif status == SlaState.DUE_SOON and referral.due_soon_notified_at is None:
        referral.notify_pending = NOTIFY_DUE_SOON
    else:
        referral.notify_pending = NOTIFY_NONE
    db.session.flush()


def stop_clock(referral: Referral) -> None:
    """Stop the clock (the case now waits for the client)."""
    if referral.open_pause is None:
        pause = ClockPauseRecord(start_at=clock.now())
        referral.pauses.append(pause)
        db.session.flush()
    refresh(referral)


def restart_clock(referral: Referral) -> None:
    """Restart the clock: the waiting time is excluded from the term."""
    pause = referral.open_pause
    if pause is not None:
        pause.end_at = max(clock.now(), pause.start_at)
        db.session.flush()
    refresh(referral)


def close(referral: Referral, sla_state: SlaState) -> None:
    """Take the referral out of the sweep (answered, accepted or withdrawn)."""
    referral.sla_state = sla_state
    referral.notify_pending = NOTIFY_NONE
    db.session.flush()
