"""Figures the dashboards show about Delphi studies (the contract: docs/dashboards.md). A study has no territory
of its own: it counts in its organiser's home territory (the republic when unknown)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic.delphi.models import DelphiItem, DelphiStudy
from civic.delphi.models.study import StudyStatus
from civic.identity.models import Territory, User

SECTION = _l("Delphi studies")


def _territory():
    republic = sa.select(Territory.id).where(Territory.level == "republic").order_by(Territory.id).limit(1)
    return sa.func.coalesce(User.home_territory_id, republic.scalar_subquery())


def _running(since, now):
    territory = _territory()
    return (
        sa.select(
            territory.label("territory_id"),
            sa.null().label("body_id"),
            sa.null().label("day"),
            sa.func.count().label("value"),
        )
        .select_from(DelphiStudy)
        .outerjoin(User, User.id == DelphiStudy.organiser_id)
        .where(DelphiStudy.status == StudyStatus.RUNNING.value)
        .group_by(territory)
    )


def _concluded(since, now):
    territory, day = _territory(), sa.func.date(DelphiStudy.finished_at)
    return (
        sa.select(
            territory.label("territory_id"),
            sa.null().label("body_id"),
            day.label("day"),
            sa.func.count().label("value"),
        )
        .select_from(DelphiStudy)
        .outerjoin(User, User.id == DelphiStudy.organiser_id)
        .where(DelphiStudy.status == StudyStatus.FINISHED.value, DelphiStudy.finished_at >= since)
        .group_by(territory, day)
    )


def _consensus(since, now):
    """Questions that reached consensus (an item's last verdict ``closed_consensus``), in running and ended studies."""
    territory = _territory()
    return (
        sa.select(
            territory.label("territory_id"),
            sa.null().label("body_id"),
            sa.null().label("day"),
            sa.func.count().label("value"),
        )
        .select_from(DelphiItem)
        .join(DelphiStudy, DelphiStudy.id == DelphiItem.study_id)
        .outerjoin(User, User.id == DelphiStudy.organiser_id)
        .where(DelphiItem.final_status.startswith("closed_consensus"), DelphiStudy.status != StudyStatus.DRAFT.value)
        .group_by(territory)
    )


MEASURES = [
    {
        "key": "delphi.running",
        "label": _l("Studies running"),
        "section": SECTION,
        "kind": "state",
        "query": _running,
        "public": True,
    },
    {
        "key": "delphi.concluded",
        "label": _l("Studies concluded"),
        "section": SECTION,
        "query": _concluded,
        "public": True,
    },
    {
        "key": "delphi.consensus",
        "label": _l("Questions on which the panel reached consensus"),
        "section": SECTION,
        "kind": "state",
        "query": _consensus,
        "public": True,
    },
]
