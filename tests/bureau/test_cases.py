"""Case services: opening, consents, every transition (valid and refused), assignment rules, files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.bureau import clock, storage
from civic.bureau.models import Attachment, Case, CaseEvent, Channel, Consent, EventKind
from civic.bureau.services import cases as case_services
from civic.bureau.services import work
from civic.core.errors import DomainError, InvalidTransition, PermissionDenied
from civic.identity.models import AuditEvent, Notification
from tests.bureau.conftest import PDF, PNG, T0, at, category, territory, upload, user


def _events(case_id: int) -> list[str]:
    return list(db.session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))


def test_opening_acknowledges_with_the_case_number_and_records_each_consent(app, cast, cases):
    case_id = cases.open(consents=(Consent.DATA, Consent.FOLLOW_UP))
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "new"
        assert case.channel == "online"
        assert case.number == f"CAB-{case_id:06d}"
        assert case.consent_data_at == T0
        assert case.consent_follow_up_at == T0
        assert case.consent_referral_at is None
        assert _events(case_id) == ["created", "consent", "consent", "acknowledged"]
        note = db.session.scalar(select(Notification).where(Notification.user_id == cast.client.id))
        assert note.kind == "bureau.acknowledged"
        assert case.number in note.title


def test_a_case_is_refused_without_consent_to_record_data(app, cast):
    with at(app), pytest.raises(DomainError) as refused:
        case_services.open_case(
            actor=user(cast.client),
            client=user(cast.client),
            channel=Channel.ONLINE,
            category=category("debts"),
            territory=territory("KZ-ALA-ALM"),
            description="A problem described well enough.",
            preferred_language="kk",
            contact_channel="in_app",
            consents={Consent.FOLLOW_UP},
        )
    assert refused.value.field == "consent_data"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("category", {"category": "energy"}),
        ("description", {"description": "too short"}),
        ("client_phone", {"contact_channel": "phone"}),
        ("territory", {"territory": None}),
    ],
)
def test_bad_case_input_is_refused_with_the_field_named(app, cast, field, overrides):
    values = {
        "category": "debts",
        "territory": "KZ-ALA-ALM",
        "description": "Enough words to describe it.",
        "contact_channel": "in_app",
    }
    values.update(overrides)
    with at(app), pytest.raises(DomainError) as refused:
        case_services.open_case(
            actor=user(cast.client),
            client=user(cast.client),
            channel=Channel.ONLINE,
            category=category(values["category"]),
            territory=territory(values["territory"]) if values["territory"] else None,
            description=values["description"],
            preferred_language="kk",
            contact_channel=values["contact_channel"],
            consents={Consent.DATA},
        )
    assert refused.value.field == field


def test_intake_on_behalf_needs_a_consultant_of_the_territory(app, cast):
    with at(app), pytest.raises(PermissionDenied):
        case_services.open_case(
            actor=user(cast.vos_consultant),
            client=None,
            channel=Channel.WALK_IN,
            category=category("housing"),
            territory=territory("KZ-ALA-MED"),
            description="Walk-in client with a housing problem.",
            preferred_language="ru",
            contact_channel="phone",
            client_phone="+7 700 000 0000",
            client_name="Гульнара",
            consents={Consent.DATA},
        )
    with at(app):
        case = case_services.open_case(
            actor=user(cast.consultant),
            client=None,
            channel=Channel.OUTREACH,
            category=category("housing"),
            territory=territory("KZ-ALA-MED"),
            description="Telecottage visit: heating arrears dispute.",
            preferred_language="ru",
            contact_channel="phone",
            client_phone="+7 700 000 0000",
            client_name="Гульнара",
            consents={Consent.DATA},
        )
        assert case.channel == "outreach"
        assert case.client_id is None
        assert (
            db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == str(case.id))) == "bureau.intake"
        )


# ------------------------------------------------------------------ transitions

VALID = [
    ("new", "triage"),
    ("triaged", "assign"),
    ("assigned", "start"),
    ("in_progress", "await_client"),
    ("awaiting_client", "resume"),
    ("in_progress", "refer"),
    ("in_progress", "resolve"),
    ("resolved", "close"),
    ("resolved", "reopen"),
    ("closed", "reopen"),
]
EXPECTED = {
    "triage": "triaged",
    "assign": "assigned",
    "start": "in_progress",
    "await_client": "awaiting_client",
    "resume": "in_progress",
    "refer": "referred",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "in_progress",
}


def _act(action: str, case, cast):
    from civic.bureau.services import referrals
    from tests.bureau.conftest import body

    consultant = user(cast.consultant)
    return {
        "triage": lambda: case_services.triage(case, consultant),
        "assign": lambda: case_services.assign(case, consultant, consultant),
        "start": lambda: case_services.start(case, consultant),
        "await_client": lambda: case_services.await_client(case, consultant, "Send the contract, please."),
        "resume": lambda: case_services.resume(case, consultant, "Client phoned."),
        "refer": lambda: referrals.refer(case, consultant, body("KZ-ALA.AKIMAT"), "Appeal text long enough."),
        "resolve": lambda: case_services.resolve(case, consultant, "advice_given", "A substantive answer here."),
        "close": lambda: case_services.close(case, consultant),
        "reopen": lambda: case_services.reopen(case, consultant, "The bank wrote again."),
    }[action]()


@pytest.mark.parametrize(("state", "action"), VALID, ids=[f"{s}-{a}" for s, a in VALID])
def test_each_transition_moves_the_case_and_is_on_the_timeline(app, cast, cases, state, action):
    case_id = cases.make(state)
    with at(app, T0 + timedelta(hours=2)):
        case = db.session.get(Case, case_id)
        _act(action, case, cast)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == EXPECTED[action]
        last = db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.kind == "state")
            .order_by(CaseEvent.id.desc())
        ).first()
        assert (last.from_state, last.to_state) == (state, EXPECTED[action])


REASSIGNABLE = {"assigned", "in_progress", "awaiting_client"}  # assigning again there is a reassignment
INVALID = [
    (s, a)
    for s in ("new", "triaged", "assigned", "in_progress", "awaiting_client", "resolved", "closed")
    for a in EXPECTED
    if (s, a) not in VALID and not (a == "assign" and s in REASSIGNABLE)
]


@pytest.mark.parametrize(("state", "action"), INVALID, ids=[f"{s}-{a}" for s, a in INVALID])
def test_out_of_order_transitions_are_refused_and_change_nothing(app, cast, cases, state, action):
    case_id = cases.make(state)
    with app.app_context():
        before = len(_events(case_id))
    with at(app, T0 + timedelta(hours=2)):
        case = db.session.get(Case, case_id)
        with pytest.raises(DomainError) as refused:
            _act(action, case, cast)
        db.session.rollback()
    assert str(refused.value)
    with app.app_context():
        assert db.session.get(Case, case_id).state == state
        assert len(_events(case_id)) == before


def test_invalid_transition_message_names_action_and_state(app, cast, cases):
    case_id = cases.make("new")
    with at(app), pytest.raises(InvalidTransition) as refused:
        case_services.resolve(db.session.get(Case, case_id), user(cast.consultant), "advice_given", "x" * 30)
    assert "resolve" in str(refused.value)
    assert "New" in str(refused.value)


def test_reopening_is_refused_after_thirty_days(app, cast, cases):
    case_id = cases.make("closed")
    with at(app, T0 + timedelta(days=31)), pytest.raises(DomainError, match="30 days"):
        case_services.reopen(db.session.get(Case, case_id), user(cast.client), "Still not solved.")


def test_client_can_reopen_their_resolved_case_and_the_consultant_is_told(app, cast, cases):
    case_id = cases.make("resolved")
    with at(app, T0 + timedelta(days=5)):
        case_services.reopen(db.session.get(Case, case_id), user(cast.client), "The bank ignored my letter.")
    with app.app_context():
        assert db.session.get(Case, case_id).state == "in_progress"
        kinds = set(db.session.scalars(select(Notification.kind).where(Notification.user_id == cast.consultant.id)))
        assert "bureau.reopened" in kinds


# ------------------------------------------------------------------ assignment and access


def test_assignment_tells_the_client_who_handles_the_case(app, cast, cases):
    cases.make("assigned")
    with app.app_context():
        notes = db.session.scalars(
            select(Notification).where(Notification.user_id == cast.client.id, Notification.kind == "bureau.routed")
        ).all()
        assert len(notes) == 1
        assert "Consultant Almaty" in notes[0].title


def test_a_consultant_cannot_take_another_consultants_case_but_a_supervisor_can_reassign(app, cast, cases):
    case_id = cases.make("in_progress")
    with at(app), pytest.raises(PermissionDenied):
        case_services.assign(db.session.get(Case, case_id), user(cast.other_consultant), user(cast.other_consultant))
    with at(app):
        case_services.assign(db.session.get(Case, case_id), user(cast.supervisor), user(cast.other_consultant))
    with app.app_context():
        assert db.session.get(Case, case_id).consultant_id == cast.other_consultant.id


def test_a_consultant_of_another_territory_cannot_work_on_the_case(app, cast, cases):
    case_id = cases.make("new")
    with at(app), pytest.raises(PermissionDenied):
        case_services.triage(db.session.get(Case, case_id), user(cast.vos_consultant))


def test_assigning_to_someone_who_is_not_a_consultant_there_is_refused(app, cast, cases):
    case_id = cases.make("triaged")
    with at(app), pytest.raises(DomainError) as refused:
        case_services.assign(db.session.get(Case, case_id), user(cast.consultant), user(cast.vos_consultant))
    assert refused.value.field == "consultant"


# ------------------------------------------------------------------ consent


def test_stale_consent_blocks_processing_until_renewed(app, cast, cases):
    case_id = cases.make("new")
    later = T0 + timedelta(days=190)
    with at(app, later), pytest.raises(DomainError, match="6 months"):
        case_services.triage(db.session.get(Case, case_id), user(cast.consultant))
    with at(app, later):
        case_services.update_consents(db.session.get(Case, case_id), user(cast.client), {Consent.DATA})
    with at(app, later + timedelta(minutes=1)):
        case_services.triage(db.session.get(Case, case_id), user(cast.consultant))
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "triaged"
        assert case.consent_data_at == later
        assert case.consent_follow_up_at is None


def test_consent_is_still_valid_just_before_six_calendar_months(app, cast, cases):
    case_id = cases.make("new")
    with at(app, T0 + timedelta(days=182)):  # 1 April + 182 days = 30 September, before 1 October
        case_services.triage(db.session.get(Case, case_id), user(cast.consultant))
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "triaged"  # the consents given on 1 April still hold: the work went through
        assert case.consent_data_at == T0


def test_withdrawn_consent_blocks_work_on_the_case(app, cast, cases):
    case_id = cases.make("in_progress")
    with at(app):
        case_services.update_consents(db.session.get(Case, case_id), user(cast.client), set())
    with at(app), pytest.raises(DomainError, match="consent"):
        work.add_note(db.session.get(Case, case_id), user(cast.consultant), "Called the bank.")


# ------------------------------------------------------------------ messages and files


def test_a_client_message_answers_the_request_and_resumes_the_case(app, cast, cases):
    case_id = cases.make("awaiting_client")
    with at(app, T0 + timedelta(days=1)):
        work.message_from_client(db.session.get(Case, case_id), user(cast.client), "Here is the contract.", [upload()])
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "in_progress"
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 1


def test_another_client_cannot_post_in_the_case(app, cast, cases):
    case_id = cases.make("in_progress")
    with at(app), pytest.raises(PermissionDenied):
        work.message_from_client(db.session.get(Case, case_id), user(cast.other_client), "Hello?")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00not a document", "invoice.pdf", "not a PDF, PNG or JPEG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png", "not a PDF, PNG or JPEG"),
        (PDF + b"0" * storage.MAX_FILE_BYTES, "big.pdf", "larger than"),
        (b"", "empty.pdf", "empty"),
    ],
)
def test_bad_attachments_are_refused_and_leave_no_file(app, cast, cases, data, name, message):
    case_id = cases.make("in_progress")
    with app.test_request_context(), clock.frozen_at(T0):
        case = db.session.get(Case, case_id)
        with pytest.raises(storage.UploadRejected, match=message):
            work.message_from_staff(case, user(cast.consultant), "See attached.", [upload(PNG), upload(data, name)])
        db.session.rollback()
        assert list(storage.upload_dir().iterdir()) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_stored_files_get_random_names_outside_static(app, cast, cases):
    case_id = cases.open(uploads=[upload(PDF, "../../etc/passwd.pdf")])
    with app.app_context():
        attachment = db.session.scalar(select(Attachment).where(Attachment.case_id == case_id))
        assert attachment.original_name == "passwd.pdf"
        assert attachment.stored_name.endswith(".pdf")
        assert len(attachment.stored_name) == 36
        path = storage.path_of(attachment.stored_name)
        assert path.read_bytes() == PDF
        assert "static" not in path.parts


def test_notes_are_internal_and_audited(app, cast, cases):
    case_id = cases.make("in_progress")
    with at(app):
        work.add_note(db.session.get(Case, case_id), user(cast.consultant), "Client seems under pressure.")
    with app.app_context():
        event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == EventKind.NOTE))
        assert event.visibility == "internal"
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "bureau.note"))
            == 1
        )


def test_timeline_events_cannot_be_edited(app, cast, cases):
    case_id = cases.make("new")
    with app.app_context():
        event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case_id))
        event.body = "rewritten"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()
