"""The public tracker's queries: recommendations sent to state bodies, by council, body and status, and each body's
timeliness (answered on time, late, overdue, awaiting). Status is computed when the page reads (``now``): nothing
is stored as "overdue"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from civic import db
from civic.councils.models import Council, Recommendation, RecState
from civic.identity.models import StateBody

STATUSES = ("awaiting", "overdue", "answered_on_time", "answered_late")
PAGE_SIZE = 25


def status_condition(status: str, now: datetime):
    if status == "awaiting":
        return and_(Recommendation.state == RecState.ADOPTED, Recommendation.due_at >= now)
    if status == "overdue":
        return and_(Recommendation.state == RecState.ADOPTED, Recommendation.due_at < now)
    if status == "answered_on_time":
        return and_(Recommendation.state == RecState.ANSWERED, Recommendation.answered_late.is_(False))
    if status == "answered_late":
        return and_(Recommendation.state == RecState.ANSWERED, Recommendation.answered_late.is_(True))
    return None


@dataclass
class Page:
    rows: list[Recommendation]
    page: int
    has_next: bool


def sent(
    now: datetime,
    council_id: int | None = None,
    body_id: int | None = None,
    status: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """Recommendations sent to a body, newest first (one page; one row more tells whether a next page exists)."""
    stmt = (
        select(Recommendation)
        .where(Recommendation.sent_at.is_not(None))
        .options(selectinload(Recommendation.council), selectinload(Recommendation.body))
    )
    if council_id:
        stmt = stmt.where(Recommendation.council_id == council_id)
    if body_id:
        stmt = stmt.where(Recommendation.body_id == body_id)
    condition = status_condition(status, now) if status else None
    if condition is not None:
        stmt = stmt.where(condition)
    page = max(page, 1)
    rows = list(
        db.session.scalars(
            stmt.order_by(Recommendation.sent_at.desc(), Recommendation.id.desc())
            .offset((page - 1) * size)
            .limit(size + 1)
        )
    )
    return Page(rows[:size], page, len(rows) > size)


@dataclass
class Timeliness:
    body: StateBody
    awaiting: int
    overdue: int
    on_time: int
    late: int

    @property
    def total(self) -> int:
        return self.awaiting + self.overdue + self.on_time + self.late


def timeliness(now: datetime, body_id: int | None = None, council_id: int | None = None) -> list[Timeliness]:
    """Per body: how many recommendations await an answer, are overdue, were answered on time or late.

    Two grouped range reads of the covering index ``ix_council_recs_state_body`` (state, body, answered late, due):
    the open ones per body with how many are past their deadline now, and the answered ones per body and lateness.
    For one council the council's own rows are few and read through its index in one grouped query."""
    figures: dict[int, list[int]] = {}  # awaiting, overdue, on time, late
    past = func.sum(case((Recommendation.due_at < now, 1), else_=0))
    if council_id:
        conditions = [Recommendation.council_id == council_id, Recommendation.body_id.is_not(None)]
        if body_id:
            conditions.append(Recommendation.body_id == body_id)
        rows = db.session.execute(
            select(Recommendation.body_id, Recommendation.state, Recommendation.answered_late, func.count(), past)
            .where(*conditions)
            .group_by(Recommendation.body_id, Recommendation.state, Recommendation.answered_late)
        ).all()
    else:
        in_body = [Recommendation.body_id == body_id] if body_id else [Recommendation.body_id.is_not(None)]
        open_rows = db.session.execute(
            select(Recommendation.body_id, func.count(), past)
            .where(Recommendation.state == RecState.ADOPTED, *in_body)
            .group_by(Recommendation.body_id)
        ).all()
        answered_rows = db.session.execute(
            select(Recommendation.body_id, Recommendation.answered_late, func.count())
            .where(Recommendation.state == RecState.ANSWERED, *in_body)
            .group_by(Recommendation.body_id, Recommendation.answered_late)
        ).all()
        rows = [(b, RecState.ADOPTED, False, n, n_past) for b, n, n_past in open_rows]
        rows += [(b, RecState.ANSWERED, late, n, 0) for b, late, n in answered_rows]
    for body, state, late, n, n_past in rows:
        row = figures.setdefault(body, [0, 0, 0, 0])
        if state == RecState.ADOPTED:
            row[0] += n - int(n_past or 0)
            row[1] += int(n_past or 0)
        elif state == RecState.ANSWERED:
            row[3 if late else 2] += n
    bodies = {b.id: b for b in db.session.scalars(select(StateBody).where(StateBody.id.in_(list(figures))))}
    result = [Timeliness(bodies[b], *f) for b, f in figures.items()]
    return sorted(result, key=lambda t: (-t.overdue, -t.total, t.body.id))


#: Above this many councils the tracker's council filter is not a drop-down (council pages link to it instead).
COUNCIL_CHOICES_LIMIT = 300


def council_choices() -> list[Council]:
    """The councils for the tracker's filter; none when there are too many for a drop-down."""
    if (db.session.scalar(select(func.count()).select_from(Council)) or 0) > COUNCIL_CHOICES_LIMIT:
        return []
    return list(db.session.scalars(select(Council)))
