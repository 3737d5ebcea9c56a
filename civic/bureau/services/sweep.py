"""The deadline sweep: set-based SQL marks referrals "due soon" and "overdue" and announces each level once.

* Incremental (default): two UPDATEs over the index ``(sla_state, due_at)`` touch only the rows whose status can
  have changed since the last run (still ``on_time``/``due_soon`` and now inside the window). Deadlines cluster at the
  end of a local day, so cron runs it in bounded batches (``sweep_batches``), each its own short transaction.
* Full (``--full``): recomputes the status of every referral whose clock runs, in id-range chunks, each its own short
  transaction, so that a writer never waits long behind the sweep (SQLite has one writer at a time).

Announcing is set-based too: the overdue timeline entries are one INSERT ... SELECT, the recipients one grouped
query (the officials and the head of each body concerned: the people who must answer), and the ``notified`` flags one
UPDATE. The only Python loop runs over recipients, one notification each, never over referrals. Consultants and
supervisors see the statuses in their queues; clients see "deadline missed" on their timeline. A second run finds
nothing to change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import and_, case, delete, func, insert, literal, select, union, update

from civic import db
from civic.bureau import clock
from civic.bureau.models import CaseEvent, PendingNotice, Referral, SlaState, Visibility
from civic.bureau.models.enums import CLOCK_REFERRAL_STATES, NOTIFY_DUE_SOON, NOTIFY_NONE, NOTIFY_OVERDUE, EventKind
from civic.bureau.permissions import ANSWER
from civic.core import deadlines
from civic.identity.models import RolePermission, StateBody, User, UserRole
from civic.identity.notifications import notify

R = Referral.__table__
N = PendingNotice.__table__
DEFAULT_CHUNK = 5_000
#: Rows marked per level in one incremental transaction.
DEFAULT_BATCH = 500


@dataclass
class SweepResult:
    changed: int = 0
    overdue_marked: int = 0
    due_soon_marked: int = 0
    due_soon: int = 0
    overdue: int = 0
    notifications: int = 0
    chunks: int = 0
    chunk_ms: list[float] = field(default_factory=list)

    @property
    def max_chunk_ms(self) -> float:
        return max(self.chunk_ms, default=0.0)

    def add(self, other: SweepResult) -> None:
        self.changed += other.changed
        self.due_soon += other.due_soon
        self.overdue += other.overdue
        self.notifications += other.notifications


def _update(*conditions, **values) -> int:
    stmt = update(R).where(*conditions).values(**values).execution_options(synchronize_session=False)
    return db.session.execute(stmt).rowcount


def _mark(source: SlaState, target: SlaState, due_range, limit: int | None, flag) -> int:
    """Move rows from ``source`` to ``target`` whose deadline lies in ``due_range``, earliest deadline first.

    Each statement is one range of the index ``(sla_state, due_at)``; the ordered LIMIT keeps the planner on it."""
    conditions = (R.c.sla_state == source, *due_range)
    if limit is not None:
        conditions = (R.c.id.in_(select(R.c.id).where(*conditions).order_by(R.c.due_at).limit(limit)),)
    pending = NOTIFY_OVERDUE if target == SlaState.OVERDUE else NOTIFY_DUE_SOON
    return _update(*conditions, sla_state=target, notify_pending=case((flag.is_(None), pending), else_=NOTIFY_NONE))


def sweep(now: datetime | None = None, limit: int | None = None) -> SweepResult:
    """Mark what became due soon or overdue since the last run (at most ``limit`` rows per step) and announce it.

    One transaction's worth of work: the caller commits."""
    now = now or clock.now()
    soon = now + deadlines.DUE_SOON_WINDOW
    result = SweepResult()
    past = (R.c.due_at < now,)
    result.overdue_marked = _mark(SlaState.DUE_SOON, SlaState.OVERDUE, past, limit, R.c.overdue_notified_at) + _mark(
        SlaState.ON_TIME, SlaState.OVERDUE, past, limit, R.c.overdue_notified_at
    )
    result.due_soon_marked = _mark(
        SlaState.ON_TIME, SlaState.DUE_SOON, (R.c.due_at >= now, R.c.due_at <= soon), limit, R.c.due_soon_notified_at
    )
    result.changed = result.overdue_marked + result.due_soon_marked
    result.add(announce(now))
    return result


def sweep_now(now: datetime | None = None) -> SweepResult:
    """Mark, announce and deliver in the caller's transaction (small databases, tests)."""
    result = sweep(now)
    result.notifications = deliver()
    return result


def sweep_batches(
    transaction: Callable[[], AbstractContextManager] = db.transaction,
    now: datetime | None = None,
    batch: int = DEFAULT_BATCH,
) -> SweepResult:
    """The incremental sweep as cron runs it: bounded transactions (each a ``with transaction():`` block, by default
    ``civic.db.transaction``) until nothing is left to mark."""
    now = now or clock.now()
    total = SweepResult()
    while True:
        began = time.perf_counter()
        with transaction():
            step = sweep(now, limit=batch)
        total.chunk_ms.append((time.perf_counter() - began) * 1000)
        total.chunks += 1
        total.add(step)
        if step.changed == 0 or (step.overdue_marked < batch and step.due_soon_marked < batch):
            total.notifications = deliver(transaction, timings=total.chunk_ms)
            return total


def sweep_full(
    transaction: Callable[[], AbstractContextManager] = db.transaction,
    now: datetime | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> SweepResult:
    """Recompute every running clock's status in id-range chunks, each in a transaction of its own (and timed)."""
    now = now or clock.now()
    soon = now + deadlines.DUE_SOON_WINDOW
    with transaction():
        low, high = db.session.execute(select(func.min(R.c.id), func.max(R.c.id))).one()
    result = SweepResult()
    start = low
    while start is not None and start <= high:
        began = time.perf_counter()
        with transaction():
            result.add(_sweep_range(now, soon, start, start + chunk_size - 1))
        result.chunk_ms.append((time.perf_counter() - began) * 1000)
        result.chunks += 1
        start += chunk_size
    result.notifications = deliver(transaction, timings=result.chunk_ms)
    return result


def _sweep_range(now: datetime, soon: datetime, first_id: int, last_id: int) -> SweepResult:
    status = case((R.c.due_at < now, SlaState.OVERDUE), (R.c.due_at <= soon, SlaState.DUE_SOON), else_=SlaState.ON_TIME)
    pending = case(
        (and_(R.c.due_at < now, R.c.overdue_notified_at.is_(None)), NOTIFY_OVERDUE),
        (and_(R.c.due_at >= now, R.c.due_at <= soon, R.c.due_soon_notified_at.is_(None)), NOTIFY_DUE_SOON),
        else_=NOTIFY_NONE,
    )
    in_range = (R.c.id >= first_id, R.c.id <= last_id)
    result = SweepResult()
    result.changed = _update(
        *in_range,
        R.c.state.in_(CLOCK_REFERRAL_STATES),
        R.c.due_at.is_not(None),
        R.c.sla_state != status,
        sla_state=status,
        notify_pending=pending,
    )
    result.add(announce(now, in_range))
    return result


def announce(now: datetime, conditions=()) -> SweepResult:
    """Record what the marking queued: timeline entries, the notices owed to people, then clear the flags."""
    result = SweepResult()
    pending = (R.c.notify_pending > NOTIFY_NONE, *conditions)
    counts = dict(
        db.session.execute(select(R.c.notify_pending, func.count()).where(*pending).group_by(R.c.notify_pending)).all()
    )
    if not counts:
        return result
    result.due_soon, result.overdue = counts.get(NOTIFY_DUE_SOON, 0), counts.get(NOTIFY_OVERDUE, 0)
    if result.overdue:
        db.session.execute(
            insert(CaseEvent.__table__).from_select(
                ["case_id", "referral_id", "at", "kind", "visibility", "body"],
                select(
                    R.c.case_id,
                    R.c.id,
                    literal(now, CaseEvent.__table__.c.at.type),
                    literal(EventKind.OVERDUE),
                    literal(Visibility.BODY),
                    literal(""),
                ).where(R.c.notify_pending == NOTIFY_OVERDUE, *conditions),
            )
        )
    db.session.execute(insert(N).from_select(["user_id", "kind", "count"], _recipients(pending)))
    _update(
        *pending,
        notify_pending=NOTIFY_NONE,
        due_soon_notified_at=case((R.c.notify_pending == NOTIFY_DUE_SOON, now), else_=R.c.due_soon_notified_at),
        overdue_notified_at=case((R.c.notify_pending == NOTIFY_OVERDUE, now), else_=R.c.overdue_notified_at),
    )
    return result


def _recipients(pending):
    """(user id, notice kind, number of referrals) for the officials and heads of the bodies concerned."""
    queued = select(R.c.id, R.c.body_id, R.c.notify_pending).where(*pending).subquery()
    answering_roles = select(RolePermission.role_name).where(RolePermission.permission == ANSWER)
    officials = (
        select(
            UserRole.user_id.label("user_id"), queued.c.id.label("referral_id"), queued.c.notify_pending.label("kind")
        )
        .join(queued, UserRole.state_body_id == queued.c.body_id)
        .where(UserRole.role_name.in_(answering_roles))
    )
    heads = (
        select(StateBody.head_user_id, queued.c.id, queued.c.notify_pending)
        .join(queued, StateBody.id == queued.c.body_id)
        .where(StateBody.head_user_id.is_not(None))
    )
    everyone = union(officials, heads).subquery()  # UNION: one row per (user, referral, kind)
    return select(everyone.c.user_id, everyone.c.kind, func.count()).group_by(everyone.c.user_id, everyone.c.kind)


def deliver(
    transaction: Callable[[], AbstractContextManager] | None = None,
    people_per_transaction: int = 50,
    timings: list[float] | None = None,
) -> int:
    """Send the owed notices: one notification per person and kind, counts summed over runs and chunks.

    Each group of people is notified and their notices deleted in one ``with transaction():`` block (timed into
    ``timings``); without ``transaction`` everything stays in the caller's transaction. Returns the notifications."""
    sent = 0
    while True:
        began = time.perf_counter()
        with transaction() if transaction is not None else nullcontext():
            group = _deliver_group(people_per_transaction)
        if group is None:
            return sent
        sent += group
        if transaction is not None and timings is not None:
            timings.append((time.perf_counter() - began) * 1000)


def _deliver_group(people_per_transaction: int) -> int | None:
    """Notify the next group of people and delete their notices; None when nobody is owed anything."""
    people = list(
        db.session.scalars(select(N.c.user_id).distinct().order_by(N.c.user_id).limit(people_per_transaction))
    )
    if not people:
        return None
    last_id = db.session.scalar(select(func.max(N.c.id)).where(N.c.user_id.in_(people)))
    owed = db.session.execute(
        select(N.c.user_id, N.c.kind, func.sum(N.c.count))
        .where(N.c.user_id.in_(people), N.c.id <= last_id)
        .group_by(N.c.user_id, N.c.kind)
        .order_by(N.c.user_id, N.c.kind)
    ).all()
    sent = _notify(owed)
    db.session.execute(delete(N).where(N.c.user_id.in_(people), N.c.id <= last_id))
    return sent


def _notify(owed) -> int:
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({row[0] for row in owed})))}
    link = url_for("bureau.referrals")
    sent = 0
    for user_id, kind, count in owed:
        user = users.get(user_id)
        if user is None or user.is_deleted:
            continue
        count = int(count)
        if kind == NOTIFY_OVERDUE:
            notify(
                user,
                "bureau.overdue",
                lambda n=count: lazy_ngettext(
                    "%(num)d bureau referral passed its deadline", "%(num)d bureau referrals passed their deadline", n
                ),
                lambda: _l("The legal term for answering has expired. Answer without further delay."),
                link,
            )
        else:
            notify(
                user,
                "bureau.due_soon",
                lambda n=count: lazy_ngettext(
                    "%(num)d bureau referral is due within 3 days", "%(num)d bureau referrals are due within 3 days", n
                ),
                "",
                link,
            )
        sent += 1
    return sent
