"""Supporters, signatures, the tallies built from them, and the record of invalidations.

The signature table is the hot path. A signature is one INSERT guarded by UNIQUE(petition_id, user_id); it has no
foreign key to ``petitions`` or ``territories`` on purpose: on PostgreSQL a foreign-key check takes a KEY SHARE lock
on the referenced row, and thousands of signers per second would all queue on the same petition (and district) rows.
The INSERT reads the petition in the same statement instead (see ``signing.sign``), and petitions that were ever open
are never deleted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.db import AwareDateTime, Base, created_at, intpk, utc_now
from civic.identity.models import User


class PetitionSupporter(Base):
    """A resident who backed the petition through the author's private link, before moderation."""

    __tablename__ = "petition_supporters"
    __table_args__ = (UniqueConstraint("petition_id", "user_id"), UniqueConstraint("petition_id", "iin_hmac"))

    id: Mapped[intpk]
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The supporter's ``users.iin_hmac``: one person backs a petition once, even with a new account.
    iin_hmac: Mapped[Optional[str]] = mapped_column(String(64))
    #: Becomes the signature's opt-in for news of the response when the petition opens.
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship()


class PetitionSignature(Base):
    __tablename__ = "petition_signatures"
    __table_args__ = (
        UniqueConstraint("petition_id", "user_id"),
        # One person, one signature: the IIN fingerprint outlives the account (erased accounts free their IIN).
        UniqueConstraint("petition_id", "signer_iin_hmac"),
        Index("ix_petition_signatures_petition_id_created_at", "petition_id", "created_at"),
        # The per-IP signing limit counts an address's recent signatures, stopping at the limit (see signing.py).
        Index("ix_petition_signatures_ip_created_at", "ip", "created_at"),
        # Signatures not yet added to the petition's tally: a small partial index the counter job and reads scan.
        Index(
            "ix_petition_signatures_untallied",
            "petition_id",
            sqlite_where=text("tallied_at IS NULL"),
            postgresql_where=text("tallied_at IS NULL"),
        ),
        # Signers verified in person or by digital signature: few, so the page counts them from a small index
        # instead of reading every signature of a busy petition (civic.petitions.tallies.verified_counts).
        Index(
            "ix_petition_signatures_verified",
            "petition_id",
            "signer_level",
            sqlite_where=text("signer_level >= 3 AND invalidated_at IS NULL"),
            postgresql_where=text("signer_level >= 3 AND invalidated_at IS NULL"),
        ),
    )

    id: Mapped[intpk]
    petition_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The signer's ``users.iin_hmac`` when signing (never the IIN); kept when the account is erased.
    signer_iin_hmac: Mapped[Optional[str]] = mapped_column(String(64))
    #: The signer's assurance level when signing (self-declared IIN, in person, digital signature).
    signer_level: Mapped[int] = mapped_column(Integer, default=2, server_default=text("2"))
    #: The signer's home territory when signing (for "signatures by district"); 0 when unknown.
    territory_id: Mapped[int] = mapped_column(Integer, default=0)
    #: For the integrity view only; never published. Cleared when the account is erased.
    ip: Mapped[Optional[str]] = mapped_column(String(45))
    email_domain: Mapped[Optional[str]] = mapped_column(String(255))
    #: The signer asked to be told about the official response.
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    #: When the counter job added it to the tallies (or settled it as invalid without adding it).
    tallied_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    invalidated_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    invalidation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("petition_invalidations.id"))


class PetitionTerritoryCount(Base):
    """Tallied valid signatures of a petition per signer territory (0 = unknown)."""

    __tablename__ = "petition_territory_counts"

    petition_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    territory_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class PetitionDailyCount(Base):
    """Tallied valid signatures of a petition per day (Asia/Almaty calendar day)."""

    __tablename__ = "petition_daily_counts"

    petition_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class PetitionInvalidation(Base):
    """A moderator's decision to void a set of signatures, with the reason and what it matched."""

    __tablename__ = "petition_invalidations"

    id: Mapped[intpk]
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    #: {"ips": [...], "domains": [...], "since": iso, "until": iso}
    criteria: Mapped[dict] = mapped_column(JSON)
    invalidated_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[created_at]

    actor: Mapped[Optional[User]] = relationship()


class PetitionSourceAlert(Base):
    """A trending-source alert sent to moderators: one address range or email domain dominated recent signatures.

    Kept so the same petition and source are not reported twice within the alert window (``flask petitions
    trending-alerts``).
    """

    __tablename__ = "petition_source_alerts"
    __table_args__ = (Index("ix_petition_source_alerts_lookup", "petition_id", "kind", "source", "created_at"),)

    id: Mapped[intpk]
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    #: ``ip_range`` (an IPv4 /24 or IPv6 /48 network) or ``domain`` (an email domain).
    kind: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(255))
    source_count: Mapped[int] = mapped_column(Integer)
    recent_count: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(AwareDateTime())
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
