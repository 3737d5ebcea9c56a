"""Referrals of cases to state bodies as official appeals, with the legal clock, its stops and the bodies' answers."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.bureau import clock
from civic.bureau.models.enums import (
    ACTIVE_REFERRAL_STATES,
    CLOCK_REFERRAL_STATES,
    REFERRAL_STATE_LABELS,
    SLA_LABELS,
    ReferralState,
    SlaState,
)
from civic.core import deadlines
from civic.db import AwareDateTime, Base, intpk, utc_now


class Referral(Base):
    """An appeal to the competent body: what it sees, its deadline (UTC, NULL while the clock is stopped)."""

    __tablename__ = "bureau_referrals"
    __table_args__ = (
        # The sweep walks these two ranges only: rows that may have become due soon or overdue.
        Index("ix_bureau_referrals_sweep", "sla_state", "due_at"),
        Index("ix_bureau_referrals_body_state", "body_id", "state"),
    )

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("bureau_cases.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("state_bodies.id"))
    #: The body the routing rules suggested, kept when the consultant chose another one.
    suggested_body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"))
    state: Mapped[str] = mapped_column(String(12), default=ReferralState.SENT)
    #: The referred content: all the body's officials see of the case besides the shared files.
    summary: Mapped[str] = mapped_column(Text)
    referred_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    referred_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[Optional[str]] = mapped_column(String(20))
    extension_note: Mapped[Optional[str]] = mapped_column(Text)
    extended_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    extended_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sla_state: Mapped[str] = mapped_column(String(10), default=SlaState.ON_TIME)
    #: Set by the sweep together with the status change; cleared once the notifications are sent.
    notify_pending: Mapped[int] = mapped_column(SmallInteger, default=0, index=True)
    due_soon_notified_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    overdue_notified_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    answered_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    accepted_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    #: A supervisor withdrew a referral the body never answered (the reason goes to the client and the body).
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawal_reason: Mapped[Optional[str]] = mapped_column(Text)
    #: Known once an answer is accepted: was the accepted answer given after the deadline?
    answered_late: Mapped[Optional[bool]] = mapped_column(Boolean)
    evasive_count: Mapped[int] = mapped_column(Integer, default=0)

    case = relationship("Case")
    body = relationship("StateBody", foreign_keys=[body_id])
    suggested_body = relationship("StateBody", foreign_keys=[suggested_body_id])
    pauses: Mapped[list[ClockPauseRecord]] = relationship(
        order_by="ClockPauseRecord.start_at", back_populates="referral"
    )

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_REFERRAL_STATES

    @property
    def state_label(self) -> str:
        return str(REFERRAL_STATE_LABELS[ReferralState(self.state)])

    def sla_at(self, now: datetime) -> SlaState:
        """The deadline status at ``now``, computed from the stored deadline when the page reads it.

        ``sla_state`` is what the sweep last stored (for its index and its notices); pages never show it, so a
        badge does not lag one sweep behind the clock."""
        if self.state not in CLOCK_REFERRAL_STATES:
            return SlaState.ANSWERED if self.state == ReferralState.ANSWERED else SlaState.CLOSED
        return SlaState(deadlines.status_at(now, self.due_at).value)

    @property
    def current_sla(self) -> SlaState:
        return self.sla_at(clock.now())

    @property
    def sla_label(self) -> str:
        return str(SLA_LABELS[self.current_sla])

    @property
    def open_pause(self) -> ClockPauseRecord | None:
        return next((p for p in self.pauses if p.end_at is None), None)


class ClockPauseRecord(Base):
    """A stop of the legal clock while the case waited for the client."""

    __tablename__ = "bureau_clock_pauses"

    id: Mapped[intpk]
    referral_id: Mapped[int] = mapped_column(ForeignKey("bureau_referrals.id"), index=True)
    start_at: Mapped[datetime] = mapped_column(AwareDateTime())
    end_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    referral = relationship("Referral", back_populates="pauses")


class ReferralAnswer(Base):
    """One answer of the body and the inspector's verdict on it."""

    __tablename__ = "bureau_answers"
    __table_args__ = (Index("ix_bureau_answers_body_verdict", "body_id", "verdict"),)

    id: Mapped[intpk]
    referral_id: Mapped[int] = mapped_column(ForeignKey("bureau_referrals.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("state_bodies.id"))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    verdict: Mapped[Optional[str]] = mapped_column(String(10))
    verdict_reason: Mapped[Optional[str]] = mapped_column(Text)
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    author = relationship("User", foreign_keys=[author_id])


class PendingNotice(Base):
    """A deadline notice the sweep owes someone: written in the same transaction that marks the referrals, and
    delivered (one notification per person, counts summed) and deleted together, so each is sent exactly once."""

    __tablename__ = "bureau_pending_notices"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: ``NOTIFY_DUE_SOON`` or ``NOTIFY_OVERDUE``.
    kind: Mapped[int] = mapped_column(SmallInteger)
    count: Mapped[int] = mapped_column(Integer)
