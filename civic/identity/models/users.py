"""Users, assurance levels and the record of how each level was reached."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.db import AwareDateTime, Base, created_at, intpk

if TYPE_CHECKING:
    from civic.identity.models.directory import Territory


class AssuranceLevel(IntEnum):
    """How sure the platform is that an account is one real resident; each action declares the level it needs."""

    REGISTERED = 0
    EMAIL_VERIFIED = 1
    IIN_VERIFIED = 2
    VERIFIED_IN_PERSON = 3
    #: The resident signed a server challenge with their national digital signature (EDS, NCALayer): the IIN comes
    #: from a certificate that chains to a trusted national CA and is not revoked (``civic.identity.eds``).
    VERIFIED_BY_EDS = 4

    @property
    def label(self) -> str:
        return str(ASSURANCE_LABELS[self])


ASSURANCE_LABELS = {
    AssuranceLevel.REGISTERED: _l("Registered"),
    AssuranceLevel.EMAIL_VERIFIED: _l("Email verified"),
    AssuranceLevel.IIN_VERIFIED: _l("IIN verified"),
    AssuranceLevel.VERIFIED_IN_PERSON: _l("Verified in person"),
    AssuranceLevel.VERIFIED_BY_EDS: _l("Verified by digital signature"),
}


class VerificationMethod(StrEnum):
    """Ways to raise an account's assurance level. A national eGov sign-in would be one more member."""

    EMAIL = "email"
    IIN = "iin"
    IN_PERSON = "in_person"
    EDS = "eds"


class NotificationMode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    NONE = "none"


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[Optional[str]] = mapped_column(String(80))
    preferred_locale: Mapped[str] = mapped_column(String(5), default="kk")
    home_territory_id: Mapped[Optional[int]] = mapped_column(ForeignKey("territories.id"), index=True)
    assurance_level: Mapped[int] = mapped_column(Integer, default=AssuranceLevel.REGISTERED)
    email_verified_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    #: HMAC-SHA256 of the IIN under a server-side key: one IIN, one account; the number itself is never stored.
    iin_hmac: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    iin_last4: Mapped[Optional[str]] = mapped_column(String(4))
    notification_mode: Mapped[str] = mapped_column(String(12), default=NotificationMode.IMMEDIATE)
    #: Part of the login cookie's id: bumping it logs the account out everywhere.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    last_login_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    deleted_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    created_at: Mapped[created_at]

    home_territory: Mapped[Optional[Territory]] = relationship()

    #: The token of the signed-in session this object was loaded for (``civic.identity.login``); not a column.
    session_token = None
    session_record_id = None

    def get_id(self) -> str:
        """What the session (and remember-me) cookie holds: id, session version and the session record's token.
        Without a token (an object not loaded for a session) the ident names no session and signs nobody in."""
        return f"{self.id}:{self.session_version}:{self.session_token or ''}"

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def level(self) -> AssuranceLevel:
        return AssuranceLevel(self.assurance_level)

    def has_level(self, level: AssuranceLevel) -> bool:
        return self.assurance_level >= level

    @property
    def public_name(self) -> str:
        """The name shown beside public content; erased accounts show as "deleted user"."""
        if self.is_deleted:
            return str(_l("deleted user"))
        return self.display_name or str(_l("Resident #%(id)s", id=self.id))

    def has_permission(self, permission: str, territory=None, body=None) -> bool:
        from civic.identity.permissions import user_has_permission

        return user_has_permission(self, permission, territory=territory, body=body)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class IdentityVerification(Base):
    """One verification event: which method raised which level, when, and which staff member did it."""

    __tablename__ = "identity_verifications"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer)
    verified_at: Mapped[created_at]
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Where the check happened (e.g. front office); never the IIN.
    note: Mapped[Optional[str]] = mapped_column(String(200))
