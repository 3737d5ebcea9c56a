"""Studies, their items and rounds, and the per-study pseudonym key."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Integer, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.i18n import localized
from civic.db import AwareDateTime, Base, created_at, intpk, utc_now


class StudyStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    FINISHED = "finished"


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # analysed; the organiser reviews justifications
    PUBLISHED = "published"  # feedback visible to the panel


class ItemKind(StrEnum):
    LIKERT = "likert"
    NUMERIC = "numeric"
    RANKING = "ranking"
    YES_NO = "yes_no"
    CATEGORICAL = "categorical"


class DelphiStudy(Base):
    __tablename__ = "delphi_studies"

    id: Mapped[intpk]
    title_kk: Mapped[str] = mapped_column(String(300), default="")
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    context_kk: Mapped[str] = mapped_column(Text, default="")
    context_ru: Mapped[str] = mapped_column(Text, default="")
    context_en: Mapped[str] = mapped_column(Text, default="")
    #: The organiser's language: its texts are required, the other two optional (shown with a fallback).
    base_language: Mapped[str] = mapped_column(String(2), default="kk")
    status: Mapped[str] = mapped_column(String(12), default=StudyStatus.DRAFT, index=True)
    #: Overrides of the spec's §3 configuration keys; frozen (with the panel) when round 1 opens.
    config: Mapped[dict] = mapped_column(JSON, default=dict)
    frozen_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    #: A generic link to another module's object ("petition", 12) — no import of that module.
    linked_object_type: Mapped[Optional[str]] = mapped_column(String(40))
    linked_object_id: Mapped[Optional[int]] = mapped_column(Integer)
    organiser_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[created_at]
    finished_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    finish_reason: Mapped[Optional[str]] = mapped_column(String(40))
    results_published_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    key_shredded_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    organiser = relationship("User")
    items: Mapped[list[DelphiItem]] = relationship(
        back_populates="study", order_by="DelphiItem.position", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[DelphiRound]] = relationship(
        back_populates="study", order_by="DelphiRound.number", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def context(self) -> str:
        return localized(self, "context")

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_finished(self) -> bool:
        return self.status == StudyStatus.FINISHED

    @property
    def results_published(self) -> bool:
        return self.results_published_at is not None

    def round(self, number: int) -> DelphiRound | None:
        return next((r for r in self.rounds if r.number == number), None)

    @property
    def open_round(self) -> DelphiRound | None:
        return next((r for r in self.rounds if r.status == RoundStatus.OPEN), None)

    @property
    def voting_rounds(self) -> list[DelphiRound]:
        """Rounds 1, 2, ... (round 0, for proposals, carries no answers)."""
        return [r for r in self.rounds if r.number >= 1]

    @property
    def closed_rounds(self) -> list[DelphiRound]:
        return [r for r in self.voting_rounds if r.status != RoundStatus.OPEN]

    @property
    def published_rounds(self) -> list[DelphiRound]:
        return [r for r in self.voting_rounds if r.status == RoundStatus.PUBLISHED]

    @property
    def active_items(self) -> list[DelphiItem]:
        return [i for i in self.items if i.retired_after_round is None]

    def __repr__(self) -> str:
        return f"<DelphiStudy {self.id}>"


class DelphiStudyKey(Base):
    """The random salt of a study's pseudonym key; deleting the row (crypto-shredding) makes answers unlinkable."""

    __tablename__ = "delphi_study_keys"

    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_studies.id", ondelete="CASCADE"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]


class DelphiItem(Base):
    __tablename__ = "delphi_items"
    __table_args__ = (UniqueConstraint("study_id", "code"),)

    id: Mapped[intpk]
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_studies.id", ondelete="CASCADE"), index=True)
    #: Short stable id used in reports and exports ("Q3").
    code: Mapped[str] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(12))
    text_kk: Mapped[str] = mapped_column(Text, default="")
    text_ru: Mapped[str] = mapped_column(Text, default="")
    text_en: Mapped[str] = mapped_column(Text, default="")
    #: Likert: number of points and a preset of labelled points, or "custom" with labels for both ends.
    scale_points: Mapped[Optional[int]] = mapped_column(Integer)
    scale_preset: Mapped[Optional[str]] = mapped_column(String(20))
    labels: Mapped[Optional[dict]] = mapped_column(JSON)
    #: Ranking and categorical: [{"id": "o1", "kk": ..., "ru": ..., "en": ...}, ...]
    options: Mapped[Optional[list]] = mapped_column(JSON)
    #: Numeric estimates.
    unit: Mapped[Optional[str]] = mapped_column(String(40))
    min_value: Mapped[Optional[float]] = mapped_column(Float)
    max_value: Mapped[Optional[float]] = mapped_column(Float)
    ratio_scale: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The round that first asked the item; from then on it cannot be edited or removed.
    first_round: Mapped[Optional[int]] = mapped_column(Integer)
    retired_after_round: Mapped[Optional[int]] = mapped_column(Integer)
    final_status: Mapped[Optional[str]] = mapped_column(String(120))

    study: Mapped[DelphiStudy] = relationship(back_populates="items")

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def is_locked(self) -> bool:
        return self.first_round is not None

    @property
    def is_retired(self) -> bool:
        return self.retired_after_round is not None

    def option_ids(self) -> list[str]:
        return [option["id"] for option in self.options or []]

    def __repr__(self) -> str:
        return f"<DelphiItem {self.code}>"


round_items = Table(
    "delphi_round_items",
    Base.metadata,
    Column("round_id", Integer, ForeignKey("delphi_rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", Integer, ForeignKey("delphi_items.id", ondelete="CASCADE"), primary_key=True),
)


class DelphiRound(Base):
    __tablename__ = "delphi_rounds"
    __table_args__ = (UniqueConstraint("study_id", "number"),)

    id: Mapped[intpk]
    study_id: Mapped[int] = mapped_column(ForeignKey("delphi_studies.id", ondelete="CASCADE"), index=True)
    #: 0 is the optional proposals round; answers start at round 1.
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=RoundStatus.OPEN, index=True)
    opened_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now)
    deadline: Mapped[datetime] = mapped_column(AwareDateTime(), index=True)
    closed_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    published_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    last_reminder_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    invited_count: Mapped[int] = mapped_column(Integer, default=0)
    responded_count: Mapped[Optional[int]] = mapped_column(Integer)
    #: analyse_study's report over rounds 1..number, stored when the round closes (raw; pages show it redacted).
    report: Mapped[Optional[dict]] = mapped_column(JSON)
    #: What the app adds to the report: per-round Kendall's W over the items asked, rank quartiles per option.
    extras: Mapped[Optional[dict]] = mapped_column(JSON)
    #: 2: a fresh pseudonym per round (``pseudonyms.py``); 1: rounds opened before that, with one pseudonym per study
    #: (``flask delphi repseudonymise`` moves them to 2).
    pseudonym_scheme: Mapped[int] = mapped_column(Integer, default=2, server_default=text("2"))

    study: Mapped[DelphiStudy] = relationship(back_populates="rounds")
    items: Mapped[list[DelphiItem]] = relationship(secondary=round_items, order_by="DelphiItem.position")

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @property
    def accepts_answers(self) -> bool:
        """Open and before its deadline, as of now: only then may panelists answer (or propose, in round 0)."""
        return self.status == RoundStatus.OPEN and utc_now() < self.deadline

    @property
    def is_closing(self) -> bool:
        """Past its deadline but not closed yet: ``flask delphi close-due-rounds`` closes it (pages never write)."""
        return self.status == RoundStatus.OPEN and utc_now() >= self.deadline

    @property
    def is_published(self) -> bool:
        return self.status == RoundStatus.PUBLISHED

    @property
    def is_proposals(self) -> bool:
        return self.number == 0

    @property
    def stopping(self) -> dict | None:
        """The stopping entry after this round (decision, response rate, item statuses)."""
        if not self.report or not self.report.get("stopping"):
            return None
        return self.report["stopping"][-1]

    def __repr__(self) -> str:
        return f"<DelphiRound {self.study_id}/{self.number}>"
