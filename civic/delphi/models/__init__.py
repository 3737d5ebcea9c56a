"""Delphi tables. Identity (panel, participation) and answers live in separate tables with no key between them:
answers are stored under a keyed per-study pseudonym (see civic/delphi/pseudonyms.py and docs/delphi.md)."""

from civic.delphi.models.answers import DelphiAnswer, DelphiProposal, ProposalStatus
from civic.delphi.models.panel import DelphiInvitation, DelphiPanelist, DelphiParticipation, InvitationStatus
from civic.delphi.models.study import (
    DelphiItem,
    DelphiRound,
    DelphiStudy,
    DelphiStudyKey,
    ItemKind,
    RoundStatus,
    StudyStatus,
    round_items,
)

__all__ = [
    "DelphiAnswer",
    "DelphiInvitation",
    "DelphiItem",
    "DelphiPanelist",
    "DelphiParticipation",
    "DelphiProposal",
    "DelphiRound",
    "DelphiStudy",
    "DelphiStudyKey",
    "InvitationStatus",
    "ItemKind",
    "ProposalStatus",
    "RoundStatus",
    "StudyStatus",
    "round_items",
]
