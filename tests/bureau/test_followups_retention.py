"""After resolution: the 4-week follow-up, closing after the reopening window, and anonymisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.bureau import storage
from civic.bureau.models import Attachment, Case, CaseEvent, Consent, Referral, ReferralAnswer
from civic.bureau.services import followups, referrals, retention
from civic.core.errors import DomainError, PermissionDenied
from civic.identity.models import AuditEvent, Notification
from civic.identity.services import erase_user
from tests.bureau.conftest import T0, at, referral_of, upload, user


def _follow_ups(app, now):
    with at(app, now):
        return followups.send_follow_ups(now)


def test_follow_up_goes_four_weeks_after_resolution_once(app, cast, cases):
    case_id = cases.make("resolved")
    assert _follow_ups(app, T0 + timedelta(days=27)) == (0, 0)
    assert _follow_ups(app, T0 + timedelta(days=29)) == (1, 0)
    assert _follow_ups(app, T0 + timedelta(days=30)) == (0, 0)
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.follow_up_sent_at == T0 + timedelta(days=29)
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.user_id == cast.client.id, Notification.kind == "bureau.follow_up")
            )
            == 1
        )
        event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "follow_up_sent"))
        assert event.visibility == "client"
        assert event.data == {"asked": True}


def test_no_follow_up_without_the_consent_to_be_contacted(app, cast, cases):
    case_id = cases.make("resolved", consents=(Consent.DATA,))
    assert _follow_ups(app, T0 + timedelta(days=29)) == (0, 1)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Notification).where(Notification.kind == "bureau.follow_up")
            )
            == 0
        )
        event = db.session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "follow_up_sent")
        )
        assert event.visibility == "internal"
        assert event.data["reason"] == "no_consent"


def test_the_client_answers_the_follow_up_once(app, cast, cases):
    case_id = cases.make("resolved")
    with at(app, T0 + timedelta(days=29)):
        followups.answer_follow_up(db.session.get(Case, case_id), user(cast.client), "partly", "The bank called.")
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.follow_up_result == "partly"
        assert case.follow_up_comment == "The bank called."
    with at(app), pytest.raises(DomainError, match="already answered"):
        followups.answer_follow_up(db.session.get(Case, case_id), user(cast.client), "solved")
    with at(app), pytest.raises(PermissionDenied):
        followups.answer_follow_up(db.session.get(Case, case_id), user(cast.other_client), "solved")


def test_resolved_cases_close_once_the_reopening_window_has_passed(app, cast, cases):
    case_id = cases.make("resolved")
    with at(app, T0 + timedelta(days=20)):
        assert followups.close_after_reopen_window() == 0
    with at(app, T0 + timedelta(days=31)):
        assert followups.close_after_reopen_window() == 1
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "closed"
        assert case.closed_at == T0 + timedelta(days=31)
        last = db.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id.desc())
        ).first()
        assert (last.from_state, last.to_state, last.data["automatic"]) == ("resolved", "closed", True)


def test_cli_follow_ups(app, cast, cases, runner):
    cases.make("resolved")
    result = runner.invoke(args=["bureau", "follow-ups", "--now", (T0 + timedelta(days=40)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 asked, 0 skipped" in result.output
    assert "1 cases closed" in result.output


def _closed_referred_case(app, cast, cases):
    case_id = cases.make("referred", uploads=[upload()])
    with at(app, T0 + timedelta(days=3)):
        referrals.answer(referral_of(case_id), user(cast.official), "The akimat answered in substance here.")
    with at(app, T0 + timedelta(days=4)):
        referrals.review(referral_of(case_id), user(cast.inspector), "accepted")
    with at(app, T0 + timedelta(days=5)):
        from civic.bureau.services import cases as case_services

        case = db.session.get(Case, case_id)
        case_services.resolve(case, user(cast.consultant), "solved", "The bank agreed to restructure the loan.")
        case_services.close(case, user(cast.client))
    return case_id


def test_anonymise_removes_personal_data_of_old_closed_cases_and_keeps_statistics(app, cast, cases, runner):
    case_id = _closed_referred_case(app, cast, cases)
    open_id = cases.make("in_progress")
    with app.app_context():
        stored = db.session.scalar(select(Attachment.stored_name))
        assert storage.path_of(stored).exists()
    now = T0 + timedelta(days=5 + 3 * 365 + 1)
    result = runner.invoke(args=["bureau", "anonymise", "--older-than", "3y", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 cases anonymised" in result.output, result.output
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.anonymised_at == now
        assert case.description == ""
        assert case.client_id is None
        assert (case.category.code, case.territory.code, case.outcome, case.channel) == (
            "debts",
            "KZ-ALA-ALM",
            "solved",
            "online",
        )
        assert set(db.session.scalars(select(CaseEvent.body).where(CaseEvent.case_id == case_id))) == {""}
        referral = db.session.scalar(select(Referral).where(Referral.case_id == case_id))
        assert referral.summary == ""
        assert referral.answered_late is False
        assert db.session.scalar(select(ReferralAnswer.text)) == ""
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
        assert not storage.path_of(stored).exists()
        assert db.session.get(Case, open_id).anonymised_at is None
        assert db.session.scalar(select(AuditEvent.after).where(AuditEvent.action == "bureau.anonymise"))["cases"] == 1
    again = runner.invoke(args=["bureau", "anonymise", "--older-than", "3y", "--now", now.isoformat()])
    assert "0 cases anonymised" in again.output


def test_anonymise_refuses_a_malformed_age(runner, app):
    result = runner.invoke(args=["bureau", "anonymise", "--older-than", "three years"])
    assert result.exit_code != 0
    assert "3y" in result.output


def test_erasing_an_account_withdraws_and_scrubs_its_cases(app, cast, cases):
    case_id = cases.make("referred")
    with at(app):
        erase_user(user(cast.client))
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.state == "closed"
        assert case.outcome == "withdrawn"
        assert case.anonymised_at is not None
        assert case.client_id is None
        assert case.description == ""
        assert referral_of(case_id).state == "withdrawn"
        assert referral_of(case_id).sla_state == "closed"


@pytest.mark.parametrize(("text", "days"), [("3y", 1095), ("36m", 1080), ("8w", 56), ("10d", 10)])
def test_parse_age(text, days):
    assert retention.parse_age(text) == timedelta(days=days)
