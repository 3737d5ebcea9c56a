"""Identity services: registration, verification, sign-in lockout, password reset, IIN, deletion, roles."""

import threading

import pytest
from sqlalchemy import func, select

from civic import db
from civic.core.errors import Conflict, DomainError, PermissionDenied
from civic.identity import services, tokens
from civic.identity.models import AssuranceLevel, AuditEvent, IdentityVerification, User, UserRole
from tests.factories import DEFAULT_PASSWORD, session_ident, valid_iin


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"


def _reload(user):
    return db.session.get(User, user.id)


def test_register_normalises_email_and_refuses_duplicates(app, outbox):
    with app.app_context():
        user = services.register_user(" Asel@Mail.KZ ", "a long pass phrase", "Asel", "ru")
        db.session.commit()
        assert user.email == "asel@mail.kz"
        assert user.assurance_level == AssuranceLevel.REGISTERED
        assert user.password_hash.startswith("$argon2id$")
        assert services.register_user("asel@mail.kz", "another pass phrase", "Asel 2") is None
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
    # the second attempt created nothing; the owner was told by mail instead of the form telling the stranger
    assert len(outbox()) == 2


def test_mail_is_not_sent_when_the_transaction_rolls_back(app, outbox):
    with app.app_context():
        services.register_user("ghost@mail.kz", "a long pass phrase", "Ghost")
        db.session.rollback()
    assert outbox() == []


def test_verify_email_raises_level_once_and_records_method(app, make_user):
    user = make_user(level=AssuranceLevel.REGISTERED)
    with app.test_request_context():
        token = tokens.make_token(tokens.VERIFY_EMAIL, user)
        services.verify_email(token)
        services.verify_email(token)  # idempotent
        db.session.commit()
        fresh = _reload(user)
        assert fresh.assurance_level == AssuranceLevel.EMAIL_VERIFIED
        methods = db.session.scalars(select(IdentityVerification.method).where(IdentityVerification.user_id == user.id))
        assert list(methods) == ["email"]


def test_expired_and_tampered_verification_links_are_refused(app, make_user, monkeypatch):
    user = make_user(level=AssuranceLevel.REGISTERED)
    with app.test_request_context():
        token = tokens.make_token(tokens.VERIFY_EMAIL, user)
        with pytest.raises(DomainError, match="not valid"):
            services.verify_email(("f" if token[0] != "f" else "g") + token[1:])  # altered payload
        monkeypatch.setitem(app.config, "EMAIL_TOKEN_MAX_AGE", -1)
        with pytest.raises(DomainError, match="expired"):
            services.verify_email(token)
        assert _reload(user).assurance_level == AssuranceLevel.REGISTERED


def test_login_lockout_after_repeated_failures(app, make_user):
    user = make_user(email="lock@example.test")
    with app.app_context():
        for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"]):
            with pytest.raises(services.LoginFailed):
                services.authenticate("lock@example.test", "wrong password", address="192.0.2.5")
            db.session.commit()
        with pytest.raises(services.LoginFailed) as locked:
            services.authenticate("lock@example.test", DEFAULT_PASSWORD, address="192.0.2.5")
        with pytest.raises(services.LoginFailed) as unknown:
            services.authenticate("nobody@example.test", DEFAULT_PASSWORD)
        assert str(locked.value) == str(unknown.value)  # no hint whether the email exists
        # the lock holds for this account from this address (tests/security/test_lockout.py: not for the owner)
        assert _reload(user).locked_until is None
        assert services.authenticate("lock@example.test", DEFAULT_PASSWORD, address="192.0.2.6").id == user.id


def test_password_reset_link_works_once(app, make_user):
    user = make_user()
    with app.test_request_context():
        token = tokens.make_token(tokens.RESET_PASSWORD, user)
        services.reset_password(token, "a brand new phrase")
        db.session.commit()
        with pytest.raises(DomainError):
            services.reset_password(token, "yet another phrase")
        assert services.authenticate(user.email, "a brand new phrase").id == user.id
        assert _reload(user).session_version == user.session_version + 1


def test_add_iin_keeps_only_digest_and_last_four(app, make_user):
    user = make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    with app.app_context():
        fresh = _reload(user)
        services.add_iin(fresh, "850808 301077")
        db.session.commit()
        fresh = _reload(user)
        assert fresh.iin_last4 == "1077"
        assert fresh.iin_hmac
        assert "850808301077" not in fresh.iin_hmac
        assert fresh.assurance_level == AssuranceLevel.IIN_VERIFIED
        stored = " ".join(str(v) for v in db.session.execute(select(User.__table__)).first())
        assert "850808301077" not in stored


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("85080830107", "exactly 12 digits"),
        ("850808301073", "check digit"),
        ("851308301071", "real date"),
        ("850808701072", "7th digit"),
    ],
)
def test_add_iin_explains_invalid_numbers(app, make_user, raw, message):
    user = make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    with app.app_context(), pytest.raises(DomainError, match=message):
        services.add_iin(_reload(user), raw)


def test_add_iin_needs_confirmed_email_and_is_unique(app, make_user):
    unconfirmed = make_user(level=AssuranceLevel.REGISTERED)
    first, second = make_user(level=AssuranceLevel.EMAIL_VERIFIED), make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    with app.app_context():
        with pytest.raises(PermissionDenied):
            services.add_iin(_reload(unconfirmed), "850808301077")
        services.add_iin(_reload(first), "850808301077")
        db.session.commit()
        with pytest.raises(Conflict, match="another account"):
            services.add_iin(_reload(second), "850808301077")


def test_one_iin_one_account_under_concurrency(app, make_user):
    """Two accounts claim the same IIN at the same moment through the web: exactly one wins."""
    users = [make_user(level=AssuranceLevel.EMAIL_VERIFIED) for _ in range(2)]
    barrier = threading.Barrier(2)
    statuses = []

    idents = {user.id: session_ident(app, user) for user in users}  # signed in before the race

    def claim(user):
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = idents[user.id]
        from tests.conftest import CivicClient

        token = CivicClient.csrf_token(client)
        barrier.wait()
        response = client.post("/account/iin", data={"iin": "021231500332", "confirm": "y", "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 400]
    with app.app_context():
        owners = db.session.scalar(select(func.count()).select_from(User).where(User.iin_last4 == "0332"))
        assert owners == 1


def test_delete_account_erases_personal_data(app, make_user):
    user = make_user(roles=["moderator"], display_name="Нұрлан")
    with app.app_context():
        fresh = _reload(user)
        with pytest.raises(DomainError):
            services.delete_account(fresh, "wrong")
        services.delete_account(fresh, DEFAULT_PASSWORD)
        db.session.commit()
        gone = _reload(user)
        assert gone.is_deleted
        assert not gone.is_active
        assert gone.display_name is None
        assert gone.iin_hmac is None
        assert gone.iin_last4 is None
        assert gone.email.endswith("@deleted.invalid")
        assert gone.public_name == "deleted user"
        assert db.session.scalar(select(func.count()).select_from(UserRole).where(UserRole.user_id == user.id)) == 0
    with app.app_context():
        # the IIN is free again: the erased account no longer holds it
        newcomer = make_user(level=AssuranceLevel.EMAIL_VERIFIED)
        services.add_iin(_reload(newcomer), valid_iin(999))


def test_assign_and_revoke_roles_are_audited(app, make_user, directory):
    admin, user = make_user(roles=["admin"]), make_user()
    with app.app_context():
        body = directory.body("KZ-ALA.ENERGY")
        with pytest.raises(DomainError, match="state body"):
            services.assign_role(_reload(user), "official", _reload(admin))
        assignment = services.assign_role(_reload(user), "official", _reload(admin), body=body)
        db.session.commit()
        assert assignment.territory.code == "KZ-ALA"
        with pytest.raises(Conflict):
            services.assign_role(_reload(user), "official", _reload(admin), body=body)
        db.session.rollback()
        with pytest.raises(PermissionDenied):
            services.assign_role(_reload(admin), "moderator", _reload(user))
        services.revoke_role(db.session.get(UserRole, assignment.id), _reload(admin))
        db.session.commit()
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions == ["identity.assign_role", "identity.revoke_role"]


def test_permissions_follow_territory_and_body_scope(app, make_user, directory):
    moderator = make_user(roles=[("moderator", "KZ-ALA")])
    official = make_user(roles=[("official", None, "KZ-ALA.ENERGY")])
    with app.test_request_context():
        almaly, astana = directory.territory("KZ-ALA-ALM"), directory.territory("KZ-AST")
        mod, off = _reload(moderator), _reload(official)
        assert off.has_permission("identity.verify_in_person")
        assert off.has_permission("identity.verify_in_person", body=directory.body("KZ-ALA.ENERGY"))
        assert not off.has_permission("identity.verify_in_person", body=directory.body("KZ-ALA.AKIMAT"))
        assert not mod.has_permission("identity.verify_in_person", territory=almaly)
        assert directory.territory("KZ-ALA").contains(almaly)
        assert not directory.territory("KZ-ALA").contains(astana)


def test_verify_in_person_checks_the_document_and_audits(app, make_user):
    admin = make_user(roles=["admin"])
    resident = make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    with app.app_context():
        with pytest.raises(DomainError, match="check digit"):
            services.verify_in_person(_reload(resident), "850808301073", _reload(admin), "Almaly CSC")
        services.verify_in_person(_reload(resident), "850808301077", _reload(admin), "Almaly CSC")
        db.session.commit()
        fresh = _reload(resident)
        assert fresh.assurance_level == AssuranceLevel.VERIFIED_IN_PERSON
        assert fresh.iin_last4 == "1077"
        with pytest.raises(DomainError, match="does not match"):
            services.verify_in_person(fresh, "021231500332", _reload(admin), "Almaly CSC")
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "identity.verify_in_person"))
        assert event.after["level"] == AssuranceLevel.VERIFIED_IN_PERSON
        assert "850808301077" not in str(event.after)


def test_unique_index_decides_when_the_friendly_check_is_raced(app, make_user, monkeypatch):
    """If another account claims the IIN between our check and our write, the constraint refuses it cleanly."""
    first, second = make_user(level=AssuranceLevel.EMAIL_VERIFIED), make_user(level=AssuranceLevel.EMAIL_VERIFIED)
    with app.app_context():
        services.add_iin(_reload(first), "850808301077")
        db.session.commit()
    monkeypatch.setattr(services, "iin_owner", lambda digest: None)  # as if the check ran before the first commit
    with app.app_context():
        late = _reload(second)
        late.display_name = "changed in the same request"
        with pytest.raises(Conflict, match="another account"):
            services.add_iin(late, "850808301077")
        db.session.commit()  # the rest of the request's work still commits
        assert _reload(second).iin_hmac is None
        assert _reload(second).display_name == "changed in the same request"
        assert _reload(second).assurance_level == AssuranceLevel.EMAIL_VERIFIED
