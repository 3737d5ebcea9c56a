"""What the home page shows of Delphi studies: the viewer's running panels, then recently published results.

Studies are not tied to a territory: panels are private until their results are published, so a visitor sees only
published results, and a signed-in person also the running studies they answer in or organise."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from civic import db
from civic.core.i18n import format_day, format_when
from civic.core.shell import FeedItem
from civic.delphi.models import DelphiPanelist, DelphiStudy, StudyStatus


def studies(territory, user, limit: int) -> list[FeedItem]:
    items: list[FeedItem] = []
    if user is not None:
        mine = select(DelphiPanelist.study_id).where(DelphiPanelist.user_id == user.id)
        running = db.session.scalars(
            select(DelphiStudy)
            .where(
                DelphiStudy.status == StudyStatus.RUNNING,
                or_(DelphiStudy.id.in_(mine), DelphiStudy.organiser_id == user.id),
            )
            .options(selectinload(DelphiStudy.rounds))
            .order_by(DelphiStudy.id.desc())
            .limit(limit)
        )
        for study in running:
            rnd = study.open_round
            items.append(
                FeedItem(
                    title=study.title,
                    url=url_for("delphi.study", study_id=study.id),
                    kind=_("Expert panel"),
                    date=rnd.deadline if rnd else None,
                    status=_("Round %(n)s open until %(deadline)s", n=rnd.number, deadline=format_when(rnd.deadline))
                    if rnd
                    else _("Running"),
                )
            )
    published = db.session.scalars(
        select(DelphiStudy)
        .where(DelphiStudy.results_published_at.is_not(None))
        .order_by(DelphiStudy.results_published_at.desc())
        .limit(max(limit - len(items), 0))
    )
    items.extend(
        FeedItem(
            title=study.title,
            url=url_for("delphi.results_page", study_id=study.id),
            kind=_("Expert panel"),
            date=study.results_published_at,
            status=_("Results published %(date)s", date=format_day(study.results_published_at)),
        )
        for study in published
    )
    return items


HOME_FEED = studies
