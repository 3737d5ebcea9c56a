"""Entries (ideas), their co-authors and images, comments, pledges and the public vote."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.db import AwareDateTime, Base, created_at, intpk, utc_now
from civic.identity.models import User


class EntryState(StrEnum):
    SUBMITTED = "submitted"  # awaiting screening
    ACCEPTED = "accepted"  # public, in the vote and before the jury
    REJECTED = "rejected"  # screened out, with a coded reason the author sees
    WITHDRAWN = "withdrawn"


ENTRY_STATE_LABELS = {
    EntryState.SUBMITTED: _l("Awaiting screening"),
    EntryState.ACCEPTED: _l("Accepted"),
    EntryState.REJECTED: _l("Screened out"),
    EntryState.WITHDRAWN: _l("Withdrawn"),
}


class ScreeningReason(StrEnum):
    OFF_TOPIC = "off_topic"
    DUPLICATE = "duplicate"
    UNLAWFUL = "unlawful"
    PERSONAL_DATA = "personal_data"


SCREENING_LABELS = {
    ScreeningReason.OFF_TOPIC: _l("Off-topic: it does not address the contest's problem"),
    ScreeningReason.DUPLICATE: _l("Duplicate of another entry"),
    ScreeningReason.UNLAWFUL: _l("Unlawful content"),
    ScreeningReason.PERSONAL_DATA: _l("Discloses personal data of other people"),
}


class Entry(Base):
    __tablename__ = "contest_entries"
    __table_args__ = (Index("ix_contest_entries_competition_id_state", "competition_id", "state"),)

    id: Mapped[intpk]
    competition_id: Mapped[int] = mapped_column(ForeignKey("contest_competitions.id"))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown, rendered through ``civic.core.richtext`` (sanitised).
    text: Mapped[str] = mapped_column(Text)
    #: [{"url": ..., "video": bool}]: http(s) links only.
    links: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(12), default=EntryState.SUBMITTED)
    screening_reason: Mapped[Optional[str]] = mapped_column(String(20))
    screening_note: Mapped[Optional[str]] = mapped_column(Text)
    screened_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    screened_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    author: Mapped[Optional[User]] = relationship(foreign_keys=[author_id])
    coauthors: Mapped[list[Coauthor]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Coauthor.id"
    )
    images: Mapped[list[EntryImage]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryImage.position"
    )

    @property
    def state_label(self) -> str:
        return str(ENTRY_STATE_LABELS.get(self.state, self.state))

    @property
    def reason_label(self) -> str:
        return str(SCREENING_LABELS.get(self.screening_reason, "")) if self.screening_reason else ""

    def author_ids(self) -> set[int]:
        """The author and the co-authors who accepted their invitation."""
        ids = {c.user_id for c in self.coauthors if c.user_id is not None}
        if self.author_id is not None:
            ids.add(self.author_id)
        return ids

    def is_author(self, user) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and user.id in self.author_ids()

    def __repr__(self) -> str:
        return f"<Entry {self.id}>"


class Coauthor(Base):
    """A co-author invited by email; ``user_id`` is set when they accept with the account of that address."""

    __tablename__ = "contest_coauthors"
    __table_args__ = (UniqueConstraint("entry_id", "email"),)

    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the emailed token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_at: Mapped[created_at]
    accepted_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    entry: Mapped[Entry] = relationship(back_populates="coauthors")
    user: Mapped[Optional[User]] = relationship()


class EntryImage(Base):
    """An image of an entry, re-encoded on upload (EXIF and other metadata gone); the file lives on disk."""

    __tablename__ = "contest_entry_images"

    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[created_at]

    entry: Mapped[Entry] = relationship(back_populates="images")


class Vote(Base):
    """One resident's vote for one entry. The rules live in the INSERT (``voting.py``) and these constraints:
    one vote per entry and IIN fingerprint, so a person who erased an account and registered again still counts once
    (and, an account's IIN being set once, one per entry and account); and a numbered slot per (competition, IIN
    fingerprint) that caps a person's votes at the contest's N even when two requests race."""

    __tablename__ = "contest_votes"
    __table_args__ = (
        UniqueConstraint("entry_id", "voter_iin_hmac"),
        UniqueConstraint("competition_id", "voter_iin_hmac", "slot"),
        CheckConstraint("slot >= 1", name="slot_positive"),
    )

    id: Mapped[intpk]
    competition_id: Mapped[int] = mapped_column(ForeignKey("contest_competitions.id"))
    #: Not indexed alone: UNIQUE(entry_id, voter_iin_hmac) leads with it, and every index costs each vote a write.
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"))
    voter_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The voter's ``users.iin_hmac`` when voting (never the IIN itself).
    voter_iin_hmac: Mapped[str] = mapped_column(String(64))
    slot: Mapped[int] = mapped_column(Integer)
    #: The voter's home territory when voting (for the per-district breakdown); 0 when unknown.
    territory_id: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)


class CommentState(StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"  # reported: hidden until a moderator reviews it
    REMOVED = "removed"


class Comment(Base):
    __tablename__ = "contest_comments"

    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"), index=True)
    #: Replies go one level deep: a reply's parent is always a top-level comment.
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contest_comments.id", ondelete="CASCADE"))
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default=CommentState.VISIBLE, index=True)
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    created_at: Mapped[created_at]

    author: Mapped[Optional[User]] = relationship(foreign_keys=[author_id])


class CommentReport(Base):
    __tablename__ = "contest_comment_reports"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[intpk]
    comment_id: Mapped[int] = mapped_column(ForeignKey("contest_comments.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[created_at]


class PledgeKind(StrEnum):
    HOURS = "hours"
    MATERIALS = "materials"
    PREMISES = "premises"


PLEDGE_LABELS = {
    PledgeKind.HOURS: _l("Volunteer hours"),
    PledgeKind.MATERIALS: _l("Materials"),
    PledgeKind.PREMISES: _l("Premises"),
}


class Pledge(Base):
    """A resident's (or an organisation's, through a resident) offer of help to implement an entry."""

    __tablename__ = "contest_pledges"
    __table_args__ = (CheckConstraint("hours IS NULL OR hours > 0", name="hours_positive"),)

    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(ForeignKey("contest_entries.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Set when the pledge is made on behalf of an organisation.
    organisation: Mapped[Optional[str]] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))
    hours: Mapped[Optional[int]] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[created_at]
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    user: Mapped[Optional[User]] = relationship()

    @property
    def kind_label(self) -> str:
        return str(PLEDGE_LABELS.get(self.kind, self.kind))
