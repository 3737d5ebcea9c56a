"""Administrator-editable rules: thresholds and signing window per territory level, and module-wide settings.

Rows are optional: a missing row means the defaults from the issue (see ``civic.petitions.rules``).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from civic.db import Base


class PetitionLevelRule(Base):
    __tablename__ = "petition_level_rules"

    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    response_threshold: Mapped[int] = mapped_column(Integer)
    hearing_threshold: Mapped[int] = mapped_column(Integer)
    signing_days: Mapped[int] = mapped_column(Integer)


class PetitionSettings(Base):
    """One row (id 1)."""

    __tablename__ = "petition_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supporters_needed: Mapped[int] = mapped_column(Integer, default=5)
    #: Signers must live inside the petition's territory.
    residence_required: Mapped[bool] = mapped_column(Boolean, default=True)
