"""Moderators restore a hidden petition to the state it was hidden from (audited)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic import db
from civic.core.errors import DomainError, InvalidTransition, PermissionDenied
from civic.identity.models import AuditEvent, User
from civic.petitions import moderation
from civic.petitions.models import Petition, PetitionState

from .conftest import HOME

S = PetitionState


def _hide(app, world, pid):
    with app.app_context():
        moderation.hide(db.session.get(Petition, pid), db.session.get(User, world.moderator.id), "Defamatory words.")
        db.session.commit()


def _restore(app, user, pid, details="The words were quoted from a court decision."):
    with app.app_context():
        moderation.restore(db.session.get(Petition, pid), db.session.get(User, user.id), details)
        db.session.commit()


@pytest.mark.parametrize("state", ["open", "closed"])
def test_a_hidden_petition_goes_back_to_its_previous_state(app, world, state):
    pid = world.petition(state)
    _hide(app, world, pid)
    assert world.get(pid).state == S.HIDDEN
    _restore(app, world.moderator, pid)
    petition = world.get(pid)
    assert petition.state == state
    assert petition.state_before_hidden is None
    assert petition.rejection_code is None
    assert petition.rejection_details is None
    assert petition.restored_at is not None
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "petitions.restore"))
        assert event.actor_id == world.moderator.id
        assert event.before["state"] == "hidden"
        assert event.after == {"state": state, "reason": "The words were quoted from a court decision."}


def test_a_petition_hidden_at_moderation_goes_back_to_moderation(app, world):
    pid = world.petition("awaiting_moderation")
    with app.app_context():
        moderation.reject(
            db.session.get(Petition, pid), db.session.get(User, world.moderator.id), "offensive", "Insults."
        )
        db.session.commit()
    assert world.get(pid).state == S.HIDDEN
    _restore(app, world.moderator, pid)
    assert world.get(pid).state == S.AWAITING_MODERATION


def test_only_a_hidden_petition_can_be_restored_and_a_reason_is_required(app, world):
    pid = world.petition("open")
    with pytest.raises(InvalidTransition, match="Only a hidden petition"):
        _restore(app, world.moderator, pid)
    _hide(app, world, pid)
    with pytest.raises(DomainError, match="Explain why"):
        _restore(app, world.moderator, pid, details="  ")
    assert world.get(pid).state == S.HIDDEN


def test_a_moderator_of_another_territory_cannot_restore(app, world, make_user):
    pid = world.petition("open")
    _hide(app, world, pid)
    elsewhere = make_user(roles=[("moderator", "KZ-AST")], home=HOME)
    with pytest.raises(PermissionDenied):
        _restore(app, elsewhere, pid)
    assert world.get(pid).state == S.HIDDEN


def test_restore_from_the_moderation_page(app, client, auth, world):
    pid = world.petition("open")
    _hide(app, world, pid)
    auth.login(world.moderator)
    page = client.get(f"/petitions/{pid}/moderate").get_data(as_text=True)
    assert "Restore the petition" in page
    empty = client.post(f"/petitions/{pid}/restore", data={"restore-details": ""})
    assert empty.status_code == 400
    assert world.get(pid).state == S.HIDDEN
    done = client.post(f"/petitions/{pid}/restore", data={"restore-details": "Hidden by mistake."})
    assert done.status_code == 303
    assert world.get(pid).state == S.OPEN
    again = client.post(f"/petitions/{pid}/restore", data={"restore-details": "Again."})
    assert again.status_code == 409
    assert "Only a hidden petition can be restored." in again.get_data(as_text=True)
