"""Regional hackathons: tracks (each judged as a competition), schedule, participants, teams, checkpoints,
submissions with their technical review, and the follow-up (implementation records, the talent pool).

A track owns one ``contest_competitions`` row, the way an idea contest does: its jury, criteria, recusals, scores and
published results are the idea contests' (``civic.contests.jury``, ``results``). A submission that passes the
technical review is mirrored as an accepted ``contest_entries`` row of the track's competition, so the jury scores it
with the same code.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.contests.models.contest import Competition
from civic.db import AwareDateTime, Base, created_at, intpk, utc_now
from civic.identity.models import StateBody, Territory, User


class Skill(StrEnum):
    FRONTEND = "frontend"
    BACKEND = "backend"
    DATA = "data"
    BUSINESS = "business"
    DESIGN = "design"


SKILL_LABELS = {
    Skill.FRONTEND: _l("Frontend"),
    Skill.BACKEND: _l("Backend"),
    Skill.DATA: _l("Data science"),
    Skill.BUSINESS: _l("Business"),
    Skill.DESIGN: _l("Design"),
}


class HackathonPhase(StrEnum):
    DRAFT = "draft"
    REGISTRATION = "registration"  # before the start
    HACKING = "hacking"  # start .. submission deadline
    REVIEW = "review"  # technical review: deadline .. pitching
    JURY = "jury"  # pitching and scoring
    RESULTS = "results"  # every track's results are published


HACKATHON_PHASE_LABELS = {
    HackathonPhase.DRAFT: _l("Draft"),
    HackathonPhase.REGISTRATION: _l("Registration"),
    HackathonPhase.HACKING: _l("Hacking"),
    HackathonPhase.REVIEW: _l("Technical review"),
    HackathonPhase.JURY: _l("Pitching and jury"),
    HackathonPhase.RESULTS: _l("Results"),
}


class Hackathon(Base):
    __tablename__ = "hackathons"
    __table_args__ = (
        CheckConstraint("starts_at < submission_deadline AND submission_deadline <= jury_opens_at", name="dates"),
        CheckConstraint("max_team_size >= 1 AND max_team_size <= 10", name="max_team_size_range"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown
    regulation: Mapped[str] = mapped_column(Text, default="")  # Markdown: the event's rules
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"), index=True)
    organiser_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    venue: Mapped[str] = mapped_column(String(300), default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    submission_deadline: Mapped[datetime] = mapped_column(AwareDateTime())
    jury_opens_at: Mapped[datetime] = mapped_column(AwareDateTime())
    max_team_size: Mapped[int] = mapped_column(Integer, default=5)
    recommended_team_size: Mapped[int] = mapped_column(Integer, default=4)
    created_at: Mapped[created_at]

    territory: Mapped[Territory] = relationship()
    body: Mapped[Optional[StateBody]] = relationship()
    tracks: Mapped[list[Track]] = relationship(
        back_populates="hackathon", order_by="Track.position, Track.id", cascade="all, delete-orphan"
    )

    def phase_at(self, now: datetime) -> HackathonPhase:
        if not self.published:
            return HackathonPhase.DRAFT
        if now < self.starts_at:
            return HackathonPhase.REGISTRATION
        if now < self.submission_deadline:
            return HackathonPhase.HACKING
        if now < self.jury_opens_at:
            return HackathonPhase.REVIEW
        if self.tracks and all(t.competition.results_published_at is not None for t in self.tracks):
            return HackathonPhase.RESULTS
        return HackathonPhase.JURY

    def __repr__(self) -> str:
        return f"<Hackathon {self.id}>"


class Track(Base):
    """A problem posed by a body (the problem owner), with sponsors, metrics and datasets; judged as a competition."""

    __tablename__ = "hackathon_tracks"

    id: Mapped[intpk]
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"), index=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("contest_competitions.id"), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")  # Markdown
    regulation: Mapped[str] = mapped_column(Text, default="")
    owner_body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"))

    hackathon: Mapped[Hackathon] = relationship(back_populates="tracks")
    competition: Mapped[Competition] = relationship(lazy="joined")
    owner_body: Mapped[Optional[StateBody]] = relationship()
    sponsors: Mapped[list[Sponsor]] = relationship(cascade="all, delete-orphan", order_by="Sponsor.id")
    metrics: Mapped[list[Metric]] = relationship(cascade="all, delete-orphan", order_by="Metric.id")
    datasets: Mapped[list[Dataset]] = relationship(cascade="all, delete-orphan", order_by="Dataset.id")

    # the jury and results code reads ``owner.competition`` and ``owner.title``: a track is such an owner


class Sponsor(Base):
    __tablename__ = "hackathon_sponsors"

    id: Mapped[intpk]
    track_id: Mapped[int] = mapped_column(ForeignKey("hackathon_tracks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), default="")


class MetricKind(StrEnum):
    OBJECTIVE = "objective"
    SUBJECTIVE = "subjective"


class Metric(Base):
    """A success metric: objective (a target with its unit) or subjective (a rubric the jury applies)."""

    __tablename__ = "hackathon_metrics"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'objective' AND target IS NOT NULL AND unit <> '') OR (kind = 'subjective' AND rubric <> '')",
            name="metric_complete",
        ),
    )

    id: Mapped[intpk]
    track_id: Mapped[int] = mapped_column(ForeignKey("hackathon_tracks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    target: Mapped[Optional[float]] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40), default="")
    rubric: Mapped[str] = mapped_column(Text, default="")


class Dataset(Base):
    """A dataset of a track: an uploaded file (stored outside static/) or a link; optionally for registered teams."""

    __tablename__ = "hackathon_datasets"
    __table_args__ = (CheckConstraint("(url <> '') OR (stored_name IS NOT NULL)", name="file_or_link"),)

    id: Mapped[intpk]
    track_id: Mapped[int] = mapped_column(ForeignKey("hackathon_tracks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200), default="")  # the sponsor or body that gives it
    url: Mapped[str] = mapped_column(String(500), default="")
    stored_name: Mapped[Optional[str]] = mapped_column(String(80))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    teams_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[created_at]


class AgendaKind(StrEnum):
    LECTURE = "lecture"
    CHECKPOINT = "checkpoint"
    CEREMONY = "ceremony"
    MEAL = "meal"
    OTHER = "other"


AGENDA_LABELS = {
    AgendaKind.LECTURE: _l("Lecture"),
    AgendaKind.CHECKPOINT: _l("Checkpoint"),
    AgendaKind.CEREMONY: _l("Ceremony"),
    AgendaKind.MEAL: _l("Meal"),
    AgendaKind.OTHER: _l("Other"),
}


class HackathonAgendaItem(Base):
    __tablename__ = "hackathon_agenda"
    __table_args__ = (CheckConstraint("starts_at < ends_at", name="agenda_ordered"),)

    id: Mapped[intpk]
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default=AgendaKind.OTHER)
    title: Mapped[str] = mapped_column(String(200))
    speaker: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(AwareDateTime())
    ends_at: Mapped[datetime] = mapped_column(AwareDateTime())

    @property
    def kind_label(self) -> str:
        return str(AGENDA_LABELS.get(self.kind, self.kind))


class Participant(Base):
    """A registration: the skills one brings; the talent-pool consent (recorded, revocable)."""

    __tablename__ = "hackathon_participants"
    __table_args__ = (UniqueConstraint("hackathon_id", "user_id"),)

    id: Mapped[intpk]
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    registered_at: Mapped[created_at]
    talent_consent_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    talent_revoked_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    user: Mapped[User] = relationship()

    @property
    def in_talent_pool(self) -> bool:
        return self.talent_consent_at is not None and self.talent_revoked_at is None


class OpenMicPost(Base):
    """A solo participant's post on the open-mic board: the task, experience, idea and the specialists needed."""

    __tablename__ = "hackathon_open_mic"
    __table_args__ = (UniqueConstraint("hackathon_id", "user_id"),)

    id: Mapped[intpk]
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    track_id: Mapped[Optional[int]] = mapped_column(ForeignKey("hackathon_tracks.id", ondelete="SET NULL"))
    task: Mapped[str] = mapped_column(String(300))
    experience: Mapped[str] = mapped_column(Text, default="")
    idea: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship()


class Team(Base):
    __tablename__ = "hackathon_teams"
    __table_args__ = (UniqueConstraint("hackathon_id", "name"),)

    id: Mapped[intpk]
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("hackathon_tracks.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    captain_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: SHA-256 of the invitation code is not needed: the code is shown to members only and grants only joining.
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[created_at]

    track: Mapped[Track] = relationship()
    members: Mapped[list[HackathonTeamMember]] = relationship(
        order_by="HackathonTeamMember.slot", cascade="all, delete-orphan"
    )

    def member_ids(self) -> set[int]:
        return {m.user_id for m in self.members}


class HackathonTeamMember(Base):
    """A seat in a team. ``slot`` is 1..the hackathon's maximum; ``UNIQUE(team_id, slot)`` caps the size even for
    concurrent joins, ``UNIQUE(hackathon_id, user_id)`` keeps a person in one team per hackathon."""

    __tablename__ = "hackathon_team_members"
    __table_args__ = (
        UniqueConstraint("team_id", "slot"),
        UniqueConstraint("hackathon_id", "user_id"),
        CheckConstraint("slot >= 1 AND slot <= 10", name="slot_range"),
    )

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("hackathon_teams.id", ondelete="CASCADE"), index=True)
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    joined_at: Mapped[created_at]

    user: Mapped[User] = relationship()


class JoinRequest(Base):
    __tablename__ = "hackathon_join_requests"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("hackathon_teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(String(1000), default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending / accepted / declined
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship()


class Mentor(Base):
    __tablename__ = "hackathon_mentors"
    __table_args__ = (UniqueConstraint("track_id", "user_id"),)

    id: Mapped[intpk]
    track_id: Mapped[int] = mapped_column(ForeignKey("hackathon_tracks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expertise: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()


class Checkpoint(Base):
    __tablename__ = "hackathon_checkpoints"

    id: Mapped[intpk]
    hackathon_id: Mapped[int] = mapped_column(ForeignKey("hackathons.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(AwareDateTime())


class ProgressPost(Base):
    __tablename__ = "hackathon_progress"

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("hackathon_teams.id", ondelete="CASCADE"), index=True)
    checkpoint_id: Mapped[Optional[int]] = mapped_column(ForeignKey("hackathon_checkpoints.id", ondelete="SET NULL"))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    author: Mapped[Optional[User]] = relationship()
    comments: Mapped[list[MentorComment]] = relationship(cascade="all, delete-orphan", order_by="MentorComment.id")


class MentorComment(Base):
    __tablename__ = "hackathon_mentor_comments"

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("hackathon_progress.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    mentor: Mapped[Optional[User]] = relationship()


class ReviewState(StrEnum):
    PENDING = "pending"
    WORKS = "works"
    BROKEN = "broken"


REVIEW_LABELS = {
    ReviewState.PENDING: _l("Awaiting technical review"),
    ReviewState.WORKS: _l("Works"),
    ReviewState.BROKEN: _l("Does not work"),
}


class Submission(Base):
    __tablename__ = "hackathon_submissions"

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("hackathon_teams.id", ondelete="CASCADE"), unique=True)
    repo_url: Mapped[str] = mapped_column(String(500))
    demo_url: Mapped[str] = mapped_column(String(500), default="")
    slides_url: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    review_state: Mapped[str] = mapped_column(String(10), default=ReviewState.PENDING)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    #: The jury's entry (an accepted ``contest_entries`` row) once the submission works.
    entry_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contest_entries.id", ondelete="SET NULL"))

    team: Mapped[Team] = relationship()

    @property
    def review_label(self) -> str:
        return str(REVIEW_LABELS.get(self.review_state, self.review_state))


class ImplementationStatus(StrEnum):
    PLANNED = "planned"
    PILOT = "pilot"
    IN_USE = "in_use"
    DROPPED = "dropped"


IMPLEMENTATION_LABELS = {
    ImplementationStatus.PLANNED: _l("Planned"),
    ImplementationStatus.PILOT: _l("Pilot"),
    ImplementationStatus.IN_USE: _l("In use"),
    ImplementationStatus.DROPPED: _l("Dropped"),
}


class Implementation(Base):
    """What happens to a winning solution: the owner body, the status and its dates (public)."""

    __tablename__ = "hackathon_implementations"

    id: Mapped[intpk]
    submission_id: Mapped[int] = mapped_column(ForeignKey("hackathon_submissions.id", ondelete="CASCADE"), unique=True)
    owner_body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"))
    status: Mapped[str] = mapped_column(String(10), default=ImplementationStatus.PLANNED)
    started_on: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    finished_on: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)

    submission: Mapped[Submission] = relationship()
    owner_body: Mapped[Optional[StateBody]] = relationship()

    @property
    def status_label(self) -> str:
        return str(IMPLEMENTATION_LABELS.get(self.status, self.status))
