"""What administrators and supervisors configure: extra bureau categories and response templates."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.db import AwareDateTime, Base, intpk, utc_now


class BureauArea(Base):
    """A shared category the bureau also uses, beyond its seven built-in areas (added by an administrator)."""

    __tablename__ = "bureau_areas"

    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=100)
    added_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    added_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    category = relationship("Category")


class ResponseTemplate(Base):
    """A reusable answer text for a category (or any category) in one language."""

    __tablename__ = "bureau_templates"

    id: Mapped[intpk]
    category_id: Mapped[Optional[int]] = mapped_column(ForeignKey("categories.id"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)

    category = relationship("Category")
