"""What the home page shows of petitions: those open for signatures that concern the visitor's territory."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from civic import db
from civic.core.i18n import format_day
from civic.core.shell import FeedItem
from civic.identity.models import Territory
from civic.petitions.models import Petition, PetitionState


def open_petitions(territory: Territory | None, user, limit: int) -> list[FeedItem]:
    """Open petitions, newest first: to the territory, to the levels above it (they concern it too) and inside it."""
    stmt = (
        select(Petition)
        .where(Petition.state == PetitionState.OPEN)
        .options(joinedload(Petition.territory))
        .order_by(Petition.opened_at.desc(), Petition.id.desc())
        .limit(limit)
    )
    if territory is not None:
        inside = select(Territory.id).where(Territory.path.startswith(territory.path))
        stmt = stmt.where(or_(Petition.territory_id.in_(territory.ancestor_ids), Petition.territory_id.in_(inside)))
    return [
        FeedItem(
            title=petition.title,
            url=url_for("petitions.detail", petition_id=petition.id),
            kind=_("Petition"),
            date=petition.closes_at,
            status=" · ".join(
                (
                    ngettext("%(num)s signature", "%(num)s signatures", petition.signature_count),
                    _("until %(date)s", date=format_day(petition.closes_at)),
                    petition.territory.name,
                )
            ),
        )
        for petition in db.session.scalars(stmt)
    ]


HOME_FEED = open_petitions
