"""In-app notifications; email delivery follows each user's notification mode."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import AwareDateTime, Base, created_at, intpk


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    #: Rendered in the recipient's language when created.
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[created_at]
    read_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    emailed_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
