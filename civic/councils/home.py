"""What the home page shows of councils: announced meetings still to come, in and around the visitor's territory."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from civic import db
from civic.core.shell import FeedItem
from civic.councils.models import Council, Meeting, MeetingState
from civic.db import utc_now
from civic.identity.models import Territory


def upcoming_meetings(territory: Territory | None, user, limit: int) -> list[FeedItem]:
    stmt = (
        select(Meeting)
        .join(Council, Council.id == Meeting.council_id)
        .where(Meeting.state == MeetingState.ANNOUNCED, Meeting.starts_at > utc_now())
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(limit)
    )
    if territory is not None:
        inside = select(Territory.id).where(Territory.path.startswith(territory.path))
        stmt = stmt.where(or_(Council.territory_id.in_(territory.ancestor_ids), Council.territory_id.in_(inside)))
    return [
        FeedItem(
            title=meeting.title,
            url=url_for("councils.meeting", meeting_id=meeting.id),
            kind=_("Public council meeting"),
            date=meeting.starts_at,
            status=meeting.council.name,
        )
        for meeting in db.session.scalars(stmt)
    ]


HOME_FEED = upcoming_meetings
