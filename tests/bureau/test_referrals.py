"""Referrals as official appeals: the legal clock, the single typed extension, clock stops, answers, inspection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from civic import db
from civic.bureau.models import Case, CaseEvent, Consent
from civic.bureau.models.enums import EXTENSION_LABELS
from civic.bureau.services import cases as case_services
from civic.bureau.services import referrals, work
from civic.core import deadlines
from civic.core.errors import DomainError, InvalidTransition, PermissionDenied
from civic.core.i18n import format_day
from civic.identity.models import AuditEvent, Notification
from tests.bureau.conftest import T0, at, body, referral_of, user

REFERRED_AT = T0 + timedelta(minutes=4)  # cases.make("referred") refers at its fourth step


def _kinds(user_id: int) -> list[str]:
    return list(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == user_id).order_by(Notification.id))
    )


def test_referral_starts_the_15_day_clock_and_tells_the_client_and_the_body(app, cast, cases):
    case_id = cases.make("referred")
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.referred_at == REFERRED_AT
        assert referral.due_at == deadlines.compute_due(REFERRED_AT)
        assert deadlines.local_date(referral.due_at).isoformat() == "2025-04-16"
        assert referral.sla_state == "on_time"
        assert referral.suggested_body.code == "KZ-ALA.AKIMAT"
        assert "bureau.referred" in _kinds(cast.client.id)
        assert "bureau.referral_received" in _kinds(cast.official.id)
        assert "bureau.referral_received" in _kinds(cast.head.id)
        assert "bureau.referral_received" not in _kinds(cast.housing_official.id)


def test_referral_needs_the_consent_to_share_with_a_state_body(app, cast, cases):
    case_id = cases.make("in_progress", consents=(Consent.DATA,))
    with at(app), pytest.raises(DomainError, match="Share my case"):
        referrals.refer(
            db.session.get(Case, case_id),
            user(cast.consultant),
            body("KZ-ALA.AKIMAT"),
            "An appeal text that is long enough.",
        )
    with app.app_context():
        assert db.session.get(Case, case_id).state == "in_progress"
        assert referral_of(case_id) is None


def test_referral_is_refused_before_work_started_and_without_a_text(app, cast, cases):
    case_id = cases.make("assigned")
    with at(app), pytest.raises(InvalidTransition):
        referrals.refer(
            db.session.get(Case, case_id),
            user(cast.consultant),
            body("KZ-ALA.AKIMAT"),
            "An appeal text that is long enough.",
        )
    case_id = cases.make("in_progress")
    with at(app), pytest.raises(DomainError) as refused:
        referrals.refer(db.session.get(Case, case_id), user(cast.consultant), body("KZ-ALA.AKIMAT"), "short")
    assert refused.value.field == "summary"


def test_the_consultant_may_choose_another_body_than_suggested(app, cast, cases):
    case_id = cases.make("referred", body_code="KZ-ALA.HOUSING")
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.body.code == "KZ-ALA.HOUSING"
        assert referral.suggested_body.code == "KZ-ALA.AKIMAT"


# ------------------------------------------------------------------ extension


def test_official_extends_once_with_a_reason_and_the_client_learns_why(app, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=3)):
        referrals.extend(referral_of(case_id), user(cast.official), "site_visit", "We must inspect the building.")
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.extended
        assert referral.extension_reason == "site_visit"
        assert referral.due_at == deadlines.compute_due(REFERRED_AT, extended=True)
        note = db.session.scalar(
            select(Notification).where(Notification.user_id == cast.client.id, Notification.kind == "bureau.extended")
        )
        with force_locale(cast.client.preferred_locale):  # the client's language, not the test's: on purpose
            assert str(EXTENSION_LABELS["site_visit"]) in note.body
            assert format_day(referral.due_at) in note.body  # the house date format (civic.core.i18n)
        event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "extended"))
        assert event.visibility == "body"
        assert event.data["reason"] == "site_visit"
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "bureau.extend"))


@pytest.mark.parametrize(("reason", "message"), [("", "Choose the reason"), ("holiday", "Choose the reason")])
def test_extension_without_a_valid_reason_is_refused(app, cast, cases, reason, message):
    case_id = cases.make("referred")
    with at(app), pytest.raises(DomainError, match=message):
        referrals.extend(referral_of(case_id), user(cast.official), reason)


def test_a_second_extension_is_refused(app, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=1)):
        referrals.extend(referral_of(case_id), user(cast.official), "analysis")
    with at(app, T0 + timedelta(days=2)), pytest.raises(DomainError, match="already extended"):
        referrals.extend(referral_of(case_id), user(cast.official), "commission")


def test_extension_after_the_deadline_is_refused(app, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=20)), pytest.raises(DomainError, match="already passed"):
        referrals.extend(referral_of(case_id), user(cast.official), "analysis")


@pytest.mark.parametrize("who", ["housing_official", "consultant", "inspector", "client"])
def test_only_the_bodys_officials_may_extend(app, cast, cases, who):
    case_id = cases.make("referred")
    with at(app), pytest.raises(PermissionDenied):
        referrals.extend(referral_of(case_id), user(getattr(cast, who)), "analysis")


# ------------------------------------------------------------------ clock stops


def test_waiting_for_the_client_stops_the_clock_and_the_answer_restarts_it(app, cast, cases):
    case_id = cases.make("referred")
    stop, restart = T0 + timedelta(days=5), T0 + timedelta(days=8, hours=3)
    with at(app, stop):
        case_services.await_client(db.session.get(Case, case_id), user(cast.consultant), "Please send the contract.")
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.due_at is None
        assert referral.sla_state == "paused"
        assert db.session.get(Case, case_id).state == "awaiting_client"
    with at(app, restart):
        work.message_from_client(db.session.get(Case, case_id), user(cast.client), "Attached is the contract.")
    with app.app_context():
        referral = referral_of(case_id)
        expected = deadlines.compute_due(REFERRED_AT, pauses=[deadlines.ClockPause(stop, restart)])
        assert referral.due_at == expected
        assert expected > deadlines.compute_due(REFERRED_AT)
        assert db.session.get(Case, case_id).state == "referred"
        assert referral.sla_state == "on_time"


def test_the_official_can_ask_the_client_through_the_bureau(app, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=2)):
        case_services.await_client(
            db.session.get(Case, case_id), user(cast.official), "Which flat number?", requested_by_body=True
        )
    with app.app_context():
        assert db.session.get(Case, case_id).state == "awaiting_client"
        event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "info_requested"))
        assert event.visibility == "body"
        assert event.data == {"by_body": True}
    with at(app), pytest.raises(PermissionDenied):
        case_services.await_client(
            db.session.get(Case, case_id), user(cast.housing_official), "Hello?", requested_by_body=True
        )


# ------------------------------------------------------------------ answers and inspection


def _answer(app, case_id, who, when, text="The akimat reviewed the appeal and instructed the bank to reply."):
    with at(app, when):
        return referrals.answer(referral_of(case_id), user(who), text).id


def _review(app, case_id, who, when, verdict, reason=""):
    with at(app, when):
        referrals.review(referral_of(case_id), user(who), verdict, reason)


def test_an_answer_goes_to_the_client_and_the_inspectors_of_the_territory(app, cast, cases):
    case_id = cases.make("referred")
    _answer(app, case_id, cast.official, T0 + timedelta(days=6))
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.state == "answered"
        assert referral.sla_state == "answered"
        assert "bureau.answered" in _kinds(cast.client.id)
        assert "bureau.answer_to_review" in _kinds(cast.inspector.id)
        assert "bureau.answer_to_review" not in _kinds(cast.vos_inspector.id)


def test_evasive_answer_returns_to_the_body_and_notifies_its_head(app, cast, cases):
    case_id = cases.make("referred")
    _answer(app, case_id, cast.official, T0 + timedelta(days=6), "We received your appeal, thank you for it.")
    _review(app, case_id, cast.inspector, T0 + timedelta(days=7), "evasive", "Does not say what the bank must do.")
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.state == "returned"
        assert referral.evasive_count == 1
        assert referral.sla_state == "on_time"
        assert referral.due_at == deadlines.compute_due(REFERRED_AT)
        assert "bureau.answer_evasive" in _kinds(cast.head.id)
        assert "bureau.answer_evasive" in _kinds(cast.official.id)
        assert "bureau.answer_evasive" in _kinds(cast.client.id)
    _answer(app, case_id, cast.official, T0 + timedelta(days=9))
    _review(app, case_id, cast.inspector, T0 + timedelta(days=10), "accepted")
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.state == "accepted"
        assert referral.answered_late is False
        assert referral.sla_state == "closed"
        assert db.session.get(Case, case_id).state == "in_progress"
        assert "bureau.answer_accepted" in _kinds(cast.consultant.id)


def test_an_answer_after_the_deadline_counts_as_late(app, cast, cases):
    case_id = cases.make("referred")
    _answer(app, case_id, cast.official, T0 + timedelta(days=20))
    _review(app, case_id, cast.inspector, T0 + timedelta(days=21), "accepted")
    with app.app_context():
        assert referral_of(case_id).answered_late is True


def test_evasive_verdict_needs_a_reason(app, cast, cases):
    case_id = cases.make("referred")
    _answer(app, case_id, cast.official, T0 + timedelta(days=6))
    with at(app), pytest.raises(DomainError) as refused:
        referrals.review(referral_of(case_id), user(cast.inspector), "evasive", "bad")
    assert refused.value.field == "verdict_reason"


@pytest.mark.parametrize("who", ["vos_inspector", "official", "consultant"])
def test_only_an_inspector_of_the_territory_reviews(app, cast, cases, who):
    case_id = cases.make("referred")
    _answer(app, case_id, cast.official, T0 + timedelta(days=6))
    with at(app), pytest.raises(PermissionDenied):
        referrals.review(referral_of(case_id), user(getattr(cast, who)), "accepted")


def test_no_answer_or_review_out_of_turn(app, cast, cases):
    case_id = cases.make("referred")
    with at(app), pytest.raises(DomainError, match="no answer awaiting"):
        referrals.review(referral_of(case_id), user(cast.inspector), "accepted")
    _answer(app, case_id, cast.official, T0 + timedelta(days=6))
    with at(app), pytest.raises(DomainError, match="not awaiting an answer"):
        referrals.answer(referral_of(case_id), user(cast.official), "A second answer before the inspection.")


def test_answering_while_the_client_is_asked_restarts_the_clock_first(app, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=2)):
        case_services.await_client(
            db.session.get(Case, case_id), user(cast.official), "Which flat?", requested_by_body=True
        )
    _answer(app, case_id, cast.official, T0 + timedelta(days=4))
    with app.app_context():
        referral = referral_of(case_id)
        assert db.session.get(Case, case_id).state == "referred"
        assert referral.due_at is not None
        assert all(p.end_at is not None for p in referral.pauses)
