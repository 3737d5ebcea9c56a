"""What the home page shows of the advice bureau: the signed-in person's own open cases (cases are confidential,
so nobody else's and nothing for visitors; they are not tied to the territory being browsed either)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from civic import db
from civic.bureau.models import Case
from civic.bureau.models.enums import OPEN_STATES
from civic.core.shell import FeedItem


def own_open_cases(territory, user, limit: int) -> list[FeedItem]:
    if user is None:
        return []
    cases = db.session.scalars(
        select(Case)
        .where(Case.client_id == user.id, Case.state.in_([str(state) for state in OPEN_STATES]))
        .order_by(Case.id.desc())
        .limit(limit)
    )
    return [
        FeedItem(
            title=_("Your case %(number)s", number=case.number),
            url=url_for("bureau.case_detail", case_id=case.id),
            kind=_("Advice bureau"),
            date=case.created_at,
            status=case.state_label,
        )
        for case in cases
    ]


HOME_FEED = own_open_cases
