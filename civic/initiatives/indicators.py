"""Figures the dashboards show about initiatives (contract: the dashboards read ``MEASURES``; docs/initiatives.md).

Plain dicts, no import of the dashboards: initiatives started, steps passed (by day), initiatives running now by
their current step, and weak-spots reports waiting for an answer."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.initiatives.models import STEPS, Initiative, StepMove, WeakSpot

SECTION = _l("Initiatives")


def _started(since, now):
    day = sa.func.date(Initiative.created_at)
    return (
        sa.select(
            Initiative.territory_id.label("territory_id"),
            Initiative.body_id.label("body_id"),
            day.label("day"),
            sa.func.count().label("value"),
        )
        .where(Initiative.created_at >= since, Initiative.is_public.is_(True))
        .group_by(Initiative.territory_id, Initiative.body_id, day)
    )


def _steps_passed(since, now):
    day = sa.func.date(StepMove.created_at)
    return (
        sa.select(
            Initiative.territory_id.label("territory_id"),
            Initiative.body_id.label("body_id"),
            day.label("day"),
            sa.func.count().label("value"),
        )
        .join(Initiative, Initiative.id == StepMove.initiative_id)
        .where(StepMove.created_at >= since, Initiative.is_public.is_(True))
        .group_by(Initiative.territory_id, Initiative.body_id, day)
    )


def _by_step(since, now):
    step = sa.cast(Initiative.step, sa.String)
    return (
        sa.select(
            Initiative.territory_id.label("territory_id"),
            Initiative.body_id.label("body_id"),
            sa.null().label("day"),
            sa.func.count().label("value"),
            step.label("part"),
        )
        .where(Initiative.reported_at.is_(None), Initiative.is_public.is_(True))
        .group_by(Initiative.territory_id, Initiative.body_id, step)
    )


def _weak_spots_waiting(since, now):
    return (
        sa.select(
            WeakSpot.to_territory_id.label("territory_id"),
            sa.null().label("body_id"),
            sa.null().label("day"),
            sa.func.count().label("value"),
        )
        .where(WeakSpot.answered_at.is_(None))
        .group_by(WeakSpot.to_territory_id)
    )


MEASURES = [
    {
        "key": "initiatives.started",
        "label": _l("Initiatives started"),
        "section": SECTION,
        "query": _started,
        "public": True,
    },
    {
        "key": "initiatives.steps_passed",
        "label": _l("Steps passed"),
        "section": SECTION,
        "query": _steps_passed,
        "public": True,
    },
    {
        "key": "initiatives.running_by_step",
        "label": _l("Initiatives running, by step"),
        "section": SECTION,
        "query": _by_step,
        "kind": "state",
        "public": True,
        "breakdown": {str(n): label for n, label in STEPS.items()},
    },
    {
        "key": "initiatives.weak_spots_waiting",
        "label": _l("Weak-spots reports waiting for an answer"),
        "section": SECTION,
        "query": _weak_spots_waiting,
        "kind": "state",
        "digest": True,
    },
]
