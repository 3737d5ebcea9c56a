"""Server-side records of signed-in sessions, and the login throttle per account and address."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import AwareDateTime, Base, created_at, intpk, utc_now


class UserSession(Base):
    """One sign-in: the cookie carries a random token, the table only its SHA-256. Revoked or unknown tokens are
    refused on the next request (``civic.identity.login.load_user`` and the petition signing INSERT)."""

    __tablename__ = "user_sessions"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    #: Refreshed at most once a minute, and only by requests that write anyway (GET never writes).
    last_seen_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    user_agent: Mapped[Optional[str]] = mapped_column(String(200))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())


class LoginThrottle(Base):
    """Failed sign-ins of one account from one address: this pair is locked first, so a stranger elsewhere cannot
    lock the owner out with a few wrong passwords (the account alone locks later and for less: ``users``)."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("user_id", "address"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(45))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
