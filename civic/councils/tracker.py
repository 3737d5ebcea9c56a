"""The public tracker's queries: recommendations sent to state bodies, by council, body and status, and each body's
timeliness (answered on time, late, overdue, awaiting). Status is computed when the page reads (``now``): nothing
is stored as "overdue"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

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
    stmt = select(Recommendation).where(Recommendation.sent_at.is_not(None))
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


def _counts(now: datetime):
    adopted = Recommendation.state == RecState.ADOPTED
    answered = Recommendation.state == RecState.ANSWERED
    return (
        func.sum(case((and_(adopted, Recommendation.due_at >= now), 1), else_=0)),
        func.sum(case((and_(adopted, Recommendation.due_at < now), 1), else_=0)),
        func.sum(case((and_(answered, Recommendation.answered_late.is_(False)), 1), else_=0)),
        func.sum(case((and_(answered, Recommendation.answered_late.is_(True)), 1), else_=0)),
    )


def timeliness(now: datetime, body_id: int | None = None, council_id: int | None = None) -> list[Timeliness]:
    """Per body: how many recommendations await an answer, are overdue, were answered on time or late."""
    stmt = (
        select(Recommendation.body_id, *_counts(now))
        .where(Recommendation.sent_at.is_not(None))
        .group_by(Recommendation.body_id)
    )
    if body_id:
        stmt = stmt.where(Recommendation.body_id == body_id)
    if council_id:
        stmt = stmt.where(Recommendation.council_id == council_id)
    rows = db.session.execute(stmt).all()
    bodies = {b.id: b for b in db.session.scalars(select(StateBody).where(StateBody.id.in_([r[0] for r in rows])))}
    result = [Timeliness(bodies[r[0]], int(r[1] or 0), int(r[2] or 0), int(r[3] or 0), int(r[4] or 0)) for r in rows]
    return sorted(result, key=lambda t: (-t.overdue, -t.total, t.body.id))


def councils_with_recommendations() -> list[Council]:
    ids = select(Recommendation.council_id).where(Recommendation.sent_at.is_not(None)).distinct()
    return list(db.session.scalars(select(Council).where(Council.id.in_(ids))))
