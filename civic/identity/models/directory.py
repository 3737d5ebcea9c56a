"""The administrative directory: territories, subject categories and state bodies with their competences."""

from __future__ import annotations

from enum import StrEnum
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.i18n import localized
from civic.db import Base, intpk


class TerritoryLevel(StrEnum):
    REPUBLIC = "republic"
    OBLAST = "oblast"
    CITY = "city"
    DISTRICT = "district"
    RURAL_DISTRICT = "rural_district"


TERRITORY_LEVEL_LABELS = {
    TerritoryLevel.REPUBLIC: _l("Republic"),
    TerritoryLevel.OBLAST: _l("Oblast"),
    TerritoryLevel.CITY: _l("City"),
    TerritoryLevel.DISTRICT: _l("District"),
    TerritoryLevel.RURAL_DISTRICT: _l("Rural district"),
}


class Territory(Base):
    __tablename__ = "territories"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("territories.id"), index=True)
    #: Materialised path of ids ("/1/4/17/"): ancestry checks are a prefix test, subtrees a LIKE.
    path: Mapped[str] = mapped_column(String(255), index=True, default="/")
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    parent: Mapped[Optional[Territory]] = relationship(remote_side="Territory.id")

    @property
    def name(self) -> str:
        return localized(self)

    @property
    def level_label(self) -> str:
        return str(TERRITORY_LEVEL_LABELS[TerritoryLevel(self.level)])

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def contains(self, other: Territory | None) -> bool:
        """True if ``other`` is this territory or lies inside it."""
        return other is not None and other.path.startswith(self.path)

    def __repr__(self) -> str:
        return f"<Territory {self.code}>"


class Category(Base):
    """A subject area (housing, energy, debts, ...) used to route items to the competent body."""

    __tablename__ = "categories"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def name(self) -> str:
        return localized(self)


state_body_categories = Table(
    "state_body_categories",
    Base.metadata,
    Column("state_body_id", Integer, ForeignKey("state_bodies.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", Integer, ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class StateBodyKind(StrEnum):
    AKIMAT = "akimat"
    DEPARTMENT = "department"
    OTHER = "other"


class StateBody(Base):
    """An akimat, one of its departments, or another state body of a territory."""

    __tablename__ = "state_bodies"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    head_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    territory: Mapped[Territory] = relationship()
    categories: Mapped[list[Category]] = relationship(secondary=state_body_categories)
    head = relationship("User", foreign_keys=[head_user_id])

    @property
    def name(self) -> str:
        return localized(self)

    def is_competent_for(self, category: Category) -> bool:
        return any(c.id == category.id for c in self.categories)
