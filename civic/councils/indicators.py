"""Figures the dashboards show about public councils (contract: docs of the dashboards, issue 12): meetings held,
recommendations sent, awaiting an answer and overdue now, answered on time or late, and the median answer time, per
council territory and per state body."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic import db
from civic.core.http import path_for
from civic.councils.models import Council, Meeting, MeetingState, Recommendation, RecState

SECTION = _l("Public councils")


def _days(end, start):
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.julianday(end) - sa.func.julianday(start)
    return sa.extract("epoch", end - start) / 86400.0


def _meetings_held(since, now):
    day = sa.func.date(Meeting.starts_at)
    return (
        sa.select(
            Council.territory_id.label("territory_id"),
            sa.null().label("body_id"),
            day.label("day"),
            sa.func.count().label("value"),
        )
        .join(Council, Council.id == Meeting.council_id)
        .where(Meeting.state == MeetingState.ANNOUNCED, Meeting.starts_at >= since, Meeting.starts_at <= now)
        .group_by(Council.territory_id, day)
    )


def _flow(column, *conditions):
    def query(since, now):
        day = sa.func.date(column)
        return (
            sa.select(
                Council.territory_id.label("territory_id"),
                Recommendation.body_id.label("body_id"),
                day.label("day"),
                sa.func.count().label("value"),
            )
            .join(Council, Council.id == Recommendation.council_id)
            .where(column >= since, Recommendation.body_id.is_not(None), *conditions)
            .group_by(Council.territory_id, Recommendation.body_id, day)
        )

    return query


def _open(overdue: bool):
    def query(since, now):
        due = Recommendation.due_at < now if overdue else Recommendation.due_at >= now
        return (
            sa.select(
                Council.territory_id.label("territory_id"),
                Recommendation.body_id.label("body_id"),
                sa.null().label("day"),
                sa.func.count().label("value"),
            )
            .join(Council, Council.id == Recommendation.council_id)
            .where(Recommendation.state == RecState.ADOPTED, due)
            .group_by(Council.territory_id, Recommendation.body_id)
        )

    return query


def _answer_days(since, now):
    return (
        sa.select(
            Council.territory_id.label("territory_id"),
            Recommendation.body_id.label("body_id"),
            sa.func.date(Recommendation.answered_at).label("day"),
            _days(Recommendation.answered_at, Recommendation.sent_at).label("value"),
        )
        .join(Council, Council.id == Recommendation.council_id)
        .where(Recommendation.answered_at >= since, Recommendation.sent_at.is_not(None))
    )


MEASURES = [
    {
        "key": "councils.meetings_held",
        "label": _l("Council meetings held"),
        "section": SECTION,
        "query": _meetings_held,
        "public": True,
    },
    {
        "key": "councils.recommendations_sent",
        "label": _l("Recommendations sent to state bodies"),
        "section": SECTION,
        "query": _flow(Recommendation.sent_at),
        "public": True,
        "accountability": ("recommendations", "received"),
    },
    {
        "key": "councils.recommendations_awaiting",
        "label": _l("Recommendations awaiting an answer"),
        "section": SECTION,
        "query": _open(False),
        "kind": "state",
        "public": True,
    },
    {
        "key": "councils.recommendations_overdue",
        "label": _l("Recommendations with the answer overdue"),
        "section": SECTION,
        "query": _open(True),
        "kind": "state",
        "public": True,
        "accountability": ("recommendations", "unanswered"),
        "digest": True,
    },
    {
        "key": "councils.recommendations_answered_on_time",
        "label": _l("Recommendations answered on time"),
        "section": SECTION,
        "query": _flow(Recommendation.answered_at, Recommendation.answered_late.is_(False)),
        "public": True,
        "accountability": ("recommendations", "on_time"),
    },
    {
        "key": "councils.recommendations_answered_late",
        "label": _l("Recommendations answered late"),
        "section": SECTION,
        "query": _flow(Recommendation.answered_at, Recommendation.answered_late.is_(True)),
        "public": True,
        "accountability": ("recommendations", "late"),
    },
    {
        "key": "councils.answer_days",
        "label": _l("Median time to answer a recommendation"),
        "section": SECTION,
        "query": _answer_days,
        "rollup": "median",
        "unit": "days",
        "public": True,
        "accountability": ("recommendations", "median_days"),
    },
]


def _overdue_items(now):
    """One row per adopted recommendation whose answer is overdue (its first 80 characters as the title)."""
    return sa.select(
        Recommendation.body_id.label("body_id"),
        Recommendation.id.label("item_id"),
        sa.func.substr(Recommendation.text, 1, 80).label("title"),
        Recommendation.due_at.label("due"),
    ).where(Recommendation.state == RecState.ADOPTED, Recommendation.due_at < now)


#: Overdue items by body, listed (titles with links) in the dashboards' weekly digest (docs/dashboards.md).
OVERDUE_ITEMS = [
    {
        "key": "councils.recommendations_overdue",
        "label": _l("Public council recommendations with the answer overdue"),
        "query": _overdue_items,
        "path": lambda item_id: path_for("councils.recommendation", rec_id=item_id),
    },
]
