"""What the home page shows of contests: published ones still taking part (not in implementation), that concern the
visitor's territory."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from civic import db
from civic.contests.models import PHASE_LABELS, Contest, ContestState, Phase
from civic.core.i18n import format_day
from civic.core.shell import FeedItem
from civic.db import utc_now
from civic.identity.models import Territory


def live_contests(territory: Territory | None, user, limit: int) -> list[FeedItem]:
    """Contests whose implementation has not begun, the soonest phase change first: to the territory, above it and
    inside it."""
    now = utc_now()
    stmt = (
        select(Contest)
        .where(Contest.state == ContestState.PUBLISHED, Contest.implementation_at > now)
        .order_by(Contest.submission_opens_at.desc(), Contest.id.desc())
        .limit(limit)
    )
    if territory is not None:
        inside = select(Territory.id).where(Territory.path.startswith(territory.path))
        stmt = stmt.where(or_(Contest.territory_id.in_(territory.ancestor_ids), Contest.territory_id.in_(inside)))
    items = []
    for contest in db.session.scalars(stmt):
        phase = contest.phase_at(now)
        end = contest.phase_end(phase) if phase != Phase.ANNOUNCED else contest.submission_opens_at
        parts = [str(PHASE_LABELS[phase])]
        if end is not None:
            parts.append(_("until %(date)s", date=format_day(end)))
        parts.append(contest.territory.name)
        items.append(
            FeedItem(
                title=contest.title,
                url=url_for("contests.detail", contest_id=contest.id),
                kind=_("Idea contest"),
                date=end,
                status=" · ".join(parts),
            )
        )
    return items


def live_hackathons(territory: Territory | None, user, limit: int) -> list[FeedItem]:
    """Published hackathons whose pitching has not passed by more than a week, the soonest first."""
    from datetime import timedelta

    from civic.contests.models import HACKATHON_PHASE_LABELS, Hackathon

    now = utc_now()
    stmt = (
        select(Hackathon)
        .where(Hackathon.published.is_(True), Hackathon.jury_opens_at > now - timedelta(days=7))
        .order_by(Hackathon.starts_at, Hackathon.id)
        .limit(limit)
    )
    if territory is not None:
        inside = select(Territory.id).where(Territory.path.startswith(territory.path))
        stmt = stmt.where(or_(Hackathon.territory_id.in_(territory.ancestor_ids), Hackathon.territory_id.in_(inside)))
    return [
        FeedItem(
            title=h.title,
            url=url_for("contests.hackathon", hackathon_id=h.id),
            kind=_("Hackathon"),
            date=h.starts_at,
            status=" · ".join(
                [str(HACKATHON_PHASE_LABELS[h.phase_at(now)]), format_day(h.starts_at), h.territory.name]
            ),
        )
        for h in db.session.scalars(stmt)
    ]


def home_feed(territory: Territory | None, user, limit: int) -> list[FeedItem]:
    return live_contests(territory, user, limit) + live_hackathons(territory, user, limit)


HOME_FEED = home_feed
