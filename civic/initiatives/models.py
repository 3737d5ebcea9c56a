"""Initiatives, their steps and decisions, indicators and values, the materialised roll-up, weak-spot reports and
the catalogue of the seed's 45 cases."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.i18n import localized
from civic.db import AwareDateTime, Base, created_at, intpk
from civic.identity.models import StateBody, Territory, User

#: The seed's 10-step decision algorithm [001:5748-5768].
STEPS = {
    1: _l("Collect information"),
    2: _l("Analyse and identify the problem"),
    3: _l("Decide"),
    4: _l("Technical support"),
    5: _l("Involve civil society"),
    6: _l("Decide taking the four stakeholder groups into account"),
    7: _l("Implement"),
    8: _l("Monitor through automatic data collection"),
    9: _l("Evaluate against the target indicators"),
    10: _l("Inform all participants"),
}
LAST_STEP = 10

SECTORS = {
    "social": _l("Social protection and family"),
    "education": _l("Education"),
    "health": _l("Healthcare"),
    "housing": _l("Housing and utilities"),
    "labour": _l("Labour and employment"),
    "agriculture": _l("Agriculture and land"),
    "transport": _l("Transport and road safety"),
    "economy": _l("Economy and public finance"),
    "safety": _l("Public safety"),
    "governance": _l("Public services and governance"),
    "environment": _l("Environment"),
    "migration": _l("Migration and demography"),
}

MECHANISMS = {
    "council_session": _l("Public council session with experts"),
    "ngo_brainstorm": _l("Brainstorm with NGOs"),
    "expert_panel": _l("Wider expert panel"),
    "advice_bureau": _l("Citizen advice bureau"),
    "telecottage": _l("Telecottage outreach to rural districts"),
    "contest": _l("Idea contest"),
    "hackathon": _l("Hackathon"),
    "delphi": _l("Delphi study"),
    "survey": _l("Survey of residents"),
}


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


DIRECTION_LABELS = {Direction.HIGHER: _l("Higher is better"), Direction.LOWER: _l("Lower is better")}


class Aggregation(StrEnum):
    SUM = "sum"
    MEAN = "mean"


AGGREGATION_LABELS = {Aggregation.SUM: _l("Sum"), Aggregation.MEAN: _l("Mean")}

#: Levels an indicator may be collected at (values are entered at that level and rolled up above it).
COLLECTION_LEVELS = {
    "rural_district": _l("Rural district"),
    "district": _l("District"),
    "oblast": _l("Oblast or city of republican significance"),
    "republic": _l("Republic"),
}
#: A city of republican significance stands at the oblast level.
LEVEL_EQUIVALENTS = {
    "oblast": ("oblast", "city"),
    "district": ("district", "city"),
    "rural_district": ("rural_district",),
    "republic": ("republic",),
}


class Template(Base):
    """One of the seed's 45 cases, as a starting point for an initiative."""

    __tablename__ = "initiative_templates"

    id: Mapped[intpk]
    case_no: Mapped[int] = mapped_column(Integer, unique=True)
    title_kk: Mapped[str] = mapped_column(String(300))
    title_ru: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    sector: Mapped[str] = mapped_column(String(20))
    horizon_years: Mapped[int] = mapped_column(Integer, default=5)
    #: {"kk": [...], "ru": [...], "en": [...]}: the data to collect.
    data_to_collect: Mapped[dict] = mapped_column(JSON, default=dict)
    mechanisms: Mapped[list] = mapped_column(JSON, default=list)
    #: Suggested indicator definitions: [{code, name_kk, name_ru, name_en, unit, direction, level, aggregation}].
    indicators: Mapped[list] = mapped_column(JSON, default=list)
    source_line: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def title(self) -> str:
        return localized(self, "title")

    def data_items(self, language: str) -> list[str]:
        return list((self.data_to_collect or {}).get(language) or (self.data_to_collect or {}).get("en") or [])


class Initiative(Base):
    __tablename__ = "initiatives"
    __table_args__ = (
        CheckConstraint("step >= 1 AND step <= 10", name="step_in_range"),
        CheckConstraint("horizon_years >= 1 AND horizon_years <= 30", name="horizon_in_range"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"), index=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    horizon_years: Mapped[int] = mapped_column(Integer, default=5)
    step: Mapped[int] = mapped_column(Integer, default=1, index=True)
    template_id: Mapped[Optional[int]] = mapped_column(ForeignKey("initiative_templates.id"))
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Step 3's record: the decision and (on the indicators) its targets.
    decision_text: Mapped[str] = mapped_column(Text, default="")
    #: Step 6's record: the stakeholder check passed, or an override with its reason.
    check_passed_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    check_override_reason: Mapped[str] = mapped_column(Text, default="")
    #: Step 10's record: the public report, sent when the step is passed.
    report_text: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    created_at: Mapped[created_at]

    territory: Mapped[Territory] = relationship()
    body: Mapped[Optional[StateBody]] = relationship()
    template: Mapped[Optional[Template]] = relationship()
    team: Mapped[list[User]] = relationship(secondary="initiative_team", order_by="User.id")

    @property
    def step_label(self) -> str:
        return str(STEPS[self.step])

    @property
    def sector_label(self) -> str:
        return str(SECTORS.get(self.sector, self.sector))

    @property
    def finished(self) -> bool:
        return self.reported_at is not None

    def on_team(self, user) -> bool:
        return getattr(user, "is_authenticated", False) and any(m.id == user.id for m in self.team)


class TeamMember(Base):
    __tablename__ = "initiative_team"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class Subscription(Base):
    """A resident following an initiative's updates (group 1's default channel)."""

    __tablename__ = "initiative_subscriptions"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[created_at]


class StepMove(Base):
    """One move from a step to the next, with the record it needed."""

    __tablename__ = "initiative_step_moves"

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    from_step: Mapped[int] = mapped_column(Integer)
    to_step: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    actor: Mapped[Optional[User]] = relationship()


class Decision(Base):
    """The decisions log."""

    __tablename__ = "initiative_decisions"

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    actor: Mapped[Optional[User]] = relationship()


class Indicator(Base):
    __tablename__ = "initiative_indicators"
    __table_args__ = (UniqueConstraint("initiative_id", "code"),)

    id: Mapped[intpk]
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(8), default=Direction.HIGHER)
    level: Mapped[str] = mapped_column(String(20), default="district")
    aggregation: Mapped[str] = mapped_column(String(8), default=Aggregation.SUM)
    #: Set at step 3: the value to reach at the initiative's territory by ``target_period``.
    target_value: Mapped[Optional[float]] = mapped_column(Float)
    target_period: Mapped[Optional[str]] = mapped_column(String(7))

    @property
    def higher_is_better(self) -> bool:
        return self.direction == Direction.HIGHER


class Value(Base):
    """A value entered at the indicator's collection level for one territory and period ("2024" or "2024-03")."""

    __tablename__ = "initiative_values"

    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("initiative_indicators.id", ondelete="CASCADE"), primary_key=True
    )
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class Rollup(Base):
    """The materialised roll-up: every territory at or above the collection level, per period, refreshed by
    ``indicators_service.refresh_rollup`` (one grouped INSERT … SELECT over the territory tree) after values change."""

    __tablename__ = "initiative_rollups"
    __table_args__ = (Index("ix_initiative_rollups_lookup", "indicator_id", "period", "parent_id"),)

    #: No foreign keys: a derived cache, rewritten wholesale per indicator (checking 2 keys per row would double the
    #: cost of a refresh); ``values.refresh_rollup`` only ever writes ids it read from the tables.
    indicator_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    territory_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    #: The territory's parent (copied, so a view of one territory's children is one indexed lookup).
    parent_id: Mapped[Optional[int]] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    count: Mapped[int] = mapped_column(Integer)


class WeakSpot(Base):
    """A "weak spots" report sent one level up the seed's growth line (district → oblast → republic)."""

    __tablename__ = "initiative_weak_spots"

    id: Mapped[intpk]
    initiative_id: Mapped[Optional[int]] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    from_territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    to_territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    weak_spots: Mapped[str] = mapped_column(Text)
    proposals: Mapped[str] = mapped_column(Text, default="")
    sender_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    created_at: Mapped[created_at]

    from_territory: Mapped[Territory] = relationship(foreign_keys=[from_territory_id])
    to_territory: Mapped[Territory] = relationship(foreign_keys=[to_territory_id])
    initiative: Mapped[Optional[Initiative]] = relationship()
