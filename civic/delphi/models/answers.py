"""Answers and proposals, stored under the per-study pseudonym only.

No foreign key to users or to the panel, a random UUID primary key (no insertion order in the id) and no
per-answer timestamp. On SQLite the table has no rowid, so the physical order follows the random key; closing a
round also rewrites the round's rows in random order (see services.rounds.close_round).
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import Base


def random_id() -> str:
    return uuid.uuid4().hex


class ProposalStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class DelphiAnswer(Base):
    __tablename__ = "delphi_answers"
    __table_args__ = (
        UniqueConstraint("round_id", "item_id", "pseudonym"),
        Index("ix_delphi_answers_round_pseudonym", "round_id", "pseudonym"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("delphi_rounds.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("delphi_items.id", ondelete="CASCADE"), index=True)
    #: HMAC-SHA256(study key, study id : user id), hex.
    pseudonym: Mapped[str] = mapped_column(String(64))
    #: Likert point or number (float), "yes"/"no" or an option id (str), or {option id: rank} for rankings.
    value: Mapped[Any] = mapped_column(JSON)
    justification: Mapped[str] = mapped_column(Text, default="")
    #: Set by the organiser's moderation (self-identifying text); hidden justifications are never shown.
    justification_hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class DelphiProposal(Base):
    """An item proposed by a panelist in round 0 (pseudonymous, so its author can see and withdraw it)."""

    __tablename__ = "delphi_proposals"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("delphi_rounds.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=ProposalStatus.NEW)
    item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("delphi_items.id", ondelete="SET NULL"))
