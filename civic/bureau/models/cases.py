"""Advice cases, their append-only timeline and their attachments."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.bureau.clock import add_months
from civic.bureau.models.enums import (
    ACTION_LABELS,
    CONSENT_VALID_MONTHS,
    OPEN_STATES,
    STATE_LABELS,
    TRANSITIONS,
    CaseState,
    Consent,
)
from civic.core.errors import InvalidTransition
from civic.db import AwareDateTime, Base, intpk, utc_now

#: A resolved or closed case may be reopened for this long after its resolution.
REOPEN_WINDOW = timedelta(days=30)
#: The "was your problem solved?" question goes out this long after the resolution.
FOLLOW_UP_DELAY = timedelta(weeks=4)


class Case(Base):
    """A client's problem brought to the advice bureau, online or through a consultant."""

    __tablename__ = "bureau_cases"
    __table_args__ = (
        # The queue pages read ids from these covering indexes in their display order (urgent first, then oldest),
        # then load just one page of rows.
        Index("ix_bureau_cases_consultant_queue", "consultant_id", "state", "territory_id", "urgent", "id"),
        Index("ix_bureau_cases_territory_queue", "state", "territory_id", "urgent", "id"),
        Index("ix_bureau_cases_follow_up", "follow_up_sent_at", "follow_up_due_at"),
        Index("ix_bureau_cases_state_resolved", "state", "resolved_at"),
        #: Covers the dashboards' cases per territory, day and category (the refresh reads only the index).
        Index("ix_bureau_cases_created_cover", "created_at", "territory_id", "category_id"),
    )

    id: Mapped[intpk]
    client_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: For clients without an account (walk-in, phone, outreach): how to reach them.
    client_name: Mapped[Optional[str]] = mapped_column(String(120))
    client_phone: Mapped[Optional[str]] = mapped_column(String(40))
    client_email: Mapped[Optional[str]] = mapped_column(String(254))
    preferred_language: Mapped[str] = mapped_column(String(5), default="kk")
    contact_channel: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default=CaseState.NEW)
    #: Where an ``awaiting_client`` case returns when the client answers.
    resume_state: Mapped[Optional[str]] = mapped_column(String(20))
    consultant_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now, index=True)
    state_changed_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    resolved_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    closed_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime(), index=True)
    outcome: Mapped[Optional[str]] = mapped_column(String(20))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    consent_data_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    consent_referral_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    consent_follow_up_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    follow_up_due_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    follow_up_sent_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    follow_up_answered_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    follow_up_result: Mapped[Optional[str]] = mapped_column(String(12))
    follow_up_comment: Mapped[Optional[str]] = mapped_column(Text)
    anonymised_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    client = relationship("User", foreign_keys=[client_id])
    consultant = relationship("User", foreign_keys=[consultant_id])
    category = relationship("Category")
    territory = relationship("Territory")

    @property
    def number(self) -> str:
        """The case number the client quotes: stable, short, not guessable from personal data."""
        return f"CAB-{self.id:06d}"

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[CaseState(self.state)])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def client_display(self) -> str:
        if self.anonymised_at is not None:
            return str(_l("anonymised client"))
        if self.client is not None:
            return self.client.public_name
        return self.client_name or str(_l("Client of case %(number)s", number=self.number))

    def consent_at(self, kind: Consent) -> datetime | None:
        return {
            Consent.DATA: self.consent_data_at,
            Consent.REFERRAL: self.consent_referral_at,
            Consent.FOLLOW_UP: self.consent_follow_up_at,
        }[Consent(kind)]

    def consent_valid(self, kind: Consent, now: datetime) -> bool:
        """Given, and not older than six calendar months."""
        given = self.consent_at(kind)
        return given is not None and add_months(given, CONSENT_VALID_MONTHS) > now

    def can_reopen(self, now: datetime) -> bool:
        return (
            self.state in (CaseState.RESOLVED, CaseState.CLOSED)
            and self.resolved_at is not None
            and now - self.resolved_at <= REOPEN_WINDOW
            and self.anonymised_at is None
        )

    def transition(self, action: str, now: datetime) -> tuple[str, str]:
        """Move to the state ``action`` leads to; raise InvalidTransition when it is out of order."""
        sources, target = TRANSITIONS[action]
        if self.state not in sources:
            raise InvalidTransition(
                self,
                action,
                _l(
                    "You cannot %(action)s a case that is “%(state)s”.",
                    action=ACTION_LABELS[action],
                    state=self.state_label,
                ),
            )
        before = self.state
        self.state = target or self.resume_state or CaseState.IN_PROGRESS
        self.resume_state = before if target == CaseState.AWAITING_CLIENT else None
        self.state_changed_at = now
        return before, self.state

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.state}>"


class CaseEvent(Base):
    """One entry of a case's timeline. Rows are never changed by the application (anonymisation aside)."""

    __tablename__ = "bureau_case_events"
    __table_args__ = (Index("ix_bureau_case_events_case", "case_id", "id"),)

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("bureau_cases.id"))
    referral_id: Mapped[Optional[int]] = mapped_column(ForeignKey("bureau_referrals.id"), index=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    visibility: Mapped[str] = mapped_column(String(10))
    from_state: Mapped[Optional[str]] = mapped_column(String(20))
    to_state: Mapped[Optional[str]] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[Optional[dict]] = mapped_column(JSON)

    actor = relationship("User")


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _refuse_changes(mapper, connection, target):
    raise RuntimeError("case events are append-only")


class Attachment(Base):
    """A file stored outside ``static/`` under a random name, served only through an access-checked view."""

    __tablename__ = "bureau_attachments"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("bureau_cases.id"), index=True)
    #: Set when a state body's official uploaded the file with an answer.
    referral_id: Mapped[Optional[int]] = mapped_column(ForeignKey("bureau_referrals.id"), index=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: Included in the referral: the body's officials may download it.
    shared_with_body: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
