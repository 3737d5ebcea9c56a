"""The dashboards' summary tables: the refreshed figures, the refresh log, the digest's memory and opt-outs.

``dashboard_staging``, ``dashboard_ancestors`` and ``dashboard_calendar`` are working tables of the refresh
(``civic.dashboards.refresh``): the measures' rows, the territory closure and the day → week/month/quarter map.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Date, Float, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import AwareDateTime, Base, intpk, utc_now

#: Period kinds of a figure: a snapshot at refresh time, the whole window, or one week, month or quarter.
NOW, ALL, WEEK, MONTH, QUARTER = "now", "all", "week", "month", "quarter"
TREND_KINDS = (WEEK, MONTH, QUARTER)


class Figure(Base):
    """One refreshed figure: a measure for a territory (rolled up from everything below it) or for a state body
    (``body_id`` set, ``territory_id`` the body's territory), in a period, optionally one part of a breakdown."""

    __tablename__ = "dashboard_figures"
    __table_args__ = (
        Index("ix_dashboard_figures_territory", "territory_id", "period_kind", "measure_key"),
        Index("ix_dashboard_figures_body", "body_id", "period_kind"),
    )

    id: Mapped[intpk]
    measure_key: Mapped[str] = mapped_column(String(80))
    territory_id: Mapped[Optional[int]] = mapped_column(Integer)
    body_id: Mapped[Optional[int]] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(40), default="")
    period_kind: Mapped[str] = mapped_column(String(8))
    #: The first day of the week, month or quarter; None for ``now`` and ``all``.
    period_start: Mapped[Optional[date]] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    refreshed_at: Mapped[datetime] = mapped_column(AwareDateTime())


class Refresh(Base):
    """One refresh: when, how long, how many figures, which measures failed, and which measures it recomputed
    (``measures``: empty for a complete refresh, ``flask dashboards refresh``; the keys, space-separated, for an
    on-change refresh of some measures, ``civic.dashboards.onchange``)."""

    __tablename__ = "dashboard_refreshes"

    id: Mapped[intpk]
    started_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    finished_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    seconds: Mapped[float] = mapped_column(Float, default=0)
    figures: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[str] = mapped_column(String(2000), default="")
    measures: Mapped[str] = mapped_column(Text, default="", server_default="")

    @property
    def complete(self) -> bool:
        return not self.measures


class DigestOptOut(Base):
    """A body head who does not want the weekly digest."""

    __tablename__ = "dashboard_digest_optouts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)


class DigestValue(Base):
    """What the last weekly digest told a body, to report the changes since."""

    __tablename__ = "dashboard_digest_values"

    body_id: Mapped[int] = mapped_column(ForeignKey("state_bodies.id", ondelete="CASCADE"), primary_key=True)
    measure_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    sent_at: Mapped[datetime] = mapped_column(AwareDateTime())


staging = Table(
    "dashboard_staging",
    Base.metadata,
    Column("measure_key", String(80), nullable=False),
    Column("territory_id", Integer, nullable=False),
    Column("body_id", Integer),
    Column("part", String(40), nullable=False),
    Column("day", Date),
    Column("value", Float, nullable=False),
)

ancestors = Table(
    "dashboard_ancestors",
    Base.metadata,
    Column("territory_id", Integer, primary_key=True),
    Column("ancestor_id", Integer, primary_key=True),
)

calendar = Table(
    "dashboard_calendar",
    Base.metadata,
    Column("day", Date, primary_key=True),
    Column("week", Date, nullable=False),
    Column("month", Date, nullable=False),
    Column("quarter", Date, nullable=False),
)
