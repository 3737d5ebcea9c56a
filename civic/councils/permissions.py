"""Council permissions. ``councils.manage`` (the akimat's council office, scoped to a territory) sets councils up and
appoints seats; running a council (meetings, agenda, votes, minutes, experts, moderation, volunteer calls) follows
a sitting chair's, deputy's or secretary's seat, or ``councils.manage`` over its territory; ``councils.answer`` lets
a state body's officials acknowledge and answer the recommendations routed to their body. The ``council_member``
role (declared by Delphi too; the grants merge) follows a sitting seat: councils grants and revokes it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.councils.models import RUNNING_ROLES, Council, Seat
from civic.db import utc_now
from civic.identity.permissions import OFFICIAL

MANAGE = "councils.manage"
ANSWER = "councils.answer"

COUNCIL_MEMBER, COUNCIL_OFFICE = "council_member", "council_office"
ROLES = {
    COUNCIL_MEMBER: _l("Public council member"),
    COUNCIL_OFFICE: _l("Public councils office of the akimat"),
}
PERMISSIONS = {
    MANAGE: _l("Set up public councils and appoint their members; run any council of the territory"),
    ANSWER: _l("Acknowledge and answer public-council recommendations routed to one's state body"),
}
DEFAULTS = {
    COUNCIL_OFFICE: {MANAGE},
    OFFICIAL: {ANSWER},
}


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def sitting_seat(user, council: Council) -> Seat | None:
    if not _signed_in(user):
        return None
    today = utc_now().date()
    return db.session.scalar(
        select(Seat).where(
            Seat.council_id == council.id,
            Seat.user_id == user.id,
            Seat.ended_at.is_(None),
            Seat.starts_on <= today,
            Seat.term_ends_on >= today,
        )
    )


def can_manage(user, council: Council | None = None, territory=None) -> bool:
    if not _signed_in(user):
        return False
    return user.has_permission(MANAGE, territory=council.territory if council is not None else territory)


def can_run(user, council: Council) -> bool:
    """Chair, deputy and secretary of the council (sitting), or the council office of its territory."""
    if not _signed_in(user):
        return False
    seat = sitting_seat(user, council)
    if seat is not None and seat.role in RUNNING_ROLES:
        return True
    return can_manage(user, council)


def can_answer(user, body) -> bool:
    if not _signed_in(user) or body is None:
        return False
    return user.has_permission(ANSWER, body=body)
