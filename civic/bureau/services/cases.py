"""The case life cycle: opening, consents, triage, assignment, waiting for the client, resolution, reopening."""

from __future__ import annotations

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.bureau import clock
from civic.bureau.models import (
    FOLLOW_UP_DELAY,
    Case,
    CaseState,
    Channel,
    Consent,
    ContactChannel,
    EventKind,
    Outcome,
    Referral,
    Visibility,
)
from civic.bureau.models.enums import (
    ACTIVE_REFERRAL_STATES,
    CLOCK_REFERRAL_STATES,
    OUTCOME_LABELS,
    STAFF_CHANNELS,
)
from civic.bureau.permissions import CONSULT, SUPERVISE, can_work_on, is_body_official, is_client
from civic.bureau.services import deadlines
from civic.bureau.services.attachments import add_attachment
from civic.bureau.services.catalog import is_bureau_category
from civic.bureau.services.common import (
    case_link,
    change_state,
    record_event,
    require_consent,
    tell_client,
    tell_user,
)
from civic.config import LANGUAGES
from civic.core.errors import DomainError, PermissionDenied
from civic.identity import audit
from civic.identity.models import User

DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 5000
CONSENT_FIELDS = {
    Consent.DATA: "consent_data_at",
    Consent.REFERRAL: "consent_referral_at",
    Consent.FOLLOW_UP: "consent_follow_up_at",
}


def _validate_new_case(
    channel,
    category,
    territory,
    description,
    language,
    contact_channel,
    client,
    client_name,
    client_phone,
    client_email,
    consents,
) -> None:
    if Consent.DATA not in consents:
        raise DomainError(
            _l("The bureau can only record a case with the consent to record and use the client's information."),
            field="consent_data",
        )
    if channel not in set(Channel):
        raise DomainError(_l("Choose how the case reached the bureau."), field="channel")
    if not is_bureau_category(category):
        raise DomainError(_l("Choose one of the bureau's areas."), field="category")
    if territory is None:
        raise DomainError(_l("Choose the territory the problem concerns."), field="territory")
    if not DESCRIPTION_MIN <= len(description.strip()) <= DESCRIPTION_MAX:
        raise DomainError(
            _l(
                "Describe the problem in %(min)s to %(max)s characters.",
                min=format_number(DESCRIPTION_MIN),
                max=format_number(DESCRIPTION_MAX),
            ),
            field="description",
        )
    if language not in LANGUAGES or contact_channel not in set(ContactChannel):
        raise DomainError(_l("Choose a language and a way to contact the client."), field="contact_channel")
    if contact_channel in (ContactChannel.PHONE, ContactChannel.MESSENGER) and not client_phone:
        raise DomainError(_l("Give a phone number for calls or messages."), field="client_phone")
    if client is None and not client_name:
        raise DomainError(_l("Give the client's name (a first name or a pseudonym is enough)."), field="client_name")
    if contact_channel == ContactChannel.EMAIL and client is None and not client_email:
        raise DomainError(_l("Give an email address to answer by email."), field="client_email")


def open_case(
    *,
    actor: User,
    client: User | None,
    channel: str,
    category,
    territory,
    description: str,
    preferred_language: str,
    contact_channel: str,
    consents: set,
    client_name: str | None = None,
    client_phone: str | None = None,
    client_email: str | None = None,
    uploads=(),
) -> Case:
    """Record a new case with its consents and files, and acknowledge it to the client at once."""
    _validate_new_case(
        channel,
        category,
        territory,
        description,
        preferred_language,
        contact_channel,
        client,
        client_name,
        client_phone,
        client_email,
        consents,
    )
    staff_intake = actor is not None and actor is not client
    if staff_intake and (channel not in STAFF_CHANNELS or not actor.has_permission(CONSULT, territory=territory)):
        raise PermissionDenied(_l("Only a consultant of this territory can record a case on a client's behalf."))
    now = clock.now()
    case = Case(
        client_id=getattr(client, "id", None),
        client=client,
        client_name=(client_name or None),
        client_phone=client_phone or None,
        client_email=client_email or None,
        channel=channel,
        preferred_language=preferred_language,
        contact_channel=contact_channel,
        category=category,
        territory=territory,
        description=description.strip(),
        state=CaseState.NEW,
        created_at=now,
        state_changed_at=now,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(case)
    db.session.flush()
    record_event(case, EventKind.CREATED, Visibility.CLIENT, actor, to_state=CaseState.NEW, data={"channel": channel})
    for kind in sorted(consents):
        _set_consent(case, Consent(kind), True, actor)
    for upload in uploads:
        add_attachment(case, upload, actor)
    _acknowledge(case, actor)
    if staff_intake:
        audit.record("bureau.intake", case, actor=actor, after={"channel": channel})
    return case


def _acknowledge(case: Case, actor) -> None:
    """Mandatory feedback 1: the client gets the case number at once."""
    number = case.number
    tell_client(
        case,
        "bureau.acknowledged",
        lambda: _l("We received your case %(number)s", number=number),
        lambda: _l(
            "Thank you. Your case %(number)s was registered by the citizen advice bureau. A consultant "
            "will look at it and tell you who handles it.",
            number=number,
        ),
    )
    record_event(case, EventKind.ACKNOWLEDGED, Visibility.CLIENT, actor, data={"contact_channel": case.contact_channel})


def _set_consent(case: Case, kind: Consent, given: bool, actor) -> None:
    setattr(case, CONSENT_FIELDS[kind], clock.now() if given else None)
    record_event(
        case,
        EventKind.CONSENT,
        Visibility.CLIENT,
        actor,
        data={"consent": kind.value, "given": given},  # the page words it from the code, in the reader's language
    )


def update_consents(case: Case, actor: User, given: set) -> None:
    """Record the client's consents afresh (renewal or withdrawal), each one separately on the timeline."""
    if not (is_client(actor, case) or can_work_on(actor, case)):
        raise PermissionDenied()
    if case.anonymised_at is not None:
        raise DomainError(_l("This case was anonymised."))
    for kind in Consent:
        _set_consent(case, kind, kind in given, actor)
    if not is_client(actor, case):
        audit.record("bureau.consent_recorded", case, actor=actor, after={k.value: k in given for k in Consent})


def _staff(case: Case, actor: User) -> None:
    if not can_work_on(actor, case):
        raise PermissionDenied()


def triage(case: Case, actor: User, *, category=None, territory=None, urgent: bool | None = None) -> None:
    """Check the case's category, territory and urgency; the case enters the triaged queue."""
    _staff(case, actor)
    require_consent(case)
    before = {"category": case.category.code, "territory": case.territory.code, "urgent": case.urgent}
    if category is not None and not is_bureau_category(category):
        raise DomainError(_l("Choose one of the bureau's areas."), field="category")
    if (
        territory is not None
        and territory.id != case.territory_id
        and not (
            actor.has_permission(CONSULT, territory=territory) or actor.has_permission(SUPERVISE, territory=territory)
        )
    ):
        # Moving a case hands it to another territory's staff: only within the territories one works for.
        raise PermissionDenied(_l("You can move a case only to a territory you work for."))
    case.category = category or case.category
    case.territory = territory or case.territory
    case.urgent = case.urgent if urgent is None else urgent
    change_state(case, "triage", actor)
    after = {"category": case.category.code, "territory": case.territory.code, "urgent": case.urgent}
    if after != before:
        record_event(case, EventKind.DETAILS, Visibility.INTERNAL, actor, data={"before": before, "after": after})
    audit.record("bureau.triage", case, actor=actor, before=before, after=after)


def assign(case: Case, actor: User, consultant: User) -> None:
    """Give the case to a consultant of its territory (assignment or reassignment) and tell the client."""
    _staff(case, actor)
    require_consent(case)
    if not consultant.has_permission(CONSULT, territory=case.territory):
        raise DomainError(_l("This person is not a consultant for the case's territory."), field="consultant")
    if case.consultant_id not in (None, actor.id) and not actor.has_permission(SUPERVISE, territory=case.territory):
        raise PermissionDenied(_l("Only a supervisor can take a case from another consultant."))
    previous = case.consultant_id
    if case.state == CaseState.TRIAGED:
        change_state(case, "assign", actor)
    elif not case.is_open or case.state == CaseState.NEW:
        raise DomainError(_l("Triage the case before assigning it."))
    case.consultant = consultant
    case.consultant_id = consultant.id
    record_event(
        case,
        EventKind.ASSIGNED,
        Visibility.CLIENT,
        actor,
        consultant.public_name,
        data={"consultant_id": consultant.id, "previous_id": previous},
    )
    audit.record(
        "bureau.assign", case, actor=actor, before={"consultant_id": previous}, after={"consultant_id": consultant.id}
    )
    _tell_routing(case, consultant)


def _tell_routing(case: Case, consultant: User) -> None:
    """Mandatory feedback 2: who handles the case now."""
    number, name = case.number, consultant.public_name
    tell_client(
        case,
        "bureau.routed",
        lambda: _l("Your case %(number)s is now handled by %(name)s", number=number, name=name),
        lambda: _l(
            "Consultant %(name)s of the citizen advice bureau now handles your case %(number)s.",
            name=name,
            number=number,
        ),
    )
    if consultant.id != getattr(case.client, "id", None):
        tell_user(
            consultant,
            "bureau.assigned",
            lambda: _l("Case %(number)s was assigned to you", number=number),
            link=case_link(case),
        )


def start(case: Case, actor: User) -> None:
    """The assigned consultant starts working on the case."""
    _staff(case, actor)
    require_consent(case)
    change_state(case, "start", actor)


def take(case: Case, actor: User, *, category=None, territory=None, urgent: bool | None = None) -> None:
    """The steps from intake to work in one: triage a new case (with the area, territory and urgency given), assign
    it to ``actor`` when nobody has it, and start work on it. Each step is recorded as if done separately; a case
    already in progress is left as it is. Part of the caller's transaction: a refused step undoes them all."""
    if case.state == CaseState.NEW:
        triage(case, actor, category=category, territory=territory, urgent=urgent)
    if case.state == CaseState.TRIAGED or (case.state == CaseState.ASSIGNED and case.consultant_id is None):
        assign(case, actor, actor)
    if case.state == CaseState.ASSIGNED:
        start(case, actor)
    if case.state != CaseState.IN_PROGRESS:
        case.transition("start", clock.now())  # raises the translated "you cannot … a case that is …" refusal


def await_client(case: Case, actor: User, message: str, *, requested_by_body: bool = False) -> None:
    """Ask the client for information; a running legal clock stops until the client answers."""
    referral = active_referral(case)
    if requested_by_body:
        if referral is None or not is_body_official(actor, referral):
            raise PermissionDenied()
        if referral.state not in CLOCK_REFERRAL_STATES:
            raise DomainError(_l("Information can only be requested while the body owes an answer."))
    else:
        _staff(case, actor)
        require_consent(case)
    if not message.strip():
        raise DomainError(_l("Write what you need from the client."), field="question")
    visibility = Visibility.BODY if referral is not None else Visibility.CLIENT
    change_state(case, "await_client", actor, message.strip(), visibility=visibility, referral=referral)
    record_event(
        case,
        EventKind.INFO_REQUESTED,
        visibility,
        actor,
        message.strip(),
        referral=referral,
        data={"by_body": requested_by_body},
    )
    if referral is not None and referral.state in CLOCK_REFERRAL_STATES:
        deadlines.stop_clock(referral)
    number = case.number
    tell_client(
        case,
        "bureau.info_requested",
        lambda: _l("Case %(number)s: we need information from you", number=number),
        message.strip(),
    )


def resume(case: Case, actor: User, note: str = "") -> None:
    """The client answered: the case continues where it was and the legal clock restarts."""
    if not (is_client(actor, case) or can_work_on(actor, case)):
        raise PermissionDenied()
    referral = active_referral(case)
    change_state(
        case, "resume", actor, note, visibility=Visibility.BODY if referral else Visibility.CLIENT, referral=referral
    )
    if referral is not None:
        deadlines.restart_clock(referral)


def resolve(case: Case, actor: User, outcome: str, answer: str, invitation: str = "") -> None:
    """Give the client the substantive answer, invite further discussion, and schedule the follow-up."""
    _staff(case, actor)
    require_consent(case)
    if outcome not in set(Outcome):
        raise DomainError(_l("Choose the outcome."), field="outcome")
    if len(answer.strip()) < 20:
        raise DomainError(_l("Write the answer to the client (at least 20 characters)."), field="answer")
    now = clock.now()
    change_state(case, "resolve", actor, data={"outcome": outcome})
    case.outcome, case.resolved_at = outcome, now
    case.follow_up_due_at = now + FOLLOW_UP_DELAY
    case.follow_up_sent_at = case.follow_up_answered_at = case.follow_up_result = None
    text = answer.strip() + ("\n\n" + invitation.strip() if invitation.strip() else "")
    record_event(case, EventKind.RESOLUTION, Visibility.CLIENT, actor, text, data={"outcome": outcome})
    audit.record("bureau.resolve", case, actor=actor, after={"outcome": outcome})
    number, label = case.number, OUTCOME_LABELS[Outcome(outcome)]
    tell_client(
        case,
        "bureau.resolved",
        lambda: _l("Answer to your case %(number)s: %(outcome)s", number=number, outcome=label),
        text,
    )


def close(case: Case, actor: User) -> None:
    """Close a resolved case (the client or the consultant agrees nothing more is needed)."""
    if not (is_client(actor, case) or can_work_on(actor, case)):
        raise PermissionDenied()
    change_state(case, "close", actor)
    case.closed_at = clock.now()


def reopen(case: Case, actor: User, reason: str) -> None:
    """Reopen a resolved or closed case within 30 days of its resolution."""
    if not (is_client(actor, case) or can_work_on(actor, case)):
        raise PermissionDenied()
    if not reason.strip():
        raise DomainError(_l("Say why the case needs more work."), field="reopen_reason")
    if not case.can_reopen(clock.now()):
        raise DomainError(_l("A case can only be reopened within 30 days of its resolution. Open a new case instead."))
    if not is_client(actor, case):
        require_consent(case)
    change_state(case, "reopen", actor, reason.strip())
    case.closed_at = case.follow_up_due_at = None
    case.reopen_count += 1
    if case.consultant is not None and case.consultant_id != actor.id:
        number = case.number
        tell_user(
            case.consultant,
            "bureau.reopened",
            lambda: _l("Case %(number)s was reopened", number=number),
            reason.strip(),
            case_link(case),
        )


def active_referral(case: Case) -> Referral | None:
    return db.session.scalar(
        select(Referral).where(Referral.case_id == case.id, Referral.state.in_(ACTIVE_REFERRAL_STATES))
    )
