"""Council use cases. They ``add``/``flush`` and never commit; a refused request raises a ``DomainError`` with a
translated message before anything is written (checks first, writes last), so the view's rollback leaves nothing
half-done.

- councils and seats (the ``council_member`` role follows a sitting seat);
- experts: roster, applications decided with a reason, yearly subscriptions of hours and bookings;
- meetings: public notice, agenda items (linked through ``civic.core.links``), declarations, attendance, quorum,
  recorded votes, minutes;
- recommendations on the legal clock (``civic.core.deadlines``): routing, acknowledgement, one extension, the
  answer, overdue notices, "unjustified" back on the agenda;
- residents' comments and volunteer calls;
- the ``threshold_reached`` receiver: a petition over its hearing threshold becomes a pending agenda item.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from civic import db
from civic.core import deadlines, links, signals
from civic.core.deadline_text import deadline_error
from civic.core.errors import Conflict, DomainError, InvalidTransition, PermissionDenied
from civic.core.http import path_for
from civic.councils.models import (
    ITEM_LINK_TYPES,
    RUNNING_ROLES,
    AgendaItem,
    ApplicationState,
    Attendance,
    Booking,
    BookingKind,
    CommentState,
    Council,
    CouncilComment,
    CouncilVote,
    Decision,
    Declaration,
    Expert,
    ExpertApplication,
    ItemKind,
    ItemOrigin,
    Meeting,
    MeetingState,
    MinutesState,
    Recommendation,
    RecState,
    Seat,
    SeatEnd,
    SeatRole,
    Signup,
    Subscription,
    VolunteerCall,
    VoteChoice,
)
from civic.councils.permissions import ANSWER, COUNCIL_MEMBER, can_answer, can_manage, can_run, sitting_seat
from civic.db import utc_now
from civic.identity import audit
from civic.identity.directory import route_to_body
from civic.identity.models import AssuranceLevel, Category, StateBody, Territory, User, UserRole
from civic.identity.notifications import notify
from civic.identity.permissions import forget_cached_permissions, holders

log = logging.getLogger(__name__)


def _config(name: str, default: int) -> int:
    return int(current_app.config.get(name, default)) if has_app_context() else default


def default_notice_days() -> int:
    return _config("COUNCILS_NOTICE_DAYS", 7)


def default_quorum_percent() -> int:
    return _config("COUNCILS_QUORUM_PERCENT", 50)


def default_expert_hours() -> int:
    return _config("COUNCILS_EXPERT_HOURS", 20)


def _require(condition: bool, message=None) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_runner(actor, council: Council) -> None:
    _require(can_run(actor, council), _l("Only the council's chair, deputy chair or secretary can do this."))


def _text(value: str | None) -> str:
    return (value or "").strip()


# --------------------------------------------------------------------------- councils


@dataclass
class CouncilData:
    name_kk: str
    name_ru: str
    name_en: str
    territory: Territory
    category: Category | None
    mandate: str
    quorum_percent: int | None = None
    notice_days: int | None = None
    expert_hours: int | None = None


def _check_council_data(data: CouncilData) -> None:
    if not _text(data.name_kk) or not _text(data.name_ru):
        raise DomainError(_l("Give the council's name in Kazakh and Russian."), field="name_kk")
    if data.quorum_percent is not None and not 1 <= data.quorum_percent <= 99:
        raise DomainError(_l("The quorum share must be between 1 and 99 per cent."), field="quorum_percent")
    if data.notice_days is not None and data.notice_days < default_notice_days():
        raise DomainError(
            _l("Public notice cannot be shorter than %(n)s days.", n=default_notice_days()), field="notice_days"
        )
    if data.expert_hours is not None and not 0 <= data.expert_hours <= 500:
        raise DomainError(_l("An expert's yearly hours must be between 0 and 500."), field="expert_hours")


def create_council(actor, data: CouncilData) -> Council:
    _require(can_manage(actor, territory=data.territory), _l("You do not set up councils in this territory."))
    _check_council_data(data)
    council = Council(
        name_kk=_text(data.name_kk),
        name_ru=_text(data.name_ru),
        name_en=_text(data.name_en),
        territory=data.territory,
        category=data.category,
        mandate=_text(data.mandate),
        quorum_percent=data.quorum_percent or default_quorum_percent(),
        notice_days=data.notice_days or default_notice_days(),
        expert_hours=default_expert_hours() if data.expert_hours is None else data.expert_hours,
    )
    db.session.add(council)
    db.session.flush()
    audit.record("councils.create", council, actor=actor, after={"name": council.name_ru})
    return council


def update_council(council: Council, actor, data: CouncilData) -> None:
    _require(can_manage(actor, council), _l("You do not set up councils in this territory."))
    _require(can_manage(actor, territory=data.territory), _l("You do not set up councils in this territory."))
    _check_council_data(data)
    before = {"name": council.name_ru, "quorum": council.quorum_percent, "notice": council.notice_days}
    council.name_kk, council.name_ru, council.name_en = _text(data.name_kk), _text(data.name_ru), _text(data.name_en)
    council.territory, council.category, council.mandate = data.territory, data.category, _text(data.mandate)
    council.quorum_percent = data.quorum_percent or council.quorum_percent
    council.notice_days = data.notice_days or council.notice_days
    if data.expert_hours is not None:
        council.expert_hours = data.expert_hours
    db.session.flush()
    after = {"name": council.name_ru, "quorum": council.quorum_percent, "notice": council.notice_days}
    audit.record("councils.update", council, actor=actor, before=before, after=after)


# --------------------------------------------------------------------------- seats and the council_member role


def sitting_seats(council: Council, today: date | None = None) -> list[Seat]:
    today = today or utc_now().date()
    return list(
        db.session.scalars(
            select(Seat)
            .where(
                Seat.council_id == council.id,
                Seat.ended_at.is_(None),
                Seat.starts_on <= today,
                Seat.term_ends_on >= today,
            )
            .order_by(Seat.id)
        )
    )


def _grant_member_role(user: User, territory: Territory) -> None:
    exists_ = db.session.scalar(
        select(func.count())
        .select_from(UserRole)
        .where(
            UserRole.user_id == user.id,
            UserRole.role_name == COUNCIL_MEMBER,
            UserRole.territory_id == territory.id,
            UserRole.state_body_id.is_(None),
        )
    )
    if not exists_:
        db.session.add(UserRole(user_id=user.id, role_name=COUNCIL_MEMBER, territory_id=territory.id))
        db.session.flush()
        forget_cached_permissions()


def _sync_member_role(user_id: int, territory_id: int, today: date) -> None:
    """Revoke the territory's ``council_member`` role when the user sits on none of its councils any longer."""
    still = db.session.scalar(
        select(func.count())
        .select_from(Seat)
        .join(Council, Council.id == Seat.council_id)
        .where(
            Seat.user_id == user_id,
            Council.territory_id == territory_id,
            Seat.ended_at.is_(None),
            Seat.term_ends_on >= today,
        )
    )
    if not still:
        db.session.execute(
            delete(UserRole).where(
                UserRole.user_id == user_id,
                UserRole.role_name == COUNCIL_MEMBER,
                UserRole.territory_id == territory_id,
                UserRole.state_body_id.is_(None),
            )
        )
        db.session.flush()
        forget_cached_permissions()


def appoint(council: Council, actor, user: User, role: str, starts_on: date, term_ends_on: date) -> Seat:
    _require(can_manage(actor, council), _l("Only the akimat's council office appoints members."))
    try:
        role = SeatRole(role)
    except ValueError:
        raise DomainError(_l("Choose the member's role in the council."), field="role") from None
    if user.is_deleted:
        raise DomainError(_l("This account was deleted."), field="email")
    if term_ends_on <= starts_on:
        raise DomainError(_l("The term must end after it starts."), field="term_ends_on")
    if term_ends_on < utc_now().date():
        raise DomainError(_l("The term has already ended."), field="term_ends_on")
    current = [s for s in sitting_seats(council) if s.user_id == user.id or (s.term_ends_on >= starts_on)]
    if any(s.user_id == user.id for s in current):
        raise Conflict(_l("This person already holds a seat on the council."))
    if role != SeatRole.MEMBER and any(s.role == role for s in sitting_seats(council)):
        raise Conflict(_l("The council already has a sitting holder of this role; end their seat first."))
    seat = Seat(council=council, user=user, role=role, starts_on=starts_on, term_ends_on=term_ends_on)
    db.session.add(seat)
    db.session.flush()
    _grant_member_role(user, council.territory)
    audit.record("councils.appoint", seat, actor=actor, after={"user": user.id, "role": str(role)})
    notify(
        user,
        "councils.seat",
        _l("You were appointed to the public council “%(name)s”", name=council.name),
        link=path_for("councils.detail", council_id=council.id),
    )
    return seat


def end_seat(seat: Seat, actor, reason: str, note: str = "") -> None:
    """A member resigns (themselves, or recorded by the council office); the seat stays in the history."""
    if seat.ended_at is not None:
        raise InvalidTransition(seat, "end", _l("This seat has already ended."))
    own = getattr(actor, "id", None) == seat.user_id
    _require(own or can_manage(actor, seat.council), _l("Only the member or the council office can end a seat."))
    try:
        reason = SeatEnd(reason)
    except ValueError:
        raise DomainError(_l("Choose why the seat ends."), field="reason") from None
    seat.ended_at, seat.end_reason, seat.end_note = utc_now(), reason, _text(note)
    db.session.flush()
    _sync_member_role(seat.user_id, seat.council.territory_id, utc_now().date())
    audit.record("councils.end_seat", seat, actor=actor, after={"reason": str(reason)})


def end_expired_terms(today: date | None = None) -> int:
    """The periodic job: seats whose term ended are closed with ``term_end``; roles follow."""
    today = today or utc_now().date()
    seats = list(db.session.scalars(select(Seat).where(Seat.ended_at.is_(None), Seat.term_ends_on < today)))
    for seat in seats:
        seat.ended_at, seat.end_reason = utc_now(), SeatEnd.TERM_END
    db.session.flush()
    for seat in seats:
        _sync_member_role(seat.user_id, seat.council.territory_id, today)
    return len(seats)


# --------------------------------------------------------------------------- experts and hours


@dataclass
class ExpertData:
    areas: str
    languages: str = ""
    bio: str = ""
    organisation: str = ""
    motivation: str = ""


def apply_as_expert(council: Council, user: User, data: ExpertData) -> ExpertApplication:
    if not user.has_level(AssuranceLevel.EMAIL_VERIFIED):
        raise PermissionDenied(_l("Confirm your email address first."))
    if not _text(data.areas):
        raise DomainError(_l("Name your areas of expertise."), field="areas")
    if db.session.scalar(
        select(func.count())
        .select_from(ExpertApplication)
        .where(
            ExpertApplication.council_id == council.id,
            ExpertApplication.user_id == user.id,
            ExpertApplication.state == ApplicationState.PENDING,
        )
    ):
        raise Conflict(_l("You have already applied; the council will decide soon."))
    if db.session.scalar(
        select(Expert.id).where(Expert.council_id == council.id, Expert.user_id == user.id, Expert.is_active)
    ):
        raise Conflict(_l("You are already one of this council's experts."))
    application = ExpertApplication(
        council=council,
        user=user,
        organisation=_text(data.organisation),
        areas=_text(data.areas),
        languages=_text(data.languages),
        bio=_text(data.bio),
        motivation=_text(data.motivation),
    )
    db.session.add(application)
    db.session.flush()
    return application


def decide_application(application: ExpertApplication, actor, accept: bool, reason: str) -> Expert | None:
    _require_runner(actor, application.council)
    if application.state != ApplicationState.PENDING:
        raise InvalidTransition(application, "decide", _l("This application has already been decided."))
    if not _text(reason):
        raise DomainError(_l("Record the reason for the decision."), field="reason")
    application.state = ApplicationState.ACCEPTED if accept else ApplicationState.REJECTED
    application.reason, application.decided_at, application.decided_by_id = _text(reason), utc_now(), actor.id
    expert = None
    if accept:
        expert = _add_expert(
            application.council,
            application.user,
            ExpertData(application.areas, application.languages, application.bio),
        )
    db.session.flush()
    audit.record("councils.decide_application", application, actor=actor, after={"state": application.state})
    notify(
        application.user,
        "councils.application",
        _l("Your application to the council “%(name)s” was accepted", name=application.council.name)
        if accept
        else _l("Your application to the council “%(name)s” was not accepted", name=application.council.name),
        body=_text(reason),
        link=path_for("councils.detail", council_id=application.council_id),
    )
    return expert


def _add_expert(council: Council, user: User, data: ExpertData) -> Expert:
    expert = db.session.scalar(select(Expert).where(Expert.council_id == council.id, Expert.user_id == user.id))
    if expert is None:
        expert = Expert(council=council, user=user, areas=_text(data.areas))
        db.session.add(expert)
    expert.areas, expert.languages, expert.bio, expert.is_active = (
        _text(data.areas),
        _text(data.languages),
        _text(data.bio),
        True,
    )
    db.session.flush()
    return expert


def add_expert(council: Council, actor, user: User, data: ExpertData) -> Expert:
    """The chair or secretary invites an expert directly (the roster is public)."""
    _require_runner(actor, council)
    if not _text(data.areas):
        raise DomainError(_l("Name your areas of expertise."), field="areas")
    if user.is_deleted:
        raise DomainError(_l("This account was deleted."), field="email")
    expert = _add_expert(council, user, data)
    audit.record("councils.add_expert", expert, actor=actor, after={"user": user.id})
    return expert


def subscription_for(expert: Expert, year: int | None = None) -> Subscription | None:
    """This year's allocation (None if none was opened yet: its hours are the council's default)."""
    year = year or utc_now().year
    return db.session.scalar(select(Subscription).where(Subscription.expert_id == expert.id, Subscription.year == year))


def remaining_hours(expert: Expert, year: int | None = None) -> float:
    sub = subscription_for(expert, year)
    return sub.remaining if sub is not None else float(expert.council.expert_hours)


def _open_subscription(expert: Expert, year: int) -> Subscription:
    sub = subscription_for(expert, year)
    if sub is None:
        sub = Subscription(expert=expert, year=year, hours=float(expert.council.expert_hours), used_hours=0.0)
        db.session.add(sub)
        db.session.flush()
    return sub


def book_hours(
    expert: Expert, actor, kind: str, hours: float, meeting: Meeting | None = None, note: str = ""
) -> Booking:
    """Book hours of this year's subscription; never more than remain (a conditional UPDATE, safe when concurrent)."""
    _require_runner(actor, expert.council)
    try:
        kind = BookingKind(kind)
    except ValueError:
        raise DomainError(_l("Choose what the hours are for."), field="kind") from None
    if hours is None or hours <= 0 or hours * 2 != int(hours * 2):
        raise DomainError(_l("Book a positive number of hours, in half-hours."), field="hours")
    if not expert.is_active:
        raise InvalidTransition(expert, "book", _l("This expert is no longer on the roster."))
    if meeting is not None and meeting.council_id != expert.council_id:
        raise DomainError(_l("Choose a meeting of this council."), field="meeting")
    year = (meeting.starts_at if meeting is not None else utc_now()).year
    left = remaining_hours(expert, year)
    if hours > left:
        raise DomainError(
            _l("Only %(left)s of the expert's hours remain for %(year)s.", left=_hours(left), year=year),
            field="hours",
        )
    sub = _open_subscription(expert, year)
    done = db.session.execute(
        update(Subscription)
        .where(Subscription.id == sub.id, Subscription.used_hours + hours <= Subscription.hours)
        .values(used_hours=Subscription.used_hours + hours)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise DomainError(_l("Only %(left)s of the expert's hours remain for %(year)s.", left=_hours(left), year=year))
    db.session.refresh(sub)
    booking = Booking(
        subscription=sub,
        kind=kind,
        hours=hours,
        meeting_id=getattr(meeting, "id", None),
        note=_text(note),
        booked_by_id=actor.id,
    )
    db.session.add(booking)
    db.session.flush()
    audit.record("councils.book_hours", booking, actor=actor, after={"expert": expert.id, "hours": hours})
    return booking


def _hours(value: float) -> str:
    return f"{value:g}"


def expert_hours_at(meeting: Meeting) -> list[tuple[Expert, float]]:
    """Each expert's hours booked for this meeting (shown in the minutes)."""
    rows = db.session.execute(
        select(Expert, func.sum(Booking.hours))
        .join(Subscription, Subscription.expert_id == Expert.id)
        .join(Booking, Booking.subscription_id == Subscription.id)
        .where(Booking.meeting_id == meeting.id)
        .group_by(Expert.id)
        .order_by(Expert.id)
    ).all()
    return [(expert, float(total)) for expert, total in rows]


# --------------------------------------------------------------------------- meetings and agenda


def create_meeting(council: Council, actor, title: str, starts_at: datetime, place: str) -> Meeting:
    _require_runner(actor, council)
    if not _text(title):
        raise DomainError(_l("Give the meeting a title."), field="title")
    if starts_at is None or starts_at <= utc_now():
        raise DomainError(_l("The meeting must be in the future."), field="starts_at")
    meeting = Meeting(
        council=council, title=_text(title), starts_at=starts_at, place=_text(place), created_by_id=actor.id
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record("councils.create_meeting", meeting, actor=actor)
    return meeting


def notice_ok(meeting: Meeting, now: datetime | None = None) -> bool:
    return meeting.starts_at - (now or utc_now()) >= timedelta(days=meeting.council.notice_days)


def _notice_error(meeting: Meeting) -> DomainError:
    return DomainError(
        _l(
            "Public notice must be given at least %(n)s days before the meeting; move the meeting to a later date.",
            n=meeting.council.notice_days,
        ),
        field="starts_at",
    )


def announce(meeting: Meeting, actor, now: datetime | None = None) -> None:
    _require_runner(actor, meeting.council)
    if meeting.state != MeetingState.DRAFT:
        raise InvalidTransition(meeting, "announce", _l("The meeting has already been announced."))
    if not meeting.items:
        raise DomainError(_l("Put at least one item on the agenda before announcing the meeting."))
    if not notice_ok(meeting, now):
        raise _notice_error(meeting)
    meeting.state, meeting.announced_at = MeetingState.ANNOUNCED, now or utc_now()
    db.session.flush()
    audit.record("councils.announce", meeting, actor=actor)
    link = path_for("councils.meeting", meeting_id=meeting.id)
    for seat in sitting_seats(meeting.council):
        notify(
            seat.user, "councils.meeting", _l("Council meeting announced: %(title)s", title=meeting.title), link=link
        )


def reschedule(meeting: Meeting, actor, starts_at: datetime, place: str) -> None:
    _require_runner(actor, meeting.council)
    if meeting.minutes_state != MinutesState.NONE or meeting.has_started():
        raise InvalidTransition(meeting, "reschedule", _l("A meeting that has begun cannot be moved."))
    if starts_at is None or starts_at <= utc_now():
        raise DomainError(_l("The meeting must be in the future."), field="starts_at")
    if meeting.state == MeetingState.ANNOUNCED and starts_at - utc_now() < timedelta(days=meeting.council.notice_days):
        raise _notice_error(meeting)
    meeting.starts_at, meeting.place = starts_at, _text(place)
    db.session.flush()


@dataclass
class ItemData:
    kind: str
    title: str
    text: str = ""
    linked_id: int | None = None
    is_open: bool = True
    closed_reason: str = ""


def _check_item(council: Council, actor, data: ItemData) -> tuple[ItemKind, str | None]:
    try:
        kind = ItemKind(data.kind)
    except ValueError:
        raise DomainError(_l("Choose the kind of item."), field="kind") from None
    if not _text(data.title):
        raise DomainError(_l("Give the item a title."), field="title")
    if not data.is_open and not _text(data.closed_reason):
        raise DomainError(
            _l("An item can be closed to the public only with a recorded legal reason."), field="closed_reason"
        )
    linked_type = ITEM_LINK_TYPES.get(kind)
    if linked_type is not None and (not data.linked_id or links.resolve(linked_type, data.linked_id, actor) is None):
        raise DomainError(
            _l(
                "No %(kind)s with this number was found; check the number.",
                kind=links.registry().label(linked_type),
            ),
            field="linked_id",
        )
    return kind, linked_type


def add_item(council: Council, actor, data: ItemData, meeting: Meeting | None = None) -> AgendaItem:
    """An item on a meeting's agenda (the notice rule applies once announced), or a pending item (no meeting)."""
    _require_runner(actor, council)
    if meeting is not None:
        if meeting.council_id != council.id:
            raise DomainError(_l("Choose a meeting of this council."), field="meeting")
        if meeting.state == MeetingState.CANCELLED or meeting.minutes_state != MinutesState.NONE:
            raise InvalidTransition(meeting, "add_item", _l("The agenda of this meeting can no longer change."))
        if meeting.state == MeetingState.ANNOUNCED and not notice_ok(meeting):
            raise _notice_error(meeting)
    kind, linked_type = _check_item(council, actor, data)
    item = AgendaItem(
        council=council,
        meeting=meeting,
        position=len(meeting.items) + 1 if meeting is not None else 0,
        kind=kind,
        linked_type=linked_type,
        linked_id=data.linked_id if linked_type else None,
        title=_text(data.title),
        text=_text(data.text),
        is_open=data.is_open,
        closed_reason="" if data.is_open else _text(data.closed_reason),
    )
    db.session.add(item)
    db.session.flush()
    audit.record("councils.add_item", item, actor=actor, after={"open": item.is_open, "kind": str(kind)})
    return item


def schedule_item(item: AgendaItem, meeting: Meeting, actor) -> None:
    """Move a pending item onto a meeting's agenda."""
    _require_runner(actor, item.council)
    if item.meeting_id is not None:
        raise InvalidTransition(item, "schedule", _l("This item is already on a meeting's agenda."))
    if meeting.council_id != item.council_id:
        raise DomainError(_l("Choose a meeting of this council."), field="meeting")
    if meeting.state == MeetingState.CANCELLED or meeting.minutes_state != MinutesState.NONE:
        raise InvalidTransition(meeting, "add_item", _l("The agenda of this meeting can no longer change."))
    if meeting.state == MeetingState.ANNOUNCED and not notice_ok(meeting):
        raise _notice_error(meeting)
    item.meeting, item.position = meeting, len(meeting.items) + 1
    db.session.flush()
    audit.record("councils.schedule_item", item, actor=actor, after={"meeting": meeting.id})


def pending_items(council: Council) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.council_id == council.id, AgendaItem.meeting_id.is_(None))
            .order_by(AgendaItem.id)
        )
    )


def _require_held(meeting: Meeting) -> None:
    if meeting.state != MeetingState.ANNOUNCED or not meeting.has_started():
        raise InvalidTransition(meeting, "hold", _l("This can be recorded only once the announced meeting has begun."))


def declare(item: AgendaItem, member: User, text: str, actor=None) -> Declaration:
    """A member declares a conflict of interest on an item (themselves, or recorded by the secretary)."""
    actor = actor or member
    council = item.council
    if actor.id != member.id:
        _require_runner(actor, council)
    if sitting_seat(member, council) is None:
        raise PermissionDenied(_l("Only a sitting member of the council can declare a conflict of interest."))
    if item.meeting is None or item.meeting.minutes_state != MinutesState.NONE:
        raise InvalidTransition(item, "declare", _l("Declarations are recorded for items of an upcoming meeting."))
    if not _text(text):
        raise DomainError(_l("Describe the conflict of interest."), field="text")
    if db.session.scalar(
        select(Declaration.id).where(Declaration.item_id == item.id, Declaration.user_id == member.id)
    ):
        raise Conflict(_l("This member has already declared a conflict of interest on this item."))
    declaration = Declaration(item=item, user=member, text=_text(text))
    db.session.add(declaration)
    db.session.flush()
    audit.record("councils.declare", declaration, actor=actor, after={"item": item.id, "member": member.id})
    return declaration


def set_attendance(meeting: Meeting, actor, member_ids: list[int], other_ids: list[int] | None = None) -> None:
    _require_runner(actor, meeting.council)
    _require_held(meeting)
    if meeting.minutes_state not in (MinutesState.NONE, MinutesState.DRAFT):
        raise InvalidTransition(meeting, "attendance", _l("The minutes are approved; attendance can no longer change."))
    sitting = {s.user_id for s in sitting_seats(meeting.council, meeting.starts_at.date())}
    if set(member_ids) - sitting:
        raise DomainError(_l("Only sitting members count for the quorum."), field="members")
    experts = {
        e.user_id
        for e in db.session.scalars(select(Expert).where(Expert.council_id == meeting.council_id, Expert.is_active))
    }
    others = [i for i in (other_ids or []) if i not in sitting]
    db.session.execute(delete(Attendance).where(Attendance.meeting_id == meeting.id))
    for user_id in sorted(set(member_ids)):
        db.session.add(Attendance(meeting_id=meeting.id, user_id=user_id, capacity="member"))
    for user_id in sorted(set(others)):
        db.session.add(
            Attendance(meeting_id=meeting.id, user_id=user_id, capacity="expert" if user_id in experts else "guest")
        )
    db.session.flush()
    audit.record("councils.attendance", meeting, actor=actor, after={"members": sorted(set(member_ids))})


@dataclass(frozen=True)
class Quorum:
    present: int
    sitting: int
    needed: int

    @property
    def reached(self) -> bool:
        return self.sitting > 0 and self.present >= self.needed


def quorum(meeting: Meeting) -> Quorum:
    """More than ``quorum_percent`` per cent of the members sitting on the day, present (default: more than half)."""
    sitting = {s.user_id for s in sitting_seats(meeting.council, meeting.starts_at.date())}
    present = set(
        db.session.scalars(
            select(Attendance.user_id).where(Attendance.meeting_id == meeting.id, Attendance.capacity == "member")
        )
    )
    needed = len(sitting) * meeting.council.quorum_percent // 100 + 1
    return Quorum(len(present & sitting), len(sitting), needed)


def propose(item: AgendaItem, actor, text: str) -> Recommendation:
    _require_runner(actor, item.council)
    if item.meeting is None:
        raise InvalidTransition(item, "propose", _l("Put the item on a meeting's agenda first."))
    if item.meeting.minutes_state not in (MinutesState.NONE, MinutesState.DRAFT):
        raise InvalidTransition(item, "propose", _l("The minutes are approved; nothing can be added."))
    if not item.is_open:
        raise DomainError(_l("A decision counts only if it is taken in an open item; this item is closed."))
    if not _text(text):
        raise DomainError(_l("Write the recommendation."), field="text")
    rec = Recommendation(council_id=item.council_id, item=item, text=_text(text))
    db.session.add(rec)
    db.session.flush()
    audit.record("councils.propose", rec, actor=actor)
    return rec


def record_votes(rec: Recommendation, actor, choices: dict[int, str], body: StateBody | None = None) -> None:
    """Record each member's vote at once; the quorum is checked first. Adopted (more "for" than half the votes
    cast), the recommendation goes to ``body`` (default: identity's routing for the council's territory and sector)
    and the legal clock starts."""
    item = rec.item
    meeting = item.meeting
    _require_runner(actor, rec.council)
    if rec.state != RecState.PROPOSED:
        raise InvalidTransition(rec, "vote", _l("This recommendation has already been voted on."))
    _require_held(meeting)
    q = quorum(meeting)
    if not q.reached:
        raise DomainError(
            _l(
                "No quorum: %(present)s of %(sitting)s members are present, %(needed)s are needed. Record the "
                "attendance first.",
                present=q.present,
                sitting=q.sitting,
                needed=q.needed,
            )
        )
    present = set(
        db.session.scalars(
            select(Attendance.user_id).where(Attendance.meeting_id == meeting.id, Attendance.capacity == "member")
        )
    )
    declared = {d.user_id: d for d in item.declarations}
    parsed: dict[int, VoteChoice] = {}
    for user_id, choice in choices.items():
        if not choice:
            continue
        if user_id in declared:
            raise DomainError(
                _l(
                    "%(name)s declared a conflict of interest on this item and cannot vote on it.",
                    name=declared[user_id].user.public_name,
                )
            )
        if user_id not in present:
            raise DomainError(_l("Only members present at the meeting can vote."))
        try:
            parsed[user_id] = VoteChoice(choice)
        except ValueError:
            raise DomainError(_l("Choose for, against or abstain.")) from None
    if not parsed:
        raise DomainError(_l("Record at least one member's vote."))
    adopted_body = None
    counts = {c: sum(1 for v in parsed.values() if v == c) for c in VoteChoice}
    adopted = counts[VoteChoice.FOR] * 2 > len(parsed)
    if adopted:
        adopted_body = body or default_body(rec.council)
        if adopted_body is None:
            raise DomainError(_l("Choose the state body that must answer."), field="body")
    now = utc_now()
    for user_id, choice in parsed.items():
        db.session.add(CouncilVote(recommendation=rec, user_id=user_id, choice=choice))
    rec.votes_for, rec.votes_against, rec.votes_abstain = (
        counts[VoteChoice.FOR],
        counts[VoteChoice.AGAINST],
        counts[VoteChoice.ABSTAIN],
    )
    rec.present_at_vote, rec.sitting_at_vote, rec.voted_at = q.present, q.sitting, now
    rec.state = RecState.ADOPTED if adopted else RecState.NOT_ADOPTED
    db.session.flush()
    audit.record("councils.vote", rec, actor=actor, after={k.value: v for k, v in counts.items()})
    if adopted:
        send_to_body(rec, adopted_body, now)


def default_body(council: Council) -> StateBody | None:
    category = council.category or db.session.scalar(select(Category).where(Category.code == "other"))
    if category is None:
        return db.session.scalar(
            select(StateBody).where(StateBody.territory_id == council.territory_id, StateBody.kind == "akimat")
        )
    return route_to_body(council.territory, category)


def _body_people(body: StateBody) -> list[User]:
    people = {u.id: u for u in holders(ANSWER, body=body)}
    if body.head is not None:
        people[body.head.id] = body.head
    return list(people.values())


def send_to_body(rec: Recommendation, body: StateBody, now: datetime | None = None) -> None:
    now = now or utc_now()
    rec.body, rec.sent_at = body, now
    rec.due_at = deadlines.compute_due(now)
    db.session.flush()
    link = path_for("councils.recommendation", rec_id=rec.id)
    for user in _body_people(body):
        notify(
            user,
            "councils.recommendation",
            _l("The public council “%(name)s” sent your body a recommendation to answer", name=rec.council.name),
            link=link,
        )


# --------------------------------------------------------------------------- the body's answer


def _require_body(rec: Recommendation, actor) -> None:
    if rec.state not in (RecState.ADOPTED, RecState.ANSWERED) or rec.body is None:
        raise InvalidTransition(rec, "answer", _l("This recommendation was not sent to a state body."))
    if not can_answer(actor, rec.body):
        raise PermissionDenied(
            _l("This recommendation is addressed to %(body)s; only its officials can answer it.", body=rec.body.name)
        )


def acknowledge(rec: Recommendation, actor) -> None:
    _require_body(rec, actor)
    if rec.acknowledged_at is not None:
        raise InvalidTransition(rec, "acknowledge", _l("The recommendation was already acknowledged."))
    rec.acknowledged_at, rec.acknowledged_by_id = utc_now(), actor.id
    db.session.flush()
    audit.record("councils.acknowledge", rec, actor=actor)


def extend_term(rec: Recommendation, actor, reason: str, note: str = "") -> None:
    _require_body(rec, actor)
    if rec.state != RecState.ADOPTED:
        raise InvalidTransition(rec, "extend", _l("The recommendation has already been answered."))
    try:
        extension = deadlines.extend(
            reason, at_utc=utc_now(), already_extended=rec.extended_at is not None, due_utc=rec.due_at, note=note or ""
        )
    except deadlines.SlaError as exc:
        raise deadline_error(exc) from None
    rec.extended_at, rec.extension_reason, rec.extension_note = extension.at_utc, extension.reason, extension.note
    rec.due_at = deadlines.compute_due(rec.sent_at, extended=True)
    db.session.flush()
    audit.record("councils.extend", rec, actor=actor, after={"reason": str(extension.reason)})


def answer(rec: Recommendation, actor, decision: str, text: str, plan: str = "", plan_date: date | None = None) -> None:
    _require_body(rec, actor)
    if rec.state != RecState.ADOPTED:
        raise InvalidTransition(rec, "answer", _l("The recommendation has already been answered."))
    try:
        decision = Decision(decision)
    except ValueError:
        raise DomainError(_l("Choose the decision: accepted, partly accepted or rejected."), field="decision") from None
    if not _text(text):
        raise DomainError(_l("Give the reasons for the decision."), field="text")
    if decision in (Decision.ACCEPTED, Decision.PARTLY):
        if not _text(plan):
            raise DomainError(_l("Describe the implementation plan."), field="plan")
        if plan_date is None:
            raise DomainError(_l("Give the date by which it will be implemented."), field="plan_date")
    now = utc_now()
    rec.state, rec.decision, rec.answer_text = RecState.ANSWERED, decision, _text(text)
    rec.plan, rec.plan_date = _text(plan), plan_date if decision != Decision.REJECTED else None
    rec.answered_at, rec.answered_by_id = now, actor.id
    rec.answered_late = rec.due_at is not None and now > rec.due_at
    if rec.acknowledged_at is None:
        rec.acknowledged_at, rec.acknowledged_by_id = now, actor.id
    db.session.flush()
    audit.record("councils.answer", rec, actor=actor, after={"decision": str(decision), "late": rec.answered_late})
    link = path_for("councils.recommendation", rec_id=rec.id)
    for seat in sitting_seats(rec.council):
        if seat.role in RUNNING_ROLES:
            notify(seat.user, "councils.answer", _l("A state body answered the council's recommendation"), link=link)


def mark_unjustified(rec: Recommendation, actor, reason: str) -> AgendaItem:
    """The council finds the answer unjustified: recorded publicly and put back on its agenda as a pending item."""
    _require_runner(actor, rec.council)
    if rec.state != RecState.ANSWERED:
        raise InvalidTransition(rec, "unjustified", _l("Only an answered recommendation can be judged."))
    if rec.unjustified_at is not None:
        raise InvalidTransition(rec, "unjustified", _l("The answer was already marked unjustified."))
    if not _text(reason):
        raise DomainError(_l("Explain why the answer is not justified."), field="reason")
    rec.unjustified_at, rec.unjustified_reason = utc_now(), _text(reason)
    item = AgendaItem(
        council_id=rec.council_id,
        kind=ItemKind.FREE_TEXT,
        linked_type="council_recommendation",
        linked_id=rec.id,
        title=str(_l("Unjustified answer to recommendation #%(id)s", id=rec.id)),
        text=_text(reason),
        origin=ItemOrigin.UNJUSTIFIED_ANSWER,
    )
    db.session.add(item)
    db.session.flush()
    audit.record("councils.unjustified", rec, actor=actor)
    return item


def notify_overdue(now: datetime | None = None) -> int:
    """The periodic job: tell each body's head (and its answering officials) about newly overdue recommendations."""
    now = now or utc_now()
    recs = list(
        db.session.scalars(
            select(Recommendation)
            .where(
                Recommendation.state == RecState.ADOPTED,
                Recommendation.answered_at.is_(None),
                Recommendation.due_at < now,
                Recommendation.overdue_notified_at.is_(None),
            )
            .order_by(Recommendation.id)
        )
    )
    for rec in recs:
        for user in _body_people(rec.body):
            notify(
                user,
                "councils.overdue",
                _l(
                    "The answer to a public council's recommendation is overdue (%(council)s)", council=rec.council.name
                ),
                link=path_for("councils.recommendation", rec_id=rec.id),
            )
        rec.overdue_notified_at = now
    db.session.flush()
    return len(recs)


# --------------------------------------------------------------------------- minutes


def save_minutes(meeting: Meeting, actor, kk: str, ru: str, en: str = "") -> None:
    _require_runner(actor, meeting.council)
    _require_held(meeting)
    if meeting.minutes_state not in (MinutesState.NONE, MinutesState.DRAFT):
        raise InvalidTransition(meeting, "minutes", _l("The minutes are approved and can no longer be edited."))
    meeting.minutes_kk, meeting.minutes_ru, meeting.minutes_en = _text(kk), _text(ru), _text(en)
    meeting.minutes_state = MinutesState.DRAFT
    db.session.flush()
    audit.record("councils.minutes_draft", meeting, actor=actor)


def approve_minutes(meeting: Meeting, actor) -> None:
    _require_runner(actor, meeting.council)
    if meeting.minutes_state != MinutesState.DRAFT:
        raise InvalidTransition(meeting, "approve", _l("Draft the minutes first."))
    if not meeting.minutes_kk or not meeting.minutes_ru:
        raise DomainError(_l("The minutes must be written in Kazakh and Russian."))
    if any(r.state == RecState.PROPOSED for item in meeting.items for r in item.recommendations):
        raise DomainError(_l("Every proposed recommendation must be voted on before the minutes are approved."))
    meeting.minutes_state, meeting.minutes_approved_at = MinutesState.APPROVED, utc_now()
    db.session.flush()
    audit.record("councils.minutes_approve", meeting, actor=actor)


def publish_minutes(meeting: Meeting, actor) -> None:
    _require_runner(actor, meeting.council)
    if meeting.minutes_state != MinutesState.APPROVED:
        raise InvalidTransition(meeting, "publish", _l("Approve the minutes before publishing them."))
    meeting.minutes_state, meeting.minutes_published_at = MinutesState.PUBLISHED, utc_now()
    db.session.flush()
    audit.record("councils.minutes_publish", meeting, actor=actor)


# --------------------------------------------------------------------------- residents' comments


def comments_open(item: AgendaItem, now: datetime | None = None) -> bool:
    meeting = item.meeting
    return bool(item.is_open and meeting is not None and meeting.is_public and not meeting.has_started(now))


def comment(item: AgendaItem, user: User, text: str) -> CouncilComment:
    if not user.has_level(AssuranceLevel.EMAIL_VERIFIED):
        raise PermissionDenied(_l("Confirm your email address first."))
    if not comments_open(item):
        raise InvalidTransition(item, "comment", _l("Written comments are accepted on open items before the meeting."))
    if not _text(text) or len(_text(text)) > 4000:
        raise DomainError(_l("Write your comment (up to 4,000 characters)."), field="text")
    note = CouncilComment(item=item, author=user, text=_text(text))
    db.session.add(note)
    db.session.flush()
    return note


def moderate_comment(note: CouncilComment, actor, publish: bool) -> None:
    _require_runner(actor, note.item.council)
    if note.state != CommentState.PENDING:
        raise InvalidTransition(note, "moderate", _l("This comment has already been moderated."))
    note.state = CommentState.PUBLISHED if publish else CommentState.REJECTED
    note.moderated_by_id = actor.id
    db.session.flush()
    audit.record("councils.moderate_comment", note, actor=actor, after={"state": note.state})


# --------------------------------------------------------------------------- volunteer calls


def create_call(council: Council, actor, title: str, what: str, place: str, starts_at, needed: int) -> VolunteerCall:
    _require_runner(actor, council)
    if not _text(title) or not _text(what):
        raise DomainError(_l("Say what help is needed."), field="what")
    if not _text(place):
        raise DomainError(_l("Say where help is needed."), field="place")
    if starts_at is None:
        raise DomainError(_l("Say when help is needed."), field="starts_at")
    if not needed or needed < 1:
        raise DomainError(_l("Say how many people are needed."), field="needed")
    call = VolunteerCall(
        council=council,
        title=_text(title),
        what=_text(what),
        place=_text(place),
        starts_at=starts_at,
        needed=needed,
        coordinator_id=actor.id,
    )
    db.session.add(call)
    db.session.flush()
    audit.record("councils.create_call", call, actor=actor)
    return call


def signup_count(call: VolunteerCall) -> int:
    return db.session.scalar(select(func.count()).select_from(Signup).where(Signup.call_id == call.id)) or 0


def sign_up(call: VolunteerCall, user: User, contact: str, note: str, consent: bool) -> Signup:
    if call.closed_at is not None:
        raise InvalidTransition(call, "sign_up", _l("This call is closed."))
    if not user.has_level(AssuranceLevel.EMAIL_VERIFIED):
        raise PermissionDenied(_l("Confirm your email address first."))
    if not consent:
        raise DomainError(_l("Agree to share your contact with the coordinator."), field="consent")
    if not _text(contact):
        raise DomainError(_l("Give a phone number or another way to reach you."), field="contact")
    if db.session.scalar(select(Signup.id).where(Signup.call_id == call.id, Signup.user_id == user.id)):
        raise Conflict(_l("You have already signed up."))
    if signup_count(call) >= call.needed:
        raise Conflict(_l("Enough people have signed up already. Thank you!"))
    signup = Signup(call_id=call.id, user=user, contact=_text(contact), note=_text(note), consent_at=utc_now())
    db.session.add(signup)
    db.session.flush()
    return signup


def can_coordinate(user, call: VolunteerCall) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.id == call.coordinator_id or can_run(user, call.council)


def close_call(call: VolunteerCall, actor, report: str) -> None:
    _require(can_coordinate(actor, call), _l("Only the coordinator can close the call."))
    if call.closed_at is not None:
        raise InvalidTransition(call, "close", _l("This call is closed."))
    if not _text(report):
        raise DomainError(_l("Write a short public report on what was done."), field="report")
    call.closed_at, call.report = utc_now(), _text(report)
    db.session.flush()
    audit.record("councils.close_call", call, actor=actor)


# --------------------------------------------------------------------------- panels (Delphi) and petitions


def panel_people(council_id: int) -> list[int]:
    """The council's sitting members and active experts: a ready Delphi panel (``civic.core.panels``)."""
    council = db.session.get(Council, council_id)
    if council is None:
        return []
    ids = [s.user_id for s in sitting_seats(council)]
    ids += list(db.session.scalars(select(Expert.user_id).where(Expert.council_id == council_id, Expert.is_active)))
    return list(dict.fromkeys(ids))


def council_for_territory(territory: Territory) -> Council | None:
    """The general (not sector) council of the territory, or of its nearest ancestor that has one."""
    ancestors = list(reversed(territory.ancestor_ids)) or [territory.id]
    found = {
        c.territory_id: c
        for c in db.session.scalars(
            select(Council)
            .where(Council.territory_id.in_(ancestors), Council.category_id.is_(None))
            .order_by(Council.id)
        )
    }
    for territory_id in ancestors:
        if territory_id in found:
            return found[territory_id]
    return None


@signals.threshold_reached.connect
def _petition_hearing(sender, kind: str = "", **facts) -> None:
    """A petition over its hearing threshold arrives as a pending item of its territory's council; its author and the
    responsible body are invited."""
    if kind != "hearing" or facts.get("object_type") != "petition":
        return
    territory = db.session.get(Territory, facts.get("territory_id") or 0)
    council = council_for_territory(territory) if territory is not None else None
    if council is None:
        log.info("no council for the petition %s's territory", facts.get("object_id"))
        return
    object_id = facts["object_id"]
    if db.session.scalar(
        select(AgendaItem.id).where(
            AgendaItem.council_id == council.id, AgendaItem.linked_type == "petition", AgendaItem.linked_id == object_id
        )
    ):
        return
    item = AgendaItem(
        council=council,
        kind=ItemKind.PETITION,
        linked_type="petition",
        linked_id=object_id,
        title=(facts.get("title") or str(_l("Petition #%(id)s", id=object_id)))[:300],
        origin=ItemOrigin.PETITION_THRESHOLD,
    )
    db.session.add(item)
    db.session.flush()
    invited: dict[int, User] = {}
    author = db.session.get(User, facts.get("author_id") or 0)
    if author is not None:
        invited[author.id] = author
    body = db.session.get(StateBody, facts.get("state_body_id") or 0)
    if body is not None:
        invited.update({u.id: u for u in _body_people(body)})
    for seat in sitting_seats(council):
        if seat.role in RUNNING_ROLES:
            invited[seat.user_id] = seat.user
    link = path_for("councils.detail", council_id=council.id)
    for user in invited.values():
        notify(
            user,
            "councils.hearing",
            _l(
                "The petition “%(title)s” will be heard by the public council “%(council)s”; you are invited",
                title=item.title,
                council=council.name,
            ),
            link=link,
        )
