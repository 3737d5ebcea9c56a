"""The responsible body's answer deadline: the platform's legal clock, one typed extension to 30 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core import deadlines
from civic.core.errors import DomainError, PermissionDenied
from civic.identity.models import AuditEvent, Notification, User
from civic.petitions import answer_deadline, services
from civic.petitions.models import Petition

from .conftest import HOME


@pytest.fixture
def due_petition(world):
    """An open petition whose response threshold (5: the supporters who became signers) is reached."""
    pid = world.petition("open")
    world.set_thresholds(pid, response=5, hearing=100)
    world.tally(pid)
    return pid


def _extend(app, pid, official, reason="site_visit", note="We inspect the crossing on 20 December.", now=None):
    with app.app_context():
        petition = db.session.get(Petition, pid)
        answer_deadline.extend(petition, db.session.get(User, official.id), reason, note, now=now)
        db.session.commit()


def _audits(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_the_term_is_15_days_on_the_legal_clock(world, due_petition):
    petition = world.get(due_petition)
    assert petition.response_due_at == deadlines.compute_due(petition.response_threshold_reached_at)
    # the end of a local day in Almaty, on or after the 15th day
    assert petition.response_due_at - petition.response_threshold_reached_at >= timedelta(days=15)
    assert not petition.response_extended


def test_official_extends_once_to_30_days_with_a_reason_audited_and_the_author_told(app, world, due_petition):
    official = world.official_for(due_petition)
    _extend(app, due_petition, official, "commission", "  A commission of the akimat meets first.  ")
    petition = world.get(due_petition)
    assert petition.response_due_at == deadlines.compute_due(petition.response_threshold_reached_at, extended=True)
    assert petition.response_extension_reason == "commission"
    assert petition.response_extension_note == "A commission of the akimat meets first."
    assert petition.response_extended_by_id == official.id
    assert petition.response_extension_label == "A commission must be set up"
    assert _audits(app, "petitions.extend_response") == 1
    with app.app_context():
        kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == world.author.id)).all()
    assert "petitions.response_extended" in kinds


def test_a_second_extension_is_refused_and_nothing_changes(app, world, due_petition):
    official = world.official_for(due_petition)
    _extend(app, due_petition, official, "analysis")
    before = world.get(due_petition)
    with pytest.raises(DomainError, match="already extended once"):
        _extend(app, due_petition, official, "site_visit", "Another visit.")
    after = world.get(due_petition)
    assert (after.response_due_at, after.response_extension_reason, after.response_extension_note) == (
        before.response_due_at,
        "analysis",
        before.response_extension_note,
    )
    assert _audits(app, "petitions.extend_response") == 1


def test_an_official_of_another_body_cannot_extend(app, world, make_user, due_petition):
    routed = world.get(due_petition).state_body_id
    with app.app_context():
        from civic.identity.models import StateBody

        other = db.session.scalar(select(StateBody.code).where(StateBody.id != routed).limit(1))
    stranger = make_user(roles=[("official", None, other)], home=HOME)
    with pytest.raises(PermissionDenied):
        _extend(app, due_petition, stranger)
    assert not world.get(due_petition).response_extended


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [
        ("", "A note.", "Choose the reason"),
        ("holiday", "A note.", "Choose the reason"),
        ("site_visit", "   ", "Explain the extension"),
    ],
)
def test_bad_reasons_and_missing_note_are_refused(app, world, due_petition, reason, note, message):
    with pytest.raises(DomainError, match=message):
        _extend(app, due_petition, world.official_for(due_petition), reason, note)
    assert not world.get(due_petition).response_extended


def test_no_extension_before_the_term_starts_after_it_ends_or_once_answered(app, world, due_petition):
    official = world.official_for(due_petition)
    not_started = world.petition("open", title="Repair the lifts in the houses of Almaly district")
    with pytest.raises(DomainError, match="has not started"):
        _extend(app, not_started, world.official_for(not_started))
    late = world.get(due_petition).response_due_at + timedelta(seconds=1)
    with pytest.raises(DomainError, match="already passed"):
        _extend(app, due_petition, official, now=late)
    with app.app_context():
        petition = db.session.get(Petition, due_petition)
        services.publish_response(petition, db.session.get(User, official.id), "We will build the crossing in May.")
        db.session.commit()
    with pytest.raises(DomainError, match="already answered"):
        _extend(app, due_petition, official)


def test_invalidation_recomputes_an_extended_term_as_extended(app, world, residents, due_petition):
    """recheck_thresholds keeps the extension when the threshold moment moves."""
    from civic.petitions import tallies

    _extend(app, due_petition, world.official_for(due_petition))
    with app.app_context():
        petition = db.session.get(Petition, due_petition)
        tallies.recheck_thresholds(petition)
        db.session.commit()
    petition = world.get(due_petition)
    assert petition.response_due_at == deadlines.compute_due(petition.response_threshold_reached_at, extended=True)


# --- pages and API ------------------------------------------------------------------------------------------------
def test_the_official_extends_from_the_response_page_and_the_public_sees_it(app, client, auth, world, due_petition):
    official = world.official_for(due_petition)
    auth.login(official)
    page = client.get(f"/petitions/{due_petition}/respond").get_data(as_text=True)
    assert "Extend the answer term" in page
    response = client.post(
        f"/petitions/{due_petition}/extend-response",
        data={"extend-reason": "site_visit", "extend-note": "Engineers visit the crossing next week."},
    )
    assert response.status_code == 303
    auth.logout()
    page = client.get(f"/petitions/{due_petition}").get_data(as_text=True)
    assert "extended: A site visit is needed" in page
    assert "Engineers visit the crossing next week." in page
    detail = client.get(f"/api/v1/petitions/{due_petition}").get_json()
    assert detail["response_extension"]["reason"] == "site_visit"
    assert detail["response_extension"]["reason_label"] == "A site visit is needed"
    assert detail["response_extension"]["note"] == "Engineers visit the crossing next week."
    petition = world.get(due_petition)
    assert detail["response_due_at"] == petition.response_due_at.isoformat()
    assert petition.response_due_at == deadlines.compute_due(petition.response_threshold_reached_at, extended=True)


def test_a_second_extension_through_the_page_is_a_400_with_a_message(app, client, auth, world, due_petition):
    auth.login(world.official_for(due_petition))
    data = {"extend-reason": "analysis", "extend-note": "Traffic analysis."}
    assert client.post(f"/petitions/{due_petition}/extend-response", data=data).status_code == 303
    due = world.get(due_petition).response_due_at
    second = client.post(
        f"/petitions/{due_petition}/extend-response", data={"extend-reason": "commission", "extend-note": "Again."}
    )
    assert second.status_code == 400
    assert "already extended once" in second.get_data(as_text=True)
    petition = world.get(due_petition)
    assert (petition.response_due_at, petition.response_extension_reason) == (due, "analysis")


def test_extension_by_another_body_through_the_page_is_403(app, client, auth, world, make_user, due_petition):
    routed = world.get(due_petition).state_body_id
    with app.app_context():
        from civic.identity.models import StateBody

        other = db.session.scalar(select(StateBody.code).where(StateBody.id != routed).limit(1))
    auth.login(make_user(roles=[("official", None, other)], home=HOME))
    response = client.post(
        f"/petitions/{due_petition}/extend-response", data={"extend-reason": "analysis", "extend-note": "x"}
    )
    assert response.status_code == 403
    assert not world.get(due_petition).response_extended


def test_api_shows_no_extension_when_there_is_none(client, world, due_petition):
    assert client.get(f"/api/v1/petitions/{due_petition}").get_json()["response_extension"] is None
