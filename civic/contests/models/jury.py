"""The jury of a competition: weighted criteria, judges (invited by email), declared conflicts and scores.

Everything here hangs off ``contest_competitions``, not off an idea contest, so a hackathon track judges the same
way. The arithmetic is ``civic.contests.scoring``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.db import AwareDateTime, Base, created_at, intpk, utc_now
from civic.identity.models import User


class Criterion(Base):
    __tablename__ = "contest_criteria"
    __table_args__ = (
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("scale_min < scale_max", name="scale_ordered"),
    )

    id: Mapped[intpk]
    competition_id: Mapped[int] = mapped_column(ForeignKey("contest_competitions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    scale_min: Mapped[int] = mapped_column(Integer, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, default=10)


class Judge(Base):
    """A judge of a competition: invited by email (a token link), a member once they accept."""

    __tablename__ = "contest_judges"
    __table_args__ = (UniqueConstraint("competition_id", "email"), UniqueConstraint("competition_id", "user_id"))

    id: Mapped[intpk]
    competition_id: Mapped[int] = mapped_column(ForeignKey("contest_competitions.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: SHA-256 of the emailed token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[created_at]
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())
    accepted_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    user: Mapped[Optional[User]] = relationship(foreign_keys=[user_id])

    @property
    def is_active(self) -> bool:
        return self.accepted_at is not None and self.revoked_at is None and self.user_id is not None


class Recusal(Base):
    """A judge's declared conflict of interest with an entry: they may not score it (recorded for the results)."""

    __tablename__ = "contest_recusals"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id"),)

    id: Mapped[intpk]
    judge_id: Mapped[int] = mapped_column(ForeignKey("contest_judges.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]


class Score(Base):
    __tablename__ = "contest_scores"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id", "criterion_id"),)

    id: Mapped[intpk]
    judge_id: Mapped[int] = mapped_column(ForeignKey("contest_judges.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("contest_criteria.id", ondelete="CASCADE"), index=True)
    value: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)


class JudgeNote(Base):
    """A judge's comment on an entry, passed on to the authors with the results."""

    __tablename__ = "contest_judge_notes"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id"),)

    id: Mapped[intpk]
    judge_id: Mapped[int] = mapped_column(ForeignKey("contest_judges.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
