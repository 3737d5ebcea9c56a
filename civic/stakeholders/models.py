"""The register, the maps (one per owner), the scores, the position history, the plans and the engagements."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.db import AwareDateTime, Base, created_at, intpk
from civic.identity.models import Territory, User

KINDS = {
    "state_body": _l("State body"),
    "ngo": _l("Non-governmental organisation"),
    "business": _l("Business"),
    "group": _l("Group of residents"),
    "role": _l("Role or position"),
    "expert": _l("Expert community"),
    "media": _l("Media"),
}

#: The seed's four groups [001:90-112].
GROUPS = {
    1: _l("Group 1: high interest, low influence"),
    2: _l("Group 2: high interest, high influence"),
    3: _l("Group 3: low interest, low influence"),
    4: _l("Group 4: low interest, high influence"),
}
GROUP_ADVICE = {
    1: _l("Inform them fully and steadily."),
    2: _l("Involve them in drafting the decision and give them feedback."),
    3: _l("Monitor them, and move them when their position changes."),
    4: _l("Make the conditions of the decision acceptable to them."),
}


class Level(StrEnum):
    MONITORING = "monitoring"
    INFORMING = "informing"
    CONSULTATION = "consultation"
    DIALOGUE = "dialogue"
    PARTNERSHIP = "partnership"


LEVEL_LABELS = {
    Level.MONITORING: _l("Monitoring"),
    Level.INFORMING: _l("Informing"),
    Level.CONSULTATION: _l("Consultation"),
    Level.DIALOGUE: _l("Dialogue"),
    Level.PARTNERSHIP: _l("Partnership"),
}
DEFAULT_PLAN = {
    1: (Level.INFORMING, _l("Subscribed to the initiative's updates; the public report at step 10.")),
    2: (Level.DIALOGUE, _l("Invited to council meetings and Delphi panels; feedback on every draft.")),
    3: (Level.MONITORING, _l("Watched for changes of position; re-assessed at each step.")),
    4: (Level.CONSULTATION, _l("Consulted before the decision (step 6) on its conditions.")),
}


def group_of(interest: float, influence: float, threshold: float) -> int:
    high_interest, high_influence = interest >= threshold, influence >= threshold
    if high_interest:
        return 2 if high_influence else 1
    return 4 if high_influence else 3


class Stakeholder(Base):
    """An organisation, group or role in a territory's register, reusable across maps."""

    __tablename__ = "stakeholders"

    id: Mapped[intpk]
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Personal data: shown to the team only.
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    #: A platform account of the contact person: notified per the group's plan.
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    territory: Mapped[Territory] = relationship()

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))


class StakeholderMap(Base):
    """The mapping for one owner, e.g. ("initiative", 5)."""

    __tablename__ = "stakeholder_maps"
    __table_args__ = (
        UniqueConstraint("owner_type", "owner_id"),
        CheckConstraint("threshold >= 1 AND threshold <= 5", name="threshold_in_scale"),
    )

    id: Mapped[intpk]
    owner_type: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(Integer)
    territory_id: Mapped[Optional[int]] = mapped_column(ForeignKey("territories.id"))
    threshold: Mapped[float] = mapped_column(Float, default=3.0)
    created_at: Mapped[created_at]


class MapEntry(Base):
    """A stakeholder on a map, with its current averaged position and group."""

    __tablename__ = "stakeholder_entries"
    __table_args__ = (UniqueConstraint("map_id", "stakeholder_id"),)

    id: Mapped[intpk]
    map_id: Mapped[int] = mapped_column(ForeignKey("stakeholder_maps.id", ondelete="CASCADE"), index=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id", ondelete="CASCADE"), index=True)
    interest: Mapped[Optional[float]] = mapped_column(Float)
    influence: Mapped[Optional[float]] = mapped_column(Float)
    group: Mapped[Optional[int]] = mapped_column(Integer)
    previous_group: Mapped[Optional[int]] = mapped_column(Integer)
    #: When it entered its current group: the group's plan is due from then until an engagement is recorded.
    group_since: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    created_at: Mapped[created_at]

    stakeholder: Mapped[Stakeholder] = relationship()


class StakeholderScore(Base):
    """One assessor's scores; a new score by the same assessor replaces theirs in the mean (the old one is kept)."""

    __tablename__ = "stakeholder_scores"
    __table_args__ = (
        CheckConstraint("interest >= 1 AND interest <= 5", name="interest_in_scale"),
        CheckConstraint("influence >= 1 AND influence <= 5", name="influence_in_scale"),
    )

    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(ForeignKey("stakeholder_entries.id", ondelete="CASCADE"), index=True)
    assessor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who scored when not a user of the team, e.g. "Delphi study #3 (12 experts)".
    assessor_label: Mapped[str] = mapped_column(String(200), default="")
    interest: Mapped[int] = mapped_column(Integer)
    influence: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[created_at]


class StakeholderPosition(Base):
    """The position history: one row per re-assessment (the mean after it)."""

    __tablename__ = "stakeholder_positions"

    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(ForeignKey("stakeholder_entries.id", ondelete="CASCADE"), index=True)
    interest: Mapped[float] = mapped_column(Float)
    influence: Mapped[float] = mapped_column(Float)
    group: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[created_at]


class EngagementPlan(Base):
    """How one group is engaged on a map."""

    __tablename__ = "stakeholder_plans"
    __table_args__ = (UniqueConstraint("map_id", "group"),)

    id: Mapped[intpk]
    map_id: Mapped[int] = mapped_column(ForeignKey("stakeholder_maps.id", ondelete="CASCADE"), index=True)
    group: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(20))
    mechanisms: Mapped[str] = mapped_column(Text, default="")


class Engagement(Base):
    """An engagement held with a stakeholder (a consultation, a dialogue meeting, …)."""

    __tablename__ = "stakeholder_engagements"

    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(ForeignKey("stakeholder_entries.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    actor: Mapped[Optional[User]] = relationship()
