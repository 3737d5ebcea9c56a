"""Idea contests and their phases, and the competition a jury judges.

A *competition* is what a jury scores and what publishes a ranking: its criteria, judges, recusals, scores and
weights hang off ``contest_competitions`` (models/jury.py). An idea contest owns one competition; a hackathon track
will own one the same way, so judging is written once. Entries, votes and pledges belong to a competition too.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.db import AwareDateTime, Base, created_at, intpk
from civic.identity.models import Category, StateBody, Territory, User


class CompetitionKind(StrEnum):
    IDEA_CONTEST = "idea_contest"
    HACKATHON_TRACK = "hackathon_track"


class Normalise(StrEnum):
    NONE = "none"
    Z = "z"


NORMALISE_LABELS = {
    Normalise.NONE: _l("Raw scores (no normalisation)"),
    Normalise.Z: _l("Per-judge z-normalisation (evens out strict and lenient judges)"),
}


class Competition(Base):
    """The judged unit: its jury settings and, once published, the frozen results."""

    __tablename__ = "contest_competitions"
    __table_args__ = (
        CheckConstraint("jury_weight >= 0 AND public_weight >= 0", name="weights_not_negative"),
        CheckConstraint("min_judges >= 1", name="min_judges_positive"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20), default=CompetitionKind.IDEA_CONTEST)
    jury_weight: Mapped[float] = mapped_column(Float, default=1.0)
    public_weight: Mapped[float] = mapped_column(Float, default=0.0)
    normalise: Mapped[str] = mapped_column(String(8), default=Normalise.NONE)
    min_judges: Mapped[int] = mapped_column(Integer, default=2)
    #: How many of the top-ranked entries win (and are told so).
    winner_count: Mapped[int] = mapped_column(Integer, default=1)
    results_published_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    #: The published breakdown (``results.build``): what the results page and CSV show, frozen at publication.
    results: Mapped[Optional[dict]] = mapped_column(JSON, deferred=True)
    #: Publication off the request path (``results.request_publication``): ``None`` until the organiser asks, then
    #: ``publishing`` (the job is queued or running), ``published`` or ``failed`` (the organiser may ask again).
    results_state: Mapped[Optional[str]] = mapped_column(String(12))
    results_requested_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    results_requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Why the last publication job failed (shown to the organiser; cleared when they ask again).
    results_error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[created_at]


class PublishState(StrEnum):
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"


class ResultNotice(Base):
    """One author to tell about published results: written when the results are published, stamped when told.

    The notification jobs tell only rows not yet stamped, so a retried or repeated batch never tells anyone twice."""

    __tablename__ = "contest_result_notices"

    competition_id: Mapped[int] = mapped_column(
        ForeignKey("contest_competitions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    won: Mapped[bool] = mapped_column(Boolean, default=False)
    notified_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())


class RewardKind(StrEnum):
    GRANT = "grant"
    IMPLEMENTATION = "implementation"
    RECOGNITION = "recognition"


REWARD_LABELS = {
    RewardKind.GRANT: _l("A grant"),
    RewardKind.IMPLEMENTATION: _l("Implementation by the akimat"),
    RewardKind.RECOGNITION: _l("Public recognition"),
}


class ContestState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Phase(StrEnum):
    """Where a published contest stands; computed from its dates (``Contest.phase_at``)."""

    DRAFT = "draft"
    ANNOUNCED = "announced"
    SUBMISSION = "submission"
    SCREENING = "screening"
    VOTING = "voting"
    JURY = "jury"
    RESULTS = "results"
    IMPLEMENTATION = "implementation"


PHASE_LABELS = {
    Phase.DRAFT: _l("Draft"),
    Phase.ANNOUNCED: _l("Announced"),
    Phase.SUBMISSION: _l("Submission of ideas"),
    Phase.SCREENING: _l("Screening"),
    Phase.VOTING: _l("Public voting"),
    Phase.JURY: _l("Jury"),
    Phase.RESULTS: _l("Results"),
    Phase.IMPLEMENTATION: _l("Implementation"),
}
#: The dated phases in order, each with the column holding the moment it starts.
PHASE_STARTS: tuple[tuple[Phase, str], ...] = (
    (Phase.SUBMISSION, "submission_opens_at"),
    (Phase.SCREENING, "submission_closes_at"),
    (Phase.VOTING, "voting_opens_at"),
    (Phase.JURY, "voting_closes_at"),
    (Phase.RESULTS, "results_at"),
    (Phase.IMPLEMENTATION, "implementation_at"),
)
DATED_PHASES = tuple(phase for phase, _column in PHASE_STARTS)


class Contest(Base):
    """An idea contest: a concrete problem a state body poses, with its reward, rules and dated phases."""

    __tablename__ = "contests"
    __table_args__ = (
        CheckConstraint("votes_per_voter >= 1 AND votes_per_voter <= 10", name="votes_per_voter_range"),
        CheckConstraint(
            "submission_opens_at < submission_closes_at AND submission_closes_at <= voting_opens_at "
            "AND voting_opens_at < voting_closes_at AND voting_closes_at < results_at "
            "AND results_at <= implementation_at",
            name="phases_in_order",
        ),
        Index("ix_contests_link", "linked_object_type", "linked_object_id"),
    )

    id: Mapped[intpk]
    competition_id: Mapped[int] = mapped_column(ForeignKey("contest_competitions.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The problem, in Markdown (rendered through ``civic.core.richtext``).
    text: Mapped[str] = mapped_column(Text)
    rules: Mapped[str] = mapped_column(Text, default="")
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    category_id: Mapped[Optional[int]] = mapped_column(ForeignKey("categories.id"))
    body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"), index=True)
    organiser_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reward_kind: Mapped[str] = mapped_column(String(20), default=RewardKind.RECOGNITION)
    reward_text: Mapped[str] = mapped_column(String(500), default="")
    votes_per_voter: Mapped[int] = mapped_column(Integer, default=3)
    state: Mapped[str] = mapped_column(String(12), default=ContestState.DRAFT, index=True)
    submission_opens_at: Mapped[datetime] = mapped_column(AwareDateTime())
    submission_closes_at: Mapped[datetime] = mapped_column(AwareDateTime())
    voting_opens_at: Mapped[datetime] = mapped_column(AwareDateTime())
    voting_closes_at: Mapped[datetime] = mapped_column(AwareDateTime())
    results_at: Mapped[datetime] = mapped_column(AwareDateTime())
    implementation_at: Mapped[datetime] = mapped_column(AwareDateTime())
    #: The phase last announced by ``flask contests advance-phases`` (or an early move); pages use ``phase_at``.
    announced_phase: Mapped[str] = mapped_column(String(16), default=Phase.DRAFT)
    #: Where the organiser reports on implementing the winning ideas (Markdown).
    implementation_report: Mapped[str] = mapped_column(Text, default="")
    #: A generic link to another module's object ("initiative", 4), resolved by ``civic.core.links``.
    linked_object_type: Mapped[Optional[str]] = mapped_column(String(40))
    linked_object_id: Mapped[Optional[int]] = mapped_column(Integer)
    created_at: Mapped[created_at]

    competition: Mapped[Competition] = relationship(lazy="joined")
    territory: Mapped[Territory] = relationship()
    category: Mapped[Optional[Category]] = relationship()
    body: Mapped[Optional[StateBody]] = relationship()
    organiser: Mapped[Optional[User]] = relationship()

    def phase_at(self, now: datetime) -> Phase:
        if self.state != ContestState.PUBLISHED:
            return Phase.DRAFT
        current = Phase.ANNOUNCED
        for phase, column in PHASE_STARTS:
            if getattr(self, column) <= now:
                current = phase
        return current

    def phase_start(self, phase: Phase) -> datetime | None:
        return next((getattr(self, column) for p, column in PHASE_STARTS if p == phase), None)

    def phase_end(self, phase: Phase) -> datetime | None:
        starts = [column for _p, column in PHASE_STARTS]
        index = DATED_PHASES.index(phase) if phase in DATED_PHASES else -1
        if index < 0 or index + 1 >= len(starts):
            return None
        return getattr(self, starts[index + 1])

    def timeline(self, now: datetime) -> list[dict]:
        current = self.phase_at(now)
        return [
            {
                "phase": phase,
                "label": PHASE_LABELS[phase],
                "starts": getattr(self, column),
                "current": phase == current,
                "past": getattr(self, column) <= now and phase != current,
            }
            for phase, column in PHASE_STARTS
        ]

    @property
    def is_public(self) -> bool:
        return self.state == ContestState.PUBLISHED

    @property
    def reward_label(self) -> str:
        return str(REWARD_LABELS.get(self.reward_kind, self.reward_kind))

    def __repr__(self) -> str:
        return f"<Contest {self.id}>"
