"""A supervisor withdraws a referral the body never answered: reason recorded, client and body told, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from civic import db
from civic.bureau import clock
from civic.bureau.models import Case, CaseEvent
from civic.bureau.services import referrals
from civic.core.errors import Conflict, DomainError, PermissionDenied
from civic.identity.models import AuditEvent, Notification
from tests.bureau.conftest import T0, at, referral_of, user

REASON = "The client settled the matter with the bank directly."


def _kinds(user_id: int) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user_id)))


def test_supervisor_withdraws_an_unanswered_referral(app, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=2)):
        referrals.withdraw(referral_of(case_id), user(cast.supervisor), f"  {REASON}  ")
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.state == "withdrawn"
        assert referral.withdrawal_reason == REASON
        assert referral.withdrawn_by_id == cast.supervisor.id
        assert referral.withdrawn_at == T0 + timedelta(days=2)
        assert referral.sla_state == "closed"
        assert referral.notify_pending == 0
        assert db.session.get(Case, case_id).state == "in_progress"  # back with the consultant
        event = db.session.scalar(select(CaseEvent).where(CaseEvent.kind == "referral_withdrawn"))
        assert (event.body, event.visibility, event.referral_id) == (REASON, "body", referral.id)
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bureau.withdraw_referral"))
        assert audit.actor_id == cast.supervisor.id
        assert audit.before["state"] == "sent"
        assert audit.after == {"state": "withdrawn"}
        assert "bureau.referral_withdrawn" in _kinds(cast.client.id)
        assert "bureau.referral_withdrawn" in _kinds(cast.official.id)
        assert "bureau.referral_withdrawn" in _kinds(cast.consultant.id)


def test_withdrawing_while_the_clock_is_stopped_ends_the_wait(app, cast, cases):
    case_id = cases.make("awaiting_client", referred=True)
    with at(app, T0 + timedelta(days=3)):
        referrals.withdraw(referral_of(case_id), user(cast.supervisor), REASON)
    with app.app_context():
        referral = referral_of(case_id)
        assert referral.state == "withdrawn"
        assert referral.open_pause is None
        assert db.session.get(Case, case_id).state == "in_progress"


def test_an_answered_referral_cannot_be_withdrawn(app, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=1)):
        referrals.answer(referral_of(case_id), user(cast.official), "The akimat has reviewed the appeal and agrees.")
    with at(app, T0 + timedelta(days=2)), pytest.raises(Conflict, match="already answered"):
        referrals.withdraw(referral_of(case_id), user(cast.supervisor), REASON)
    with app.app_context():
        assert referral_of(case_id).state == "answered"
        assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bureau.withdraw_referral"))


def test_a_referral_returned_as_evasive_was_answered_and_cannot_be_withdrawn(app, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=1)):
        referrals.answer(referral_of(case_id), user(cast.official), "We have received your appeal, thank you for it.")
    with at(app, T0 + timedelta(days=2)):
        referrals.review(referral_of(case_id), user(cast.inspector), "evasive", "It answers nothing at all.")
    with at(app, T0 + timedelta(days=3)), pytest.raises(Conflict, match="already answered"):
        referrals.withdraw(referral_of(case_id), user(cast.supervisor), REASON)


@pytest.mark.parametrize("who", ["consultant", "official", "inspector", "client"])
def test_only_a_supervisor_may_withdraw(app, cast, cases, who):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=1)), pytest.raises(PermissionDenied):
        referrals.withdraw(referral_of(case_id), user(getattr(cast, who)), REASON)
    with app.app_context():
        assert referral_of(case_id).state == "sent"


def test_a_reason_is_required(app, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=1)), pytest.raises(DomainError):
        referrals.withdraw(referral_of(case_id), user(cast.supervisor), "   ")
    with app.app_context():
        assert referral_of(case_id).state == "sent"


# --- the page -----------------------------------------------------------------------------------------------------
def test_withdraw_from_the_referral_page(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    with app.app_context():
        referral_id = referral_of(case_id).id
    auth.login(cast.supervisor)
    with clock.frozen_at(T0 + timedelta(days=1)):
        page = client.get(f"/bureau/referrals/{referral_id}").get_data(as_text=True)
        assert "Withdraw this referral" in page
        empty = client.post(f"/bureau/referrals/{referral_id}/withdraw", data={"reason": ""})
        done = client.post(f"/bureau/referrals/{referral_id}/withdraw", data={"reason": REASON})
        again = client.post(f"/bureau/referrals/{referral_id}/withdraw", data={"reason": REASON})
        page = client.get(f"/bureau/referrals/{referral_id}").get_data(as_text=True)
    assert empty.status_code == 400
    assert done.status_code == 302
    assert again.status_code == 409
    assert REASON in page
    assert "Withdraw this referral" not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("consultant", 403), ("official", 403), ("inspector", 403), ("other_client", 404), ("vos_consultant", 404)],
)
def test_withdraw_page_refuses_other_people(app, client, auth, cast, cases, who, status):
    case_id = cases.make("referred")
    with app.app_context():
        referral_id = referral_of(case_id).id
    auth.login(getattr(cast, who))
    with clock.frozen_at(T0 + timedelta(days=1)):
        response = client.post(f"/bureau/referrals/{referral_id}/withdraw", data={"reason": REASON})
    assert response.status_code == status
    with app.app_context():
        assert referral_of(case_id).state == "sent"


def test_answered_referral_withdraw_through_the_page_is_409(app, client, auth, cast, cases):
    case_id = cases.make("referred")
    with at(app, T0 + timedelta(days=1)):
        referrals.answer(referral_of(case_id), user(cast.official), "The akimat has reviewed the appeal and agrees.")
    with app.app_context():
        referral_id = referral_of(case_id).id
    auth.login(cast.supervisor)
    with clock.frozen_at(T0 + timedelta(days=2)):
        response = client.post(f"/bureau/referrals/{referral_id}/withdraw", data={"reason": REASON})
    assert response.status_code == 409
    assert "already answered" in response.get_data(as_text=True)
    with app.app_context():
        assert referral_of(case_id).state == "answered"
