"""What councils give the link registry (``civic.core.links``) and the panel-source registry (``civic.core.panels``):
the ``council``, ``council_meeting`` and ``council_recommendation`` types, the meetings whose agenda lists another
module's object, and a council's members and experts as a ready Delphi panel."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.core.http import path_for
from civic.core.links import Link, LinkRegistry
from civic.councils.models import AgendaItem, Council, Meeting, MeetingState, Recommendation, RecState
from civic.councils.permissions import can_run


def meeting_visible(meeting: Meeting, user) -> bool:
    """Announced meetings are public; drafts and cancelled ones only to those who run the council."""
    return meeting.state == MeetingState.ANNOUNCED or can_run(user, meeting.council)


def recommendation_visible(rec: Recommendation, user) -> bool:
    """Voted recommendations are public (council votes are public); proposals follow their meeting."""
    if rec.state != RecState.PROPOSED:
        return True
    return rec.item is not None and rec.item.meeting is not None and meeting_visible(rec.item.meeting, user)


def _council_title(council_id: int) -> str | None:
    council = db.session.get(Council, council_id)
    return council.name if council else None


def _meeting_visible(user, meeting_id: int) -> bool:
    meeting = db.session.get(Meeting, meeting_id)
    return meeting is not None and meeting_visible(meeting, user)


def _meeting_title(meeting_id: int) -> str | None:
    meeting = db.session.get(Meeting, meeting_id)
    return meeting.title if meeting else None


def _rec_visible(user, rec_id: int) -> bool:
    rec = db.session.get(Recommendation, rec_id)
    return rec is not None and recommendation_visible(rec, user)


def _rec_title(rec_id: int) -> str | None:
    rec = db.session.get(Recommendation, rec_id)
    return (rec.text[:80] + ("…" if len(rec.text) > 80 else "")) if rec else None


def _on_agendas(object_type: str, object_id: int, user) -> list[Link]:
    """The announced meetings whose agenda lists this object."""
    meetings = db.session.scalars(
        select(Meeting)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(
            AgendaItem.linked_type == object_type,
            AgendaItem.linked_id == object_id,
            Meeting.state == MeetingState.ANNOUNCED,
        )
        .distinct()
    )
    label = str(_l("Public council meeting"))
    found = [
        Link("council_meeting", m.id, label, path_for("councils.meeting", meeting_id=m.id), m.title) for m in meetings
    ]
    return found + _pending(object_type, object_id, user)


def _pending(object_type: str, object_id: int, user) -> list[Link]:
    """Items waiting for a council's next meeting (not yet on an agenda), shown to those who run that council."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = db.session.scalars(
        select(AgendaItem)
        .where(
            AgendaItem.linked_type == object_type,
            AgendaItem.linked_id == object_id,
            AgendaItem.meeting_id.is_(None),
        )
        .order_by(AgendaItem.id)
    )
    label = str(_l("Item waiting for a council's next meeting"))
    return [
        Link(
            "council",
            item.council_id,
            label,
            path_for("councils.manage", council_id=item.council_id),
            f"{item.council.name}: {item.title}",
        )
        for item in items
        if can_run(user, item.council)
    ]


def register_links(registry: LinkRegistry) -> None:
    registry.register_type(
        "council",
        _l("Public council"),
        lambda i: path_for("councils.detail", council_id=i),
        lambda user, i: db.session.get(Council, i) is not None,
        title_loader=_council_title,
    )
    registry.register_type(
        "council_meeting",
        _l("Public council meeting"),
        lambda i: path_for("councils.meeting", meeting_id=i),
        _meeting_visible,
        title_loader=_meeting_title,
    )
    registry.register_type(
        "council_recommendation",
        _l("Public council recommendation"),
        lambda i: path_for("councils.recommendation", rec_id=i),
        _rec_visible,
        title_loader=_rec_title,
    )
    registry.register_related("councils", _on_agendas)


def _council_choices() -> list[tuple[int, str]]:
    from civic.core.i18n import sort_by_name

    return [(c.id, c.name) for c in sort_by_name(db.session.scalars(select(Council)))]


def register_panel_source(state) -> None:
    from civic.core import panels
    from civic.councils.services import panel_people

    panels.register_source(
        state.app, "council", _l("A public council's members and experts"), panel_people, choices=_council_choices
    )
