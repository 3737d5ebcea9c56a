"""Figures the dashboards show about idea contests (the contract: docs/dashboards.md): contests running, ideas
submitted, votes, winners and where the winners' implementation stands. Drafts never count."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.contests.models import Competition, Contest, Entry, EntryState, Vote
from civic.contests.models.contest import ContestState

SECTION = _l("Idea contests")
PUBLISHED = Contest.state == ContestState.PUBLISHED.value
IMPLEMENTATION = {
    "awaiting": _l("Results published, implementation not started"),
    "underway": _l("Implementation under way, no report yet"),
    "reported": _l("Implementation reported"),
}


def _running(since, now):
    return (
        sa.select(
            Contest.territory_id.label("territory_id"),
            Contest.body_id.label("body_id"),
            sa.null().label("day"),
            sa.func.count().label("value"),
        )
        .where(PUBLISHED, Contest.submission_opens_at <= now, Contest.results_at > now)
        .group_by(Contest.territory_id, Contest.body_id)
    )


def _joined(column, source, *conditions):
    """Rows of ``source`` (entries, votes) counted on the day of ``column``, in their contest's territory."""

    def query(since, now):
        day = sa.func.date(column)
        return (
            sa.select(
                Contest.territory_id.label("territory_id"),
                Contest.body_id.label("body_id"),
                day.label("day"),
                sa.func.count().label("value"),
            )
            .select_from(source)
            .join(Contest, Contest.competition_id == source.competition_id)
            .where(PUBLISHED, column >= since, *conditions)
            .group_by(Contest.territory_id, Contest.body_id, day)
        )

    return query


def _winners(since, now):
    """Winners announced: each contest's winner count, on the day its results were published."""
    day = sa.func.date(Competition.results_published_at)
    return (
        sa.select(
            Contest.territory_id.label("territory_id"),
            Contest.body_id.label("body_id"),
            day.label("day"),
            sa.func.sum(Competition.winner_count).label("value"),
        )
        .join(Competition, Competition.id == Contest.competition_id)
        .where(PUBLISHED, Competition.results_published_at >= since)
        .group_by(Contest.territory_id, Contest.body_id, day)
    )


def _implementation(since, now):
    status = sa.case(
        (sa.func.length(sa.func.coalesce(Contest.implementation_report, "")) > 0, "reported"),
        (Contest.implementation_at <= now, "underway"),
        else_="awaiting",
    )
    return (
        sa.select(
            Contest.territory_id.label("territory_id"),
            Contest.body_id.label("body_id"),
            sa.null().label("day"),
            sa.func.count().label("value"),
            status.label("part"),
        )
        .join(Competition, Competition.id == Contest.competition_id)
        .where(PUBLISHED, Competition.results_published_at.is_not(None))
        .group_by(Contest.territory_id, Contest.body_id, status)
    )


MEASURES = [
    {
        "key": "contests.running",
        "label": _l("Contests running"),
        "section": SECTION,
        "kind": "state",
        "query": _running,
        "public": True,
    },
    {
        "key": "contests.ideas",
        "label": _l("Ideas submitted"),
        "section": SECTION,
        "query": _joined(Entry.created_at, Entry, Entry.state != EntryState.WITHDRAWN.value),
        "public": True,
    },
    {
        "key": "contests.votes",
        "label": _l("Votes cast"),
        "section": SECTION,
        "query": _joined(Vote.created_at, Vote),
        "public": True,
    },
    {
        "key": "contests.winners",
        "label": _l("Winners announced"),
        "section": SECTION,
        "query": _winners,
        "public": True,
    },
    {
        "key": "contests.implementation",
        "label": _l("Winning contests by implementation status"),
        "section": SECTION,
        "kind": "state",
        "query": _implementation,
        "breakdown": IMPLEMENTATION,
        "public": True,
    },
]
