"""The citizen advice bureau's tables: cases, timeline events, attachments, referrals, clock stops, answers,
extra areas and response templates. The vocabularies (states, channels, ...) live in ``enums``."""

from civic.bureau.models.cases import FOLLOW_UP_DELAY, REOPEN_WINDOW, Attachment, Case, CaseEvent
from civic.bureau.models.enums import (
    CaseState,
    Channel,
    Consent,
    ContactChannel,
    EventKind,
    Outcome,
    ReferralState,
    SlaState,
    Verdict,
    Visibility,
)
from civic.bureau.models.referrals import ClockPauseRecord, PendingNotice, Referral, ReferralAnswer
from civic.bureau.models.settings import BureauArea, ResponseTemplate

__all__ = [
    "FOLLOW_UP_DELAY",
    "REOPEN_WINDOW",
    "Attachment",
    "BureauArea",
    "Case",
    "CaseEvent",
    "CaseState",
    "Channel",
    "ClockPauseRecord",
    "Consent",
    "ContactChannel",
    "EventKind",
    "Outcome",
    "PendingNotice",
    "Referral",
    "ReferralAnswer",
    "ReferralState",
    "ResponseTemplate",
    "SlaState",
    "Verdict",
    "Visibility",
]
