"""Figures the dashboards show about the citizen advice bureau (the contract: docs/dashboards.md): cases by
category and district ("pain points"), referrals answered on time, late or overdue by state body, evasive answers
escalated. Counts about people: public pages show a figure below 5 as "fewer than 5" (``suppress_below``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from civic import db
from civic.bureau.models import Case, Referral, ReferralAnswer
from civic.bureau.models.enums import ReferralState, Verdict
from civic.core.http import path_for

SECTION = _l("Citizen advice bureau")
SMALL = 5
OWING = (ReferralState.SENT.value, ReferralState.RETURNED.value)


def _days(end, start):
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.julianday(end) - sa.func.julianday(start)
    return sa.extract("epoch", end - start) / 86400.0


def _cases(since, now):
    """Cases per territory, day and category: the "pain points" (the dashboards keep the total too)."""
    day = sa.func.date(Case.created_at)
    return (
        sa.select(
            Case.territory_id.label("territory_id"),
            sa.null().label("body_id"),
            day.label("day"),
            sa.func.count().label("value"),
            Case.category_id.label("part"),
        )
        .where(Case.created_at >= since)
        .group_by(Case.territory_id, day, Case.category_id)
    )


def _referrals(column, *conditions):
    """Referrals counted on the day of ``column``, in the case's territory, per body."""

    def query(since, now):
        day = sa.func.date(column)
        return (
            sa.select(
                Case.territory_id.label("territory_id"),
                Referral.body_id.label("body_id"),
                day.label("day"),
                sa.func.count().label("value"),
            )
            .join(Case, Case.id == Referral.case_id)
            .where(column >= since, Referral.state != ReferralState.WITHDRAWN.value, *conditions)
            .group_by(Case.territory_id, Referral.body_id, day)
        )

    return query


def _overdue(since, now):
    return (
        sa.select(
            Case.territory_id.label("territory_id"),
            Referral.body_id.label("body_id"),
            sa.null().label("day"),
            sa.func.count().label("value"),
        )
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.state.in_(OWING), Referral.due_at < now)
        .group_by(Case.territory_id, Referral.body_id)
    )


def _answer_days(since, now):
    """One row per answered referral: days from the referral to the body's answer (median)."""
    return (
        sa.select(
            Case.territory_id.label("territory_id"),
            Referral.body_id.label("body_id"),
            sa.func.date(Referral.answered_at).label("day"),
            _days(Referral.answered_at, Referral.referred_at).label("value"),
        )
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.answered_at >= since)
    )


def _evasive(since, now):
    day = sa.func.date(ReferralAnswer.reviewed_at)
    return (
        sa.select(
            Case.territory_id.label("territory_id"),
            ReferralAnswer.body_id.label("body_id"),
            day.label("day"),
            sa.func.count().label("value"),
        )
        .join(Referral, Referral.id == ReferralAnswer.referral_id)
        .join(Case, Case.id == Referral.case_id)
        .where(ReferralAnswer.verdict == Verdict.EVASIVE.value, ReferralAnswer.reviewed_at >= since)
        .group_by(Case.territory_id, ReferralAnswer.body_id, day)
    )


MEASURES = [
    {
        "key": "bureau.cases",
        "label": _l("Cases opened"),
        "section": SECTION,
        "query": _cases,
        "breakdown": "category",
        "public": True,
        "suppress_below": SMALL,
    },
    {
        "key": "bureau.referrals",
        "label": _l("Referrals to state bodies"),
        "section": SECTION,
        "query": _referrals(Referral.referred_at),
        "public": True,
        "suppress_below": SMALL,
        "accountability": ("appeals", "received"),
    },
    {
        "key": "bureau.referrals_on_time",
        "label": _l("Referrals answered on time"),
        "section": SECTION,
        "query": _referrals(Referral.answered_at, Referral.answered_late.is_not(True)),
        "public": True,
        "suppress_below": SMALL,
        "accountability": ("appeals", "on_time"),
    },
    {
        "key": "bureau.referrals_late",
        "label": _l("Referrals answered late"),
        "section": SECTION,
        "query": _referrals(Referral.answered_at, Referral.answered_late.is_(True)),
        "public": True,
        "suppress_below": SMALL,
        "accountability": ("appeals", "late"),
        "digest": True,
    },
    {
        "key": "bureau.referrals_overdue",
        "label": _l("Referrals overdue"),
        "section": SECTION,
        "kind": "state",
        "query": _overdue,
        "public": True,
        "suppress_below": SMALL,
        "accountability": ("appeals", "unanswered"),
        "digest": True,
    },
    {
        "key": "bureau.answer_days",
        "label": _l("Median answer time to a referral, days"),
        "section": SECTION,
        "query": _answer_days,
        "rollup": "median",
        "unit": "days",
        "public": True,
        "accountability": ("appeals", "median_days"),
    },
    {
        "key": "bureau.evasive_escalated",
        "label": _l("Evasive answers returned to the body"),
        "section": SECTION,
        "query": _evasive,
        "digest": True,
    },
]


def _overdue_items(now):
    """One row per overdue referral. No title: a referral's summary may name the resident, and the digest is email."""
    return sa.select(
        Referral.body_id.label("body_id"),
        Referral.id.label("item_id"),
        sa.null().label("title"),
        Referral.due_at.label("due"),
    ).where(Referral.state.in_(OWING), Referral.due_at < now)


#: Overdue items by body, listed (numbers with links) in the dashboards' weekly digest (docs/dashboards.md).
OVERDUE_ITEMS = [
    {
        "key": "bureau.referrals_overdue",
        "label": _l("Referrals with the answer overdue"),
        "query": _overdue_items,
        "path": lambda item_id: path_for("bureau.referral_detail", referral_id=item_id),
    },
]
