"""The bureau's vocabularies: case states and their transitions, channels, consents, outcomes, event kinds."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from civic.core import deadline_text


class CaseState(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    AWAITING_CLIENT = "awaiting_client"
    REFERRED = "referred"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATES = frozenset(CaseState) - {CaseState.RESOLVED, CaseState.CLOSED}
INTAKE_STATES = frozenset({CaseState.NEW, CaseState.TRIAGED})

STATE_LABELS = {
    CaseState.NEW: _l("New"),
    CaseState.TRIAGED: _l("Triaged"),
    CaseState.ASSIGNED: _l("Assigned"),
    CaseState.IN_PROGRESS: _l("In progress"),
    CaseState.AWAITING_CLIENT: _l("Waiting for the client"),
    CaseState.REFERRED: _l("Referred to a state body"),
    CaseState.RESOLVED: _l("Resolved"),
    CaseState.CLOSED: _l("Closed"),
}

#: action -> (states it may start from, state it leads to); ``resume`` returns to the remembered state.
TRANSITIONS: dict[str, tuple[frozenset[CaseState], CaseState | None]] = {
    "triage": (frozenset({CaseState.NEW}), CaseState.TRIAGED),
    "assign": (frozenset({CaseState.TRIAGED}), CaseState.ASSIGNED),
    "start": (frozenset({CaseState.ASSIGNED}), CaseState.IN_PROGRESS),
    "await_client": (frozenset({CaseState.IN_PROGRESS, CaseState.REFERRED}), CaseState.AWAITING_CLIENT),
    "resume": (frozenset({CaseState.AWAITING_CLIENT}), None),
    "refer": (frozenset({CaseState.IN_PROGRESS}), CaseState.REFERRED),
    "conclude_referral": (frozenset({CaseState.REFERRED}), CaseState.IN_PROGRESS),
    "resolve": (frozenset({CaseState.IN_PROGRESS}), CaseState.RESOLVED),
    "close": (frozenset({CaseState.RESOLVED}), CaseState.CLOSED),
    "reopen": (frozenset({CaseState.RESOLVED, CaseState.CLOSED}), CaseState.IN_PROGRESS),
}

ACTION_LABELS = {
    "triage": _l("triage"),
    "assign": _l("assign"),
    "start": _l("start work on"),
    "await_client": _l("wait for the client on"),
    "resume": _l("resume"),
    "refer": _l("refer"),
    "conclude_referral": _l("conclude the referral of"),
    "resolve": _l("resolve"),
    "close": _l("close"),
    "reopen": _l("reopen"),
}


class Channel(StrEnum):
    ONLINE = "online"
    WALK_IN = "walk_in"
    PHONE = "phone"
    OUTREACH = "outreach"
    MESSENGER = "messenger"


CHANNEL_LABELS = {
    Channel.ONLINE: _l("Online"),
    Channel.WALK_IN: _l("Walk-in at the bureau"),
    Channel.PHONE: _l("Phone"),
    Channel.OUTREACH: _l("Telecottage outreach visit"),
    Channel.MESSENGER: _l("Messenger"),
}
STAFF_CHANNELS = (Channel.WALK_IN, Channel.PHONE, Channel.OUTREACH, Channel.MESSENGER)


class ContactChannel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    PHONE = "phone"
    MESSENGER = "messenger"


CONTACT_LABELS = {
    ContactChannel.IN_APP: _l("Notifications on this site"),
    ContactChannel.EMAIL: _l("Email"),
    ContactChannel.PHONE: _l("Phone call"),
    ContactChannel.MESSENGER: _l("Messenger (WhatsApp, Telegram)"),
}


class Consent(StrEnum):
    DATA = "data"
    REFERRAL = "referral"
    FOLLOW_UP = "follow_up"


CONSENT_LABELS = {
    Consent.DATA: _l("Record and use my information to advise me"),
    Consent.REFERRAL: _l("Share my case with a state body when the bureau refers it"),
    Consent.FOLLOW_UP: _l("Contact me later to ask whether my problem was solved"),
}
#: Consent older than this (in months) must be renewed before the case is processed further.
CONSENT_VALID_MONTHS = 6


class Outcome(StrEnum):
    ADVICE_GIVEN = "advice_given"
    SOLVED = "solved"
    PARTLY_SOLVED = "partly_solved"
    NOT_SOLVED = "not_solved"
    SIGNPOSTED = "signposted"
    WITHDRAWN = "withdrawn"


OUTCOME_LABELS = {
    Outcome.ADVICE_GIVEN: _l("Advice given"),
    Outcome.SOLVED: _l("Problem solved"),
    Outcome.PARTLY_SOLVED: _l("Problem partly solved"),
    Outcome.NOT_SOLVED: _l("Problem not solved"),
    Outcome.SIGNPOSTED: _l("Signposted to another service"),
    Outcome.WITHDRAWN: _l("Withdrawn by the client"),
}


class FollowUpResult(StrEnum):
    SOLVED = "solved"
    PARTLY = "partly"
    NOT_SOLVED = "not_solved"


FOLLOW_UP_LABELS = {
    FollowUpResult.SOLVED: _l("Yes, my problem was solved"),
    FollowUpResult.PARTLY: _l("Partly"),
    FollowUpResult.NOT_SOLVED: _l("No, it was not solved"),
}


class WorkAction(StrEnum):
    ADVICE = "advice"
    FORM = "form"
    LETTER = "letter"
    NEGOTIATION = "negotiation"
    COURT = "court"


WORK_ACTION_LABELS = {
    WorkAction.ADVICE: _l("Advice given"),
    WorkAction.FORM: _l("Form filled in"),
    WorkAction.LETTER: _l("Letter drafted"),
    WorkAction.NEGOTIATION: _l("Negotiation with a creditor"),
    WorkAction.COURT: _l("Court representation"),
}


class ReferralState(StrEnum):
    SENT = "sent"
    ANSWERED = "answered"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"


ACTIVE_REFERRAL_STATES = frozenset({ReferralState.SENT, ReferralState.ANSWERED, ReferralState.RETURNED})
#: While the body owes an answer the legal clock runs (unless the case waits for the client).
CLOCK_REFERRAL_STATES = frozenset({ReferralState.SENT, ReferralState.RETURNED})

REFERRAL_STATE_LABELS = {
    ReferralState.SENT: _l("Awaiting the body's answer"),
    ReferralState.ANSWERED: _l("Answered, awaiting inspection"),
    ReferralState.RETURNED: _l("Answer found evasive, returned to the body"),
    ReferralState.ACCEPTED: _l("Answer accepted"),
    ReferralState.WITHDRAWN: _l("Withdrawn"),
}


class SlaState(StrEnum):
    """The referral's deadline status as last computed by a service or the sweep."""

    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"
    ANSWERED = "answered"
    CLOSED = "closed"


SLA_LABELS = {
    SlaState.ON_TIME: _l("On time"),
    SlaState.DUE_SOON: _l("Due soon"),
    SlaState.OVERDUE: _l("Overdue"),
    SlaState.PAUSED: _l("Clock stopped"),
    SlaState.ANSWERED: _l("Answered"),
    SlaState.CLOSED: _l("Closed"),
}

#: ``notify_pending`` values written by the sweep, cleared once the notifications are out.
NOTIFY_NONE, NOTIFY_DUE_SOON, NOTIFY_OVERDUE = 0, 1, 2

#: The legal clock's extension reasons, worded once for the whole platform.
EXTENSION_LABELS = deadline_text.EXTENSION_LABELS


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    EVASIVE = "evasive"


class Visibility(StrEnum):
    """Who sees a timeline event: staff only, also the client, or also the officials of the referred body."""

    INTERNAL = "internal"
    CLIENT = "client"
    BODY = "body"


class EventKind(StrEnum):
    CREATED = "created"
    ACKNOWLEDGED = "acknowledged"
    CONSENT = "consent"
    STATE = "state"
    ASSIGNED = "assigned"
    DETAILS = "details"
    NOTE = "note"
    ACTION = "action"
    MESSAGE_IN = "message_in"
    MESSAGE_OUT = "message_out"
    ATTACHMENT = "attachment"
    REFERRED = "referred"
    INFO_REQUESTED = "info_requested"
    EXTENDED = "extended"
    ANSWERED = "answered"
    ANSWER_ACCEPTED = "answer_accepted"
    ANSWER_EVASIVE = "answer_evasive"
    REFERRAL_WITHDRAWN = "referral_withdrawn"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    RESOLUTION = "resolution"
    FOLLOW_UP_SENT = "follow_up_sent"
    FOLLOW_UP_ANSWERED = "follow_up_answered"
    ANONYMISED = "anonymised"


EVENT_LABELS = {
    EventKind.CREATED: _l("Case opened"),
    EventKind.ACKNOWLEDGED: _l("Receipt acknowledged"),
    EventKind.CONSENT: _l("Consent recorded"),
    EventKind.STATE: _l("Status changed"),
    EventKind.ASSIGNED: _l("Consultant assigned"),
    EventKind.DETAILS: _l("Category or territory changed"),
    EventKind.NOTE: _l("Internal note"),
    EventKind.ACTION: _l("Work recorded"),
    EventKind.MESSAGE_IN: _l("Message from the client"),
    EventKind.MESSAGE_OUT: _l("Message to the client"),
    EventKind.ATTACHMENT: _l("File added"),
    EventKind.REFERRED: _l("Referred to a state body"),
    EventKind.INFO_REQUESTED: _l("Information requested from the client"),
    EventKind.EXTENDED: _l("Deadline extended"),
    EventKind.ANSWERED: _l("Answer from the state body"),
    EventKind.ANSWER_ACCEPTED: _l("Answer accepted by the inspector"),
    EventKind.ANSWER_EVASIVE: _l("Answer found evasive by the inspector"),
    EventKind.REFERRAL_WITHDRAWN: _l("Referral withdrawn by the bureau"),
    EventKind.OVERDUE: _l("The state body missed its deadline"),
    EventKind.ESCALATED: _l("The inspector escalated the appeal to the head of the state body"),
    EventKind.RESOLUTION: _l("Answer and resolution"),
    EventKind.FOLLOW_UP_SENT: _l("Follow-up question sent"),
    EventKind.FOLLOW_UP_ANSWERED: _l("Follow-up answered"),
    EventKind.ANONYMISED: _l("Personal data removed"),
}
