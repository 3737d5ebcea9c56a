"""The panel: who was invited and who has responded to which round. These tables hold no answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.db import AwareDateTime, Base, created_at, intpk


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"  # the panel froze before it was accepted


class DelphiPanelist(Base):
    __tablename__ = "delphi_panelists"
    __table_args__ = (UniqueConstraint("study_id", "user_id"),)

    id: Mapped[intpk]
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_studies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[created_at]
    added_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    study = relationship("DelphiStudy")


class DelphiInvitation(Base):
    """An email invitation to join a panel; accepted by the account with that email (existing or newly created)."""

    __tablename__ = "delphi_invitations"

    id: Mapped[intpk]
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_studies.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    #: SHA-256 of the emailed token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=InvitationStatus.PENDING)
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())
    accepted_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    study = relationship("DelphiStudy")


class DelphiParticipation(Base):
    """One panelist in one round: created for the whole panel when the round opens (so row order tells nothing),
    with a single flag for "submitted". No timestamps, no answers."""

    __tablename__ = "delphi_participations"
    __table_args__ = (UniqueConstraint("round_id", "panelist_id"),)

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("delphi_rounds.id", ondelete="CASCADE"), index=True)
    panelist_id: Mapped[int] = mapped_column(ForeignKey("delphi_panelists.id", ondelete="CASCADE"), index=True)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)

    panelist: Mapped[DelphiPanelist] = relationship()
