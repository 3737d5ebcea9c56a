"""Figures the dashboards show about petitions (the contract: docs/dashboards.md). One grouped query each,
run by the database inside ``flask dashboards refresh``; nothing here imports the dashboards."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic import db
from civic.core.http import path_for
from civic.petitions.models import Petition

SECTION = _l("Petitions")
P = Petition


def _days(end, start):
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.julianday(end) - sa.func.julianday(start)
    return sa.extract("epoch", end - start) / 86400.0


def _flow(column, *conditions, part=None):
    """Petitions counted on the day of ``column``, per territory and body (and ``part``)."""

    def query(since, now):
        day = sa.func.date(column)
        columns = [
            P.territory_id.label("territory_id"),
            P.state_body_id.label("body_id"),
            day.label("day"),
            sa.func.count().label("value"),
        ]
        group = [P.territory_id, P.state_body_id, day]
        if part is not None:
            columns.append(part.label("part"))
            group.append(part)
        return sa.select(*columns).where(column >= since, *conditions).group_by(*group)

    return query


def _state(conditions):
    def query(since, now):
        return (
            sa.select(
                P.territory_id.label("territory_id"),
                P.state_body_id.label("body_id"),
                sa.null().label("day"),
                sa.func.count().label("value"),
            )
            .where(*conditions(now))
            .group_by(P.territory_id, P.state_body_id)
        )

    return query


def _answer_days(since, now):
    """One row per answered petition: days from reaching the response threshold to the answer (median)."""
    return sa.select(
        P.territory_id.label("territory_id"),
        P.state_body_id.label("body_id"),
        sa.func.date(P.responded_at).label("day"),
        _days(P.responded_at, P.response_threshold_reached_at).label("value"),
    ).where(P.responded_at >= since, P.response_threshold_reached_at.is_not(None))


MEASURES = [
    {
        "key": "petitions.opened",
        "label": _l("Petitions opened for signatures"),
        "section": SECTION,
        "query": _flow(P.opened_at, part=P.category_id),
        "breakdown": "category",
        "public": True,
    },
    {
        "key": "petitions.over_threshold",
        "label": _l("Petitions over the answer threshold"),
        "section": SECTION,
        "query": _flow(P.response_threshold_reached_at),
        "public": True,
        "accountability": ("petitions", "received"),
    },
    {
        "key": "petitions.answers_due",
        "label": _l("Answers due (deadline not passed)"),
        "section": SECTION,
        "kind": "state",
        "query": _state(lambda now: (P.responded_at.is_(None), P.response_due_at >= now)),
        "public": True,
        "digest": True,
    },
    {
        "key": "petitions.answers_overdue",
        "label": _l("Answers overdue"),
        "section": SECTION,
        "kind": "state",
        "query": _state(lambda now: (P.responded_at.is_(None), P.response_due_at < now)),
        "public": True,
        "accountability": ("petitions", "unanswered"),
        "digest": True,
    },
    {
        "key": "petitions.answered_on_time",
        "label": _l("Petitions answered on time"),
        "section": SECTION,
        "query": _flow(P.responded_at, P.response_due_at.is_not(None), P.responded_at <= P.response_due_at),
        "public": True,
        "accountability": ("petitions", "on_time"),
    },
    {
        "key": "petitions.answered_late",
        "label": _l("Petitions answered late"),
        "section": SECTION,
        "query": _flow(P.responded_at, P.response_due_at.is_not(None), P.responded_at > P.response_due_at),
        "public": True,
        "accountability": ("petitions", "late"),
        "digest": True,
    },
    {
        "key": "petitions.answer_days",
        "label": _l("Median answer time, days"),
        "section": SECTION,
        "query": _answer_days,
        "rollup": "median",
        "unit": "days",
        "public": True,
        "accountability": ("petitions", "median_days"),
    },
]


def _overdue_items(now):
    """One row per petition whose answer is overdue: the weekly digest lists them by title to the body's head."""
    return sa.select(
        P.state_body_id.label("body_id"),
        P.id.label("item_id"),
        P.title.label("title"),
        P.response_due_at.label("due"),
    ).where(P.state_body_id.is_not(None), P.responded_at.is_(None), P.response_due_at < now)


#: Overdue items by body, listed (titles with links) in the dashboards' weekly digest (docs/dashboards.md).
OVERDUE_ITEMS = [
    {
        "key": "petitions.answers_overdue",
        "label": _l("Petitions with the answer overdue"),
        "query": _overdue_items,
        "path": lambda item_id: path_for("petitions.detail", petition_id=item_id),
    },
]
