"""Where a case is and what happens next, in plain words for the client (one sentence each, per status).

Computed when the page is read (the body's deadline status from ``due_at`` and now), so the client never reads a
status one sweep behind the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from civic.bureau.models import Case, CaseState, Referral, ReferralState
from civic.core import deadlines
from civic.core.i18n import format_day


@dataclass(frozen=True)
class ClientStatus:
    #: Where the case is now.
    where: str
    #: What happens next, and whether the client has to do anything.
    next: str
    #: "action" when the client must act, "late" when the body missed its deadline, "" otherwise (for styling).
    tone: str = ""


def client_status(case: Case, referral: Referral | None, now: datetime) -> ClientStatus:
    state = CaseState(case.state)
    if state == CaseState.REFERRED and referral is not None:
        return _referred(referral, now)
    if state == CaseState.NEW:
        return ClientStatus(
            _("We have received your case."),
            _("A consultant of the bureau will read it and contact you. You do not need to do anything now."),
        )
    if state == CaseState.TRIAGED:
        return ClientStatus(
            _("Your case is waiting for a consultant."),
            _("The first free consultant will take it and contact you. You do not need to do anything now."),
        )
    if state == CaseState.ASSIGNED:
        return ClientStatus(
            _("Consultant %(name)s has taken your case.", name=case.consultant.public_name)
            if case.consultant is not None
            else _("A consultant has taken your case."),
            _("The consultant will study it and write to you here if anything is missing."),
        )
    if state == CaseState.IN_PROGRESS:
        return ClientStatus(
            _("Consultant %(name)s is working on your case.", name=case.consultant.public_name)
            if case.consultant is not None
            else _("A consultant is working on your case."),
            _("You will get the answer on this page. You can write to your consultant below at any time."),
        )
    if state == CaseState.AWAITING_CLIENT:
        stopped = referral is not None and referral.state in (ReferralState.SENT, ReferralState.RETURNED)
        return ClientStatus(
            _("We are waiting for information from you."),
            _("Answer the question in the timeline below. The state body's deadline is stopped until you answer.")
            if stopped
            else _("Answer the question in the timeline below; your case continues as soon as you send it."),
            "action",
        )
    if state == CaseState.RESOLVED:
        return ClientStatus(
            _("Your case is resolved: the answer is in the timeline below."),
            _(
                "If the problem is not solved, you can reopen the case within 30 days. If it is settled, you can "
                "close the case."
            ),
        )
    return ClientStatus(
        _("Your case is closed."),
        _("Nothing more will happen on it. If you have a new problem, open a new case."),
    )


def _referred(referral: Referral, now: datetime) -> ClientStatus:
    body = referral.body.name
    if referral.state == ReferralState.ANSWERED:
        return ClientStatus(
            _("%(body)s has answered; an inspector is checking the answer.", body=body),
            _(
                "If the answer is substantive, your consultant will give you the resolution. If it is evasive, it "
                "goes back to the body."
            ),
        )
    due = format_day(referral.due_at) if referral.due_at else ""
    if referral.due_at is not None and deadlines.status_at(now, referral.due_at) == deadlines.SlaStatus.OVERDUE:
        return ClientStatus(
            _("%(body)s missed its deadline of %(date)s.", body=body, date=due),
            _("The bureau and the inspectors are chasing the answer. You do not need to do anything."),
            "late",
        )
    if referral.state == ReferralState.RETURNED:
        return ClientStatus(
            _("The inspector found the answer of %(body)s evasive and returned it to the body.", body=body),
            _("The body must give a proper answer by %(date)s, its original deadline.", date=due),
        )
    return ClientStatus(
        _("Your appeal is with %(body)s.", body=body),
        _("The body must answer by %(date)s. The bureau watches the deadline for you.", date=due),
    )
