"""The petition, its states and the moves between them."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.deadline_text import EXTENSION_LABELS
from civic.core.errors import InvalidTransition
from civic.db import AwareDateTime, Base, created_at, intpk, utc_now
from civic.identity.models import Category, StateBody, Territory, User


class PetitionState(StrEnum):
    DRAFT = "draft"
    GATHERING_SUPPORTERS = "gathering_supporters"
    AWAITING_MODERATION = "awaiting_moderation"
    OPEN = "open"
    CLOSED = "closed"
    REJECTED = "rejected"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


S = PetitionState
STATE_LABELS = {
    S.DRAFT: _l("Draft"),
    S.GATHERING_SUPPORTERS: _l("Gathering supporters"),
    S.AWAITING_MODERATION: _l("Awaiting moderation"),
    S.OPEN: _l("Open for signatures"),
    S.CLOSED: _l("Closed"),
    S.REJECTED: _l("Rejected"),
    S.HIDDEN: _l("Hidden"),
    S.WITHDRAWN: _l("Withdrawn"),
}
#: States anyone may see, list and download.
PUBLIC_STATES = (S.OPEN, S.CLOSED, S.REJECTED)

#: action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[PetitionState], PetitionState]] = {
    "submit": (frozenset({S.DRAFT}), S.GATHERING_SUPPORTERS),
    "enter_moderation": (frozenset({S.GATHERING_SUPPORTERS}), S.AWAITING_MODERATION),
    "approve": (frozenset({S.AWAITING_MODERATION}), S.OPEN),
    "reject": (frozenset({S.AWAITING_MODERATION}), S.REJECTED),
    "hide": (frozenset({S.GATHERING_SUPPORTERS, S.AWAITING_MODERATION, S.OPEN, S.CLOSED, S.REJECTED}), S.HIDDEN),
    "withdraw": (frozenset({S.DRAFT, S.GATHERING_SUPPORTERS, S.AWAITING_MODERATION}), S.WITHDRAWN),
    "close": (frozenset({S.OPEN}), S.CLOSED),
}
TRANSITION_REFUSALS = {
    "submit": _l("Only a draft can be sent to supporters."),
    "enter_moderation": _l("Only a petition gathering supporters can go to moderation."),
    "approve": _l("Only a petition awaiting moderation can be published."),
    "reject": _l("Only a petition awaiting moderation can be rejected."),
    "hide": _l("This petition cannot be hidden in its current state."),
    "withdraw": _l("A petition can be withdrawn only before it opens for signatures."),
    "close": _l("Only an open petition can be closed."),
    "restore": _l("Only a hidden petition can be restored."),
}


class RejectionCode(StrEnum):
    DUPLICATE = "duplicate"
    OUTSIDE_COMPETENCE = "outside_competence"
    PERSONAL = "personal"
    ALREADY_HAPPENING = "already_happening"
    UNCLEAR = "unclear"
    ADVERTISING = "advertising"
    OFFENSIVE = "offensive"
    FRAUDULENT = "fraudulent"


REJECTION_LABELS = {
    RejectionCode.DUPLICATE: _l("Duplicate of an existing petition"),
    RejectionCode.OUTSIDE_COMPETENCE: _l("Outside the akimat's competence"),
    RejectionCode.PERSONAL: _l("A personal matter"),
    RejectionCode.ALREADY_HAPPENING: _l("Already being done"),
    RejectionCode.UNCLEAR: _l("Unclear request"),
    RejectionCode.ADVERTISING: _l("Advertising"),
    RejectionCode.OFFENSIVE: _l("Offensive or defamatory"),
    RejectionCode.FRAUDULENT: _l("Fraudulent"),
}
#: What the public page says for each code, before the moderator's own explanation.
REJECTION_EXPLANATIONS = {
    RejectionCode.DUPLICATE: _l("There is already a petition about this. Please sign it instead."),
    RejectionCode.OUTSIDE_COMPETENCE: _l("The akimat has no power to do what the petition asks."),
    RejectionCode.PERSONAL: _l(
        "This is a personal matter, not a public one. The citizen advice bureau can help you "
        "with it free of charge and in confidence."
    ),
    RejectionCode.ALREADY_HAPPENING: _l("The akimat is already doing what the petition asks."),
    RejectionCode.UNCLEAR: _l("It is not clear what the petition asks the akimat to do."),
    RejectionCode.ADVERTISING: _l("The petition advertises a product, a service or an organisation."),
    RejectionCode.OFFENSIVE: _l("The petition is offensive or defamatory."),
    RejectionCode.FRAUDULENT: _l("The petition or its supporters were fraudulent."),
}


class Petition(Base):
    __tablename__ = "petitions"
    __table_args__ = (
        Index("ix_petitions_state_signature_count", "state", "signature_count"),
        Index("ix_petitions_state_opened_at", "state", "opened_at"),
        Index("ix_petitions_state_closes_at", "state", "closes_at"),
    )

    id: Mapped[intpk]
    state: Mapped[str] = mapped_column(String(24), default=S.DRAFT, index=True)
    title: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text)
    #: Language the author wrote in (kk, ru or en), for the page's lang attribute.
    language: Mapped[str] = mapped_column(String(5), default="kk")
    #: Lower-cased title and text for search on any backend (see docs/petitions.md).
    search_text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    state_body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"), index=True)
    #: The private link the author shares with supporters.
    supporter_token: Mapped[str] = mapped_column(String(48), unique=True)

    created_at: Mapped[created_at]
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utc_now, onupdate=utc_now)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    moderation_started_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    moderated_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    moderated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    closes_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    closed_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    hidden_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    #: The state a hidden petition was in, so that a moderator can restore it (NULL unless hidden).
    state_before_hidden: Mapped[Optional[str]] = mapped_column(String(24))
    restored_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    #: When the signers' IP addresses were erased (``flask petitions purge-ips``, a set time after closing).
    ips_purged_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    rejection_code: Mapped[Optional[str]] = mapped_column(String(32))
    rejection_details: Mapped[Optional[str]] = mapped_column(Text)
    duplicate_of_id: Mapped[Optional[int]] = mapped_column(ForeignKey("petitions.id", ondelete="SET NULL"))

    #: Thresholds copied from the rules of the territory's level when the petition opens.
    response_threshold: Mapped[Optional[int]] = mapped_column(Integer)
    hearing_threshold: Mapped[Optional[int]] = mapped_column(Integer)
    #: The lowest assurance level whose signatures count toward the thresholds (an administrator's choice):
    #: 2 = IIN checksum (self-declared), 3 = seen in person, 4 = digital signature (EDS).
    threshold_level: Mapped[int] = mapped_column(Integer, default=2, server_default=sql_text("2"))
    response_threshold_reached_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    response_due_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    hearing_threshold_reached_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    #: The answer term extended once, from 15 to 30 days (``civic.core.deadlines``), with a typed reason.
    response_extension_reason: Mapped[Optional[str]] = mapped_column(String(20))
    response_extension_note: Mapped[Optional[str]] = mapped_column(Text)
    response_extended_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    response_extended_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    #: Valid signatures already tallied; the ones not tallied yet are counted on read (see signing.py).
    signature_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tallied_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    response_text: Mapped[Optional[str]] = mapped_column(Text)
    responded_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    response_updated_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())
    responder_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    response_body_id: Mapped[Optional[int]] = mapped_column(ForeignKey("state_bodies.id"))
    #: Fan-out of the response to opted-in signers: the last signature id notified, and when it finished.
    response_notified_upto: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    response_notified_at: Mapped[Optional[datetime]] = mapped_column(AwareDateTime())

    author: Mapped[Optional[User]] = relationship(foreign_keys=[author_id])
    territory: Mapped[Territory] = relationship()
    category: Mapped[Category] = relationship()
    state_body: Mapped[Optional[StateBody]] = relationship(foreign_keys=[state_body_id])
    response_body: Mapped[Optional[StateBody]] = relationship(foreign_keys=[response_body_id])
    duplicate_of: Mapped[Optional[Petition]] = relationship(remote_side="Petition.id")

    # --- states -------------------------------------------------------------------------------------------
    @property
    def state_enum(self) -> PetitionState:
        return PetitionState(self.state)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state_enum])

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    def can_move(self, action: str) -> bool:
        sources, _target = TRANSITIONS[action]
        return self.state in sources

    def move(self, action: str) -> None:
        """Apply a transition, or raise InvalidTransition with a message that says why not."""
        if not self.can_move(action):
            raise InvalidTransition(self, action, TRANSITION_REFUSALS[action])
        if action == "hide":
            self.state_before_hidden = self.state
        self.state = TRANSITIONS[action][1]

    @property
    def can_restore(self) -> bool:
        return self.state == S.HIDDEN

    def restore(self) -> PetitionState:
        """Bring a hidden petition back to the state it was hidden from; returns that state.

        Petitions hidden before the previous state was recorded go back to moderation if they never opened, and to
        ``open`` otherwise (the close-expired job closes them if their window has ended).
        """
        if not self.can_restore:
            raise InvalidTransition(self, "restore", TRANSITION_REFUSALS["restore"])
        if self.state_before_hidden:
            target = PetitionState(self.state_before_hidden)
        else:
            target = S.OPEN if self.opened_at is not None else S.AWAITING_MODERATION
        self.state, self.state_before_hidden = target, None
        return target

    # --- what the page shows ------------------------------------------------------------------------------
    @property
    def rejection_label(self) -> str:
        return str(REJECTION_LABELS[RejectionCode(self.rejection_code)]) if self.rejection_code else ""

    @property
    def rejection_explanation(self) -> str:
        return str(REJECTION_EXPLANATIONS[RejectionCode(self.rejection_code)]) if self.rejection_code else ""

    @property
    def response_extended(self) -> bool:
        return self.response_extended_at is not None

    @property
    def response_extension_label(self) -> str:
        return str(EXTENSION_LABELS.get(self.response_extension_reason, "")) if self.response_extension_reason else ""

    def is_signable_at(self, now: datetime) -> bool:
        return self.state == S.OPEN and self.closes_at is not None and now < self.closes_at

    def response_overdue_days(self, now: datetime) -> int:
        """Days (started days count) past the response due date while no response is published; 0 if not overdue."""
        if self.response_due_at is None or self.responded_at is not None or now <= self.response_due_at:
            return 0
        return -(-(now - self.response_due_at) // timedelta(days=1))

    def __repr__(self) -> str:
        return f"<Petition {self.id} {self.state}>"
