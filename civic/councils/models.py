"""Public councils and expert panels: councils, seats, experts and their yearly hours, meetings with agendas,
declarations, attendance and recorded votes, recommendations on the legal clock, residents' comments and volunteer
calls. Tables are prefixed ``council_``."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.i18n import current_language, localized
from civic.db import AwareDateTime, Base, created_at, intpk, utc_now
from civic.identity.models import Category, StateBody, Territory, User


class SeatRole(StrEnum):
    CHAIR = "chair"
    DEPUTY = "deputy"
    SECRETARY = "secretary"
    MEMBER = "member"


SEAT_ROLE_LABELS = {
    SeatRole.CHAIR: _l("Chair"),
    SeatRole.DEPUTY: _l("Deputy chair"),
    SeatRole.SECRETARY: _l("Secretary"),
    SeatRole.MEMBER: _l("Member"),
}
#: Seats whose holders run the council's work (meetings, agenda, minutes, experts).
RUNNING_ROLES = (SeatRole.CHAIR, SeatRole.DEPUTY, SeatRole.SECRETARY)


class SeatEnd(StrEnum):
    TERM_END = "term_end"
    RESIGNED = "resigned"


SEAT_END_LABELS = {SeatEnd.TERM_END: _l("Term ended"), SeatEnd.RESIGNED: _l("Resigned")}


class Council(Base):
    """A public council of a territory (the akimat's council, a district council) or a sector council."""

    __tablename__ = "council_councils"
    __table_args__ = (
        CheckConstraint("quorum_percent >= 1 AND quorum_percent <= 99", name="quorum_percent_range"),
        CheckConstraint("notice_days >= 1", name="notice_days_positive"),
        CheckConstraint("expert_hours >= 0", name="expert_hours_not_negative"),
    )

    id: Mapped[intpk]
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    #: The sector of a sector council (energy, transport, ...); none for a territory's general council.
    category_id: Mapped[Optional[int]] = mapped_column(ForeignKey("categories.id"), index=True)
    mandate: Mapped[str] = mapped_column(Text, default="")
    #: Quorum: more than this share (per cent) of the sitting members present.
    quorum_percent: Mapped[int] = mapped_column(Integer, default=50)
    notice_days: Mapped[int] = mapped_column(Integer, default=7)
    expert_hours: Mapped[int] = mapped_column(Integer, default=20)
    created_at: Mapped[created_at]

    territory: Mapped[Territory] = relationship()
    category: Mapped[Optional[Category]] = relationship()

    @property
    def name(self) -> str:
        return localized(self) or self.name_ru

    def __repr__(self) -> str:
        return f"<Council {self.id}>"


class Seat(Base):
    """A member's seat for one term; ended early by resignation. Ended seats stay as the council's history."""

    __tablename__ = "council_seats"
    __table_args__ = (Index("ix_council_seats_council_ended", "council_id", "ended_at"),)

    id: Mapped[intpk]
    council_id: Mapped[int] = mapped_column(ForeignKey("council_councils.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=SeatRole.MEMBER)
    starts_on: Mapped[date] = mapped_column(Date)
    term_ends_on: Mapped[date] = mapped_column(Date)
    ended_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    end_reason: Mapped[Optional[str]] = mapped_column(String(20))
    end_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    council: Mapped[Council] = relationship()
    user: Mapped[User] = relationship()

    def is_sitting(self, today: date) -> bool:
        return self.ended_at is None and self.starts_on <= today <= self.term_ends_on

    @property
    def role_label(self) -> str:
        return str(SEAT_ROLE_LABELS[SeatRole(self.role)])


class Expert(Base):
    """An invited expert of a council's roster: expertise, languages, a short public bio."""

    __tablename__ = "council_experts"
    __table_args__ = (UniqueConstraint("council_id", "user_id"),)

    id: Mapped[intpk]
    council_id: Mapped[int] = mapped_column(ForeignKey("council_councils.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    areas: Mapped[str] = mapped_column(String(300))
    languages: Mapped[str] = mapped_column(String(100), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_at]

    council: Mapped[Council] = relationship()
    user: Mapped[User] = relationship()


class ApplicationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


APPLICATION_LABELS = {
    ApplicationState.PENDING: _l("Awaiting a decision"),
    ApplicationState.ACCEPTED: _l("Accepted"),
    ApplicationState.REJECTED: _l("Rejected"),
}


class ExpertApplication(Base):
    """A resident's or organisation's application to a council's roster; the chair or secretary decides with a reason."""

    __tablename__ = "council_expert_applications"

    id: Mapped[intpk]
    council_id: Mapped[int] = mapped_column(ForeignKey("council_councils.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    areas: Mapped[str] = mapped_column(String(300))
    languages: Mapped[str] = mapped_column(String(100), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default=ApplicationState.PENDING)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    council: Mapped[Council] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def state_label(self) -> str:
        return str(APPLICATION_LABELS[ApplicationState(self.state)])


class Subscription(Base):
    """An expert's allocation of hours for one calendar year (default 20); a new one starts each year."""

    __tablename__ = "council_subscriptions"
    __table_args__ = (
        UniqueConstraint("expert_id", "year"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
    )

    id: Mapped[intpk]
    expert_id: Mapped[int] = mapped_column(ForeignKey("council_experts.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Float, default=20)
    used_hours: Mapped[float] = mapped_column(Float, default=0)

    expert: Mapped[Expert] = relationship()

    @property
    def remaining(self) -> float:
        return max(self.hours - self.used_hours, 0.0)


class BookingKind(StrEnum):
    MEETING = "meeting"
    OPINION = "opinion"
    CONSULTATION = "consultation"


BOOKING_LABELS = {
    BookingKind.MEETING: _l("Meeting"),
    BookingKind.OPINION: _l("Written opinion"),
    BookingKind.CONSULTATION: _l("Consultation"),
}


class Booking(Base):
    """Hours of an expert's subscription booked for a meeting, a written opinion or a consultation."""

    __tablename__ = "council_bookings"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[intpk]
    subscription_id: Mapped[int] = mapped_column(ForeignKey("council_subscriptions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    hours: Mapped[float] = mapped_column(Float)
    meeting_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("council_meetings.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    booked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    subscription: Mapped[Subscription] = relationship(Subscription)  # two modules name a class Subscription

    @property
    def kind_label(self) -> str:
        return str(BOOKING_LABELS[BookingKind(self.kind)])


class MeetingState(StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    CANCELLED = "cancelled"


class MinutesState(StrEnum):
    NONE = "none"
    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"


MINUTES_LABELS = {
    MinutesState.NONE: _l("Not written yet"),
    MinutesState.DRAFT: _l("Draft"),
    MinutesState.APPROVED: _l("Approved"),
    MinutesState.PUBLISHED: _l("Published"),
}


class Meeting(Base):
    """A council meeting: announced with its agenda at least ``notice_days`` ahead, then held, then minuted."""

    __tablename__ = "council_meetings"
    __table_args__ = (Index("ix_council_meetings_council_starts", "council_id", "starts_at"),)

    id: Mapped[intpk]
    council_id: Mapped[int] = mapped_column(ForeignKey("council_councils.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime(), index=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(20), default=MeetingState.DRAFT)
    announced_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    minutes_state: Mapped[str] = mapped_column(String(20), default=MinutesState.NONE)
    minutes_kk: Mapped[str] = mapped_column(Text, default="")
    minutes_ru: Mapped[str] = mapped_column(Text, default="")
    minutes_en: Mapped[str] = mapped_column(Text, default="")
    minutes_approved_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    minutes_published_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    council: Mapped[Council] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position, AgendaItem.id"
    )

    @property
    def is_public(self) -> bool:
        return self.state == MeetingState.ANNOUNCED

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or utc_now()) >= self.starts_at

    @property
    def minutes(self) -> str:
        """The published minutes in the reader's language (kk and ru always; en if written)."""
        text = getattr(self, f"minutes_{current_language()}", "") or ""
        return text or self.minutes_ru or self.minutes_kk

    @property
    def minutes_label(self) -> str:
        return str(MINUTES_LABELS[MinutesState(self.minutes_state)])


class ItemKind(StrEnum):
    PETITION = "petition"
    DELPHI_STUDY = "delphi_study"
    BUREAU_REPORT = "bureau_report"
    CONTEST = "contest"
    INITIATIVE = "initiative"
    DRAFT_ACT = "draft_act"
    FREE_TEXT = "free_text"


ITEM_KIND_LABELS = {
    ItemKind.PETITION: _l("Petition over its hearing threshold"),
    ItemKind.DELPHI_STUDY: _l("Delphi study and its report"),
    ItemKind.BUREAU_REPORT: _l("Advice bureau annual report or category trend"),
    ItemKind.CONTEST: _l("Idea contest"),
    ItemKind.INITIATIVE: _l("Initiative"),
    ItemKind.DRAFT_ACT: _l("Draft act for public review"),
    ItemKind.FREE_TEXT: _l("Other question"),
}
#: The link-registry type an item of this kind points at (free text points at nothing).
ITEM_LINK_TYPES = {
    ItemKind.PETITION: "petition",
    ItemKind.DELPHI_STUDY: "delphi_study",
    ItemKind.BUREAU_REPORT: "bureau_report",
    ItemKind.CONTEST: "contest",
    ItemKind.INITIATIVE: "initiative",
    ItemKind.DRAFT_ACT: "draft_act",
}


class ItemOrigin(StrEnum):
    MANUAL = "manual"
    PETITION_THRESHOLD = "petition_threshold"
    UNJUSTIFIED_ANSWER = "unjustified_answer"


class AgendaItem(Base):
    """An item of a meeting's agenda, or a pending item waiting for the council's next meeting (no meeting yet)."""

    __tablename__ = "council_agenda_items"
    __table_args__ = (
        Index("ix_council_items_link", "linked_type", "linked_id"),
        Index("ix_council_items_council_meeting", "council_id", "meeting_id"),
    )

    id: Mapped[intpk]
    council_id: Mapped[int] = mapped_column(ForeignKey("council_councils.id", ondelete="CASCADE"))
    meeting_id: Mapped[Optional[int]] = mapped_column(ForeignKey("council_meetings.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20), default=ItemKind.FREE_TEXT)
    linked_type: Mapped[Optional[str]] = mapped_column(String(40))
    linked_id: Mapped[Optional[int]] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_reason: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(30), default=ItemOrigin.MANUAL)
    created_at: Mapped[created_at]

    council: Mapped[Council] = relationship()
    meeting: Mapped[Optional[Meeting]] = relationship(back_populates="items")
    declarations: Mapped[list[Declaration]] = relationship(back_populates="item", order_by="Declaration.id")
    recommendations: Mapped[list[Recommendation]] = relationship(back_populates="item", order_by="Recommendation.id")

    @property
    def kind_label(self) -> str:
        return str(ITEM_KIND_LABELS[ItemKind(self.kind)])


class Declaration(Base):
    """A member's conflict-of-interest declaration on an item: they do not vote on it; the minutes show it."""

    __tablename__ = "council_declarations"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(ForeignKey("council_agenda_items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    item: Mapped[AgendaItem] = relationship(back_populates="declarations")
    user: Mapped[User] = relationship()


class Attendance(Base):
    """Who came to a meeting: members (for the quorum), experts and guests."""

    __tablename__ = "council_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: "member" (counts for the quorum), "expert" or "guest".
    capacity: Mapped[str] = mapped_column(String(20), default="member")

    user: Mapped[User] = relationship()


class RecState(StrEnum):
    PROPOSED = "proposed"
    ADOPTED = "adopted"  # adopted and sent to the body: the clock runs
    NOT_ADOPTED = "not_adopted"
    ANSWERED = "answered"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    PARTLY = "partly"
    REJECTED = "rejected"


DECISION_LABELS = {
    Decision.ACCEPTED: _l("Accepted"),
    Decision.PARTLY: _l("Partly accepted"),
    Decision.REJECTED: _l("Rejected"),
}


class Recommendation(Base):
    """A recommendation voted on an item; once adopted it goes to the competent body, which answers on the clock."""

    __tablename__ = "council_recommendations"
    __table_args__ = (
        #: The tracker's lists: a filter (body, council or status), then the newest first; the status columns
        #: ride along so that a status filter and deep pages are decided in the index (docs/performance.md).
        Index("ix_council_recs_body_sent", "body_id", "sent_at", "id", "state", "answered_late", "due_at"),
        Index("ix_council_recs_council_sent", "council_id", "sent_at", "id", "state", "answered_late", "due_at"),
        Index("ix_council_recs_state_sent", "state", "sent_at", "id", "answered_late", "due_at"),
        Index("ix_council_recs_sent", "sent_at", "id"),
        Index("ix_council_recs_open_due", "answered_at", "due_at"),
        #: Covers the timeliness counts: per body, the open ones (past due or not) and the answered ones (on time
        #: or late) are two range reads of this index.
        Index("ix_council_recs_state_body", "state", "body_id", "answered_late", "due_at"),
    )

    id: Mapped[intpk]
    council_id: Mapped[int] = mapped_column(ForeignKey("council_councils.id", ondelete="CASCADE"))
    item_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("council_agenda_items.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=RecState.PROPOSED)
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, default=0)
    present_at_vote: Mapped[int] = mapped_column(Integer, default=0)
    sitting_at_vote: Mapped[int] = mapped_column(Integer, default=0)
    voted_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"))
    sent_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    due_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    extended_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    extension_reason: Mapped[Optional[str]] = mapped_column(String(20))
    extension_note: Mapped[str] = mapped_column(Text, default="")
    acknowledged_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[Optional[str]] = mapped_column(String(20))
    answer_text: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    plan_date: Mapped[Optional[date]] = mapped_column(Date)
    answered_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_late: Mapped[Optional[bool]] = mapped_column(Boolean)
    overdue_notified_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    unjustified_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    unjustified_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    council: Mapped[Council] = relationship()
    item: Mapped[Optional[AgendaItem]] = relationship(back_populates="recommendations")
    body: Mapped[Optional[StateBody]] = relationship()
    votes: Mapped[list[CouncilVote]] = relationship(back_populates="recommendation", order_by="CouncilVote.id")

    def is_overdue(self, now: datetime | None = None) -> bool:
        return (
            self.state == RecState.ADOPTED
            and self.answered_at is None
            and self.due_at is not None
            and (now or utc_now()) > self.due_at
        )

    def status(self, now: datetime | None = None) -> str:
        """awaiting, overdue, answered_on_time, answered_late (adopted ones), or the vote's state."""
        if self.state == RecState.ANSWERED:
            return "answered_late" if self.answered_late else "answered_on_time"
        if self.state == RecState.ADOPTED:
            return "overdue" if self.is_overdue(now) else "awaiting"
        return self.state

    @property
    def decision_label(self) -> str:
        return str(DECISION_LABELS[Decision(self.decision)]) if self.decision else ""


STATUS_LABELS = {
    "proposed": _l("Proposed, not yet voted"),
    "not_adopted": _l("Not adopted"),
    "awaiting": _l("Awaiting the body's answer"),
    "overdue": _l("Answer overdue"),
    "answered_on_time": _l("Answered on time"),
    "answered_late": _l("Answered late"),
}


class VoteChoice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


VOTE_LABELS = {VoteChoice.FOR: _l("For"), VoteChoice.AGAINST: _l("Against"), VoteChoice.ABSTAIN: _l("Abstain")}


class CouncilVote(Base):
    """A member's recorded vote on a recommendation (council members are public figures: votes are public)."""

    __tablename__ = "council_votes"
    __table_args__ = (UniqueConstraint("recommendation_id", "user_id"),)

    id: Mapped[intpk]
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("council_recommendations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    choice: Mapped[str] = mapped_column(String(10))

    recommendation: Mapped[Recommendation] = relationship(back_populates="votes")
    user: Mapped[User] = relationship()

    @property
    def choice_label(self) -> str:
        return str(VOTE_LABELS[VoteChoice(self.choice)])


class CommentState(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


class CouncilComment(Base):
    """A resident's written comment on an open agenda item, sent before the meeting and moderated."""

    __tablename__ = "council_comments"

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(ForeignKey("council_agenda_items.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=CommentState.PENDING)
    moderated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    item: Mapped[AgendaItem] = relationship()
    author: Mapped[Optional[User]] = relationship(foreign_keys=[author_id])


class VolunteerCall(Base):
    """The council as a mobilising force: what is needed, where, when, how many people."""

    __tablename__ = "council_volunteer_calls"

    id: Mapped[intpk]
    council_id: Mapped[int] = mapped_column(ForeignKey("council_councils.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    what: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    needed: Mapped[int] = mapped_column(Integer)
    coordinator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    report: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    council: Mapped[Council] = relationship()
    coordinator: Mapped[Optional[User]] = relationship()


class Signup(Base):
    """A resident signed up for a call; the contact is for the coordinator only; consent recorded."""

    __tablename__ = "council_volunteer_signups"
    __table_args__ = (UniqueConstraint("call_id", "user_id"),)

    id: Mapped[intpk]
    call_id: Mapped[int] = mapped_column(ForeignKey("council_volunteer_calls.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contact: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[datetime] = mapped_column(AwareDateTime())
    created_at: Mapped[created_at]

    user: Mapped[Optional[User]] = relationship()
