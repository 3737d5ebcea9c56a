"""Dashboard fixtures: rows placed by hand in known territories (petitions, bureau cases and referrals), so that
every rolled-up figure can be checked against arithmetic done in the test."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from civic import db
from civic.bureau.models import Case, Referral
from civic.dashboards import refresh
from civic.petitions.models import Petition

#: A fixed "now" (a Wednesday): weeks start on Monday 2026-11-30, months on 2026-12-01, quarters on 2026-10-01.
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
_tokens = itertools.count(1)


def petition(
    directory, territory: str, opened: datetime | None, *, body: str | None = None, category="transport_roads", **fields
):
    p = Petition(
        title="Petition",
        text="Text",
        territory_id=directory.territories[territory],
        category_id=directory.categories[category],
        state_body_id=directory.bodies[body] if body else None,
        supporter_token=f"token-{next(_tokens)}",
        state="open",
        opened_at=opened,
        **fields,
    )
    db.session.add(p)
    return p


def case(directory, territory: str, created: datetime, category="housing"):
    c = Case(
        contact_channel="email",
        channel="online",
        category_id=directory.categories[category],
        territory_id=directory.territories[territory],
        created_at=created,
        state_changed_at=created,
    )
    db.session.add(c)
    db.session.flush()
    return c


def referral(directory, c: Case, body: str, referred: datetime, **fields):
    r = Referral(case_id=c.id, body_id=directory.bodies[body], summary="Summary", referred_at=referred, **fields)
    db.session.add(r)
    return r


def run_refresh(app, now=NOW):
    with app.app_context(), db.transaction():
        log = refresh.refresh(now=now)
        return log.failed


def days(n: float) -> timedelta:
    return timedelta(days=n)


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"
