"""What the home page shows of initiatives: public ones in the visitor's territory (above it and inside it), the
most recently started first, with their step."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from civic import db
from civic.core.shell import FeedItem
from civic.identity.models import Territory
from civic.initiatives.models import Initiative


def initiatives_feed(territory: Territory | None, user, limit: int) -> list[FeedItem]:
    stmt = (
        select(Initiative)
        .where(Initiative.is_public.is_(True))
        .order_by(Initiative.created_at.desc(), Initiative.id.desc())
        .limit(limit)
    )
    if territory is not None:
        inside = select(Territory.id).where(Territory.path.startswith(territory.path))
        stmt = stmt.where(or_(Initiative.territory_id.in_(territory.ancestor_ids), Initiative.territory_id.in_(inside)))
    items = []
    for initiative in db.session.scalars(stmt):
        if initiative.finished:
            status = _("Finished: report published")
        else:
            status = _("Step %(n)s of 10", n=initiative.step) + ": " + initiative.step_label
        items.append(
            FeedItem(
                title=initiative.title,
                url=url_for("initiatives.detail", initiative_id=initiative.id),
                kind=_("Initiative"),
                date=initiative.reported_at or initiative.created_at,
                status=f"{status} · {initiative.territory.name}",
            )
        )
    return items


HOME_FEED = initiatives_feed
