"""Finding 5 (low): five wrong passwords from one address lock that address out of the account, not its owner;
the account alone locks later (many failures from many addresses) and for less time."""

import pytest

from civic import db
from civic.db import utc_now
from civic.identity import services
from civic.identity.models import User
from tests.factories import DEFAULT_PASSWORD


def _login(client, email, password, address):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_overrides={"REMOTE_ADDR": address}
    )


def test_a_stranger_cannot_lock_the_owner_out(app, client, make_user):
    user = make_user(email="owner@example.test")
    for _ in range(app.config["LOGIN_LOCKOUT_THRESHOLD"]):
        assert _login(client, user.email, "wrong guess", "203.0.113.9").status_code == 400
    # the attacker's address is locked now, even with the right password ...
    with app.app_context():
        with pytest.raises(services.LoginFailed):
            services.authenticate(user.email, DEFAULT_PASSWORD, address="203.0.113.9")
        db.session.rollback()
    # ... but the owner, elsewhere, signs in
    owner = app.test_client_class(app)
    assert _login(owner, user.email, DEFAULT_PASSWORD, "198.51.100.7").status_code == 302


def test_the_account_alone_locks_after_many_failures_from_many_addresses(app, make_user):
    user = make_user(email="target@example.test")
    threshold = app.config["LOGIN_ACCOUNT_LOCKOUT_THRESHOLD"]
    assert threshold > app.config["LOGIN_LOCKOUT_THRESHOLD"]
    with app.app_context():
        for n in range(threshold):
            with pytest.raises(services.LoginFailed):
                services.authenticate(user.email, "wrong", address=f"10.0.{n // 200}.{n % 200}")
            db.session.commit()
        with pytest.raises(services.LoginFailed):
            services.authenticate(user.email, DEFAULT_PASSWORD, address="192.0.2.1")
        db.session.rollback()
        locked = db.session.get(User, user.id).locked_until
        assert locked is not None
        minutes = (locked - utc_now()).total_seconds() / 60
        assert 0 < minutes <= app.config["LOGIN_ACCOUNT_LOCKOUT_MINUTES"]
