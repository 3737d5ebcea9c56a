"""Plain factory functions for tests (fixtures in conftest.py wrap them)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.identity import directory as directory_service
from civic.identity import iin
from civic.identity.models import AssuranceLevel, StateBody, Territory, User, UserRole
from civic.identity.passwords import hash_password

DEFAULT_PASSWORD = "correct horse battery"
#: The profile language of users made without ``locale=``: the root conftest sets it to the test's ``language``.
DEFAULT_LOCALE = "kk"
_counter = itertools.count(1)


def valid_iin(seed: int) -> str:
    """A checksum-valid synthetic IIN that differs for every seed."""
    for serial in itertools.count(seed * 7 % 10000):
        prefix = f"8508083{serial % 10000:04d}"
        check = iin.check_digit(prefix)
        if check is not None:
            return prefix + str(check)
    raise AssertionError("unreachable")


@dataclass
class Directory:
    """Codes → ids of the reference directory loaded for a test."""

    territories: dict[str, int]
    bodies: dict[str, int]
    categories: dict[str, int]

    def territory(self, code: str) -> Territory:
        return db.session.get(Territory, self.territories[code])

    def body(self, code: str) -> StateBody:
        return db.session.get(StateBody, self.bodies[code])


def load_directory(app: Flask) -> Directory:
    from civic.identity.models import Category

    with app.app_context():
        directory_service.load_reference_data()
        db.session.commit()
        return Directory(
            territories=dict(db.session.execute(select(Territory.code, Territory.id)).all()),
            bodies=dict(db.session.execute(select(StateBody.code, StateBody.id)).all()),
            categories=dict(db.session.execute(select(Category.code, Category.id)).all()),
        )


def create_user(
    app: Flask,
    *,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    level: AssuranceLevel = AssuranceLevel.IIN_VERIFIED,
    roles=(),
    home: str | None = None,
    display_name: str | None = None,
    locale: str | None = None,
    **fields,
) -> User:
    """Create and commit a user. ``roles`` holds role names or (role, territory code or None, body code or None)."""
    n = next(_counter)
    with app.app_context():
        user = User(
            email=email or f"user{n}@example.test",
            password_hash=hash_password(password),
            display_name=display_name or f"Test User {n}",
            preferred_locale=locale or DEFAULT_LOCALE,
            assurance_level=int(level),
            **fields,
        )
        if level >= AssuranceLevel.EMAIL_VERIFIED:
            user.email_verified_at = utc_now()
        if level >= AssuranceLevel.IIN_VERIFIED:
            number = valid_iin(n)
            user.iin_hmac, user.iin_last4 = iin.iin_digest(number, app.config["IIN_HMAC_KEY"]), number[-4:]
        if home:
            user.home_territory = db.session.scalar(select(Territory).where(Territory.code == home))
        db.session.add(user)
        db.session.flush()
        for spec in roles:
            role, territory_code, body_code = (spec, None, None) if isinstance(spec, str) else (*spec, None)[:3]
            body = db.session.scalar(select(StateBody).where(StateBody.code == body_code)) if body_code else None
            territory = (
                db.session.scalar(select(Territory).where(Territory.code == territory_code))
                if territory_code
                else (body.territory if body else None)
            )
            db.session.add(UserRole(user_id=user.id, role_name=role, territory=territory, state_body=body))
        db.session.commit()
        db.session.refresh(user)
        return user


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user: User) -> None:
        """Sign ``user`` in directly through the session (fast; the login form has its own tests)."""
        with self.client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True

    def login_form(self, email: str, password: str = DEFAULT_PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self) -> None:
        with self.client.session_transaction() as sess:
            sess.clear()
