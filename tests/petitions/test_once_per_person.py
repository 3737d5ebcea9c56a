"""Finding 1 of the security review: a person counts once per petition, even after erasing the account and
registering again with the same IIN (the signature and the supporter keep the IIN fingerprint)."""

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core.errors import Conflict
from civic.identity import services as identity
from civic.identity.models import User
from civic.petitions import services, signing
from civic.petitions.models import Petition, PetitionSignature, PetitionSupporter


def _reborn(app, make_user, old: User) -> User:
    """Erase ``old`` and register a new account that links the same IIN (the IIN was freed by the erasure)."""
    with app.app_context():
        user = db.session.get(User, old.id)
        digest = user.iin_hmac
        identity.erase_user(user)
        db.session.commit()
    new = make_user(home="KZ-ALA-ALM")
    with app.app_context():
        user = db.session.get(User, new.id)
        user.iin_hmac = digest
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def test_a_person_who_erased_the_account_cannot_sign_again(app, world, make_user):
    pid = world.petition("open")
    signer = world.user()
    world.sign(pid, signer)
    before = world.count(pid)
    again = _reborn(app, make_user, signer)
    with pytest.raises(signing.AlreadySigned):
        world.sign(pid, again)
    assert world.count(pid) == before
    with app.app_context():
        rows = db.session.scalar(
            select(func.count()).select_from(PetitionSignature).where(PetitionSignature.petition_id == pid)
        )
        assert rows == before
        kept = db.session.scalar(
            select(PetitionSignature.signer_iin_hmac).where(PetitionSignature.user_id == signer.id)
        )
        assert kept  # the fingerprint stays after erasure


def test_a_person_supports_a_petition_once(app, world, make_user):
    pid = world.draft()
    with app.app_context():
        petition = db.session.get(Petition, pid)
        services.submit_for_supporters(petition, db.session.get(User, world.author.id))
        db.session.commit()
    first = world.user()
    with app.app_context():
        services.support(db.session.get(Petition, pid), db.session.get(User, first.id))
        db.session.commit()
    again = _reborn(app, make_user, first)
    with app.app_context():
        with pytest.raises(Conflict):
            services.support(db.session.get(Petition, pid), db.session.get(User, again.id))
        db.session.rollback()
        count = db.session.scalar(
            select(func.count()).select_from(PetitionSupporter).where(PetitionSupporter.petition_id == pid)
        )
    assert count == 1
