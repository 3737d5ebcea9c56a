"""Roles, the named permissions granted to them, and per-territory role assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.db import AwareDateTime, Base, intpk, utc_now


class Role(Base):
    __tablename__ = "roles"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)


class RolePermission(Base):
    __tablename__ = "role_permissions"

    role_name: Mapped[str] = mapped_column(ForeignKey("roles.name", ondelete="CASCADE"), primary_key=True)
    permission: Mapped[str] = mapped_column(String(80), primary_key=True)


class UserRole(Base):
    """A role held by a user, optionally limited to a territory (and its sub-territories) or a state body."""

    __tablename__ = "user_roles"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role_name: Mapped[str] = mapped_column(ForeignKey("roles.name"))
    territory_id: Mapped[Optional[int]] = mapped_column(ForeignKey("territories.id"))
    state_body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    granted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    territory = relationship("Territory")
    state_body = relationship("StateBody")
