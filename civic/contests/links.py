"""Who may see a contest and an entry, and what the module gives the link registry (``civic.core.links``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.contests.models import Contest, Entry, EntryState
from civic.contests.permissions import can_moderate, can_organise
from civic.core.http import path_for
from civic.core.links import Link, LinkRegistry

TYPE = "contest"


def can_view(contest: Contest, user) -> bool:
    """Published contests are public; a draft only to its organisers."""
    return contest.is_public or can_organise(user, contest)


def can_view_entry(entry: Entry, contest: Contest, user) -> bool:
    """Accepted entries are public; others to their authors, moderators and organisers."""
    if not can_view(contest, user):
        return False
    if entry.state == EntryState.ACCEPTED:
        return True
    return entry.is_author(user) or can_moderate(user, contest) or can_organise(user, contest)


def _visible(user, contest_id: int) -> bool:
    contest = db.session.get(Contest, contest_id)
    return contest is not None and can_view(contest, user)


def _title(contest_id: int) -> str | None:
    contest = db.session.get(Contest, contest_id)
    return contest.title if contest is not None else None


HACKATHON = "hackathon"


def _hackathon_visible(user, hackathon_id: int) -> bool:
    from civic.contests.hackathons import can_organise as organises
    from civic.contests.models import Hackathon

    hackathon = db.session.get(Hackathon, hackathon_id)
    return hackathon is not None and (hackathon.published or organises(user, hackathon))


def _hackathon_title(hackathon_id: int) -> str | None:
    from civic.contests.models import Hackathon

    hackathon = db.session.get(Hackathon, hackathon_id)
    return hackathon.title if hackathon is not None else None


def related_contests(object_type: str, object_id: int, user) -> list[Link]:
    """Contests linked to the object that ``user`` may see (published ones; drafts for their organisers)."""
    contests = db.session.scalars(
        select(Contest)
        .where(Contest.linked_object_type == object_type, Contest.linked_object_id == object_id)
        .order_by(Contest.id)
    ).all()
    label = str(_l("Idea contest"))
    return [
        Link(TYPE, c.id, label, path_for("contests.detail", contest_id=c.id), c.title)
        for c in contests
        if can_view(c, user)
    ]


def register_links(registry: LinkRegistry) -> None:
    registry.register_type(
        TYPE, _l("Idea contest"), lambda i: path_for("contests.detail", contest_id=i), _visible, title_loader=_title
    )
    registry.register_type(
        HACKATHON,
        _l("Hackathon"),
        lambda i: path_for("contests.hackathon", hackathon_id=i),
        _hackathon_visible,
        title_loader=_hackathon_title,
    )
    registry.register_related("contests", related_contests)
