"""Plain factory functions for tests (fixtures in conftest.py wrap them)."""

from __future__ import annotations

import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

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


def session_ident(app: Flask, user: User) -> str:
    """Record a server-side session for ``user`` (as a sign-in does) and return what the session cookie holds."""
    from civic.identity.login import start_session

    with app.test_request_context():
        account = db.session.get(User, user.id)
        start_session(account)
        db.session.commit()
        ident = account.get_id()
    user.session_token = account.session_token
    return ident


def wrong_statuses(client, pages, scene: dict, role: str) -> dict:
    """A permission matrix's page check: ``{path: (got, expected)}`` for every ``(template, rule)`` in ``pages`` whose
    GET status differs from ``rule(role)``; ``{}`` when all are right."""
    wrong = {}
    for template, rule in pages:
        path = template.format(**scene)
        status = client.get(path).status_code
        if status != rule(role):
            wrong[path] = (status, rule(role))
    return wrong


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user: User) -> None:
        """Sign ``user`` in directly through the session (fast; the login form has its own tests)."""
        with self.client.session_transaction() as sess:
            sess["_user_id"] = session_ident(self.client.application, user)
            sess["_fresh"] = True

    def login_as(self, cast, role: str) -> None:
        """Sign in the member of ``cast`` named ``role`` (a permission matrix's row); "anonymous" stays signed out."""
        if role != "anonymous":
            self.login(getattr(cast, role))

    def login_form(self, email: str, password: str = DEFAULT_PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self) -> None:
        with self.client.session_transaction() as sess:
            sess.clear()


def user(u: User) -> User:
    """The live copy of a (detached) user in the current session: services want objects of their own session."""
    return db.session.get(User, u.id)


def by_code(model, code: str):
    """A directory row (``Territory``, ``StateBody``, ``Category``) by its code, in the current session."""
    return db.session.scalar(select(model).where(model.code == code))


@contextmanager
def app_without(app: Flask, monkeypatch, module: str):
    """A second app on the same database with ``module`` switched off (removed from ``civic.modules.MODULES``) and
    the same settings (extensions such as the rate limiter are shared objects that ``init_app`` reconfigures)."""
    from civic import create_app, modules

    monkeypatch.setattr(modules, "MODULES", tuple(m for m in modules.MODULES if m != module))
    keys = (
        "TESTING",
        "DATABASE_URL",
        "SECRET_KEY",
        "IIN_HMAC_KEY",
        "SECURE_COOKIES",
        "PASSWORD_HASHER",
        "MAIL_SERVER",
        "MAIL_OUTBOX",
        "PUBLIC_BASE_URL",
        "RATELIMIT_ENABLED",
        "SERVER_NAME",
    )
    other = None
    try:
        other = create_app({key: app.config[key] for key in keys})
        yield other
    finally:  # even when create_app fails half-way: later tests must find the session on the suite's engine
        db.session.remove()
        if other is not None:
            other.extensions["civic_engine"].dispose()
        db.session.configure(bind=app.extensions["civic_engine"])


class World:
    """The base of every package's test builder (``world``, ``contests``, ``councils``, ``initiatives``...).

    It holds what they all repeat: the app, the package's cast of users (made with ``make_user``: roles and
    assurance levels in territories, profile language = the test's ``language``), the reference directory, running
    service code in an app context of its own that commits (``run``, ``committing``), reading a row back detached
    (``load``), and moving time (``shift``). A package builder subclasses it and adds only its module's objects;
    every method returns ids or detached objects, never live ones."""

    def __init__(self, app: Flask, cast=None, *, make_user=None, directory: Directory | None = None):
        self.app, self.cast, self.make_user, self.directory = app, cast, make_user, directory

    @contextmanager
    def committing(self):
        """An app context of its own whose work is committed at the end (as a view's request would be)."""
        with self.app.app_context():
            yield
            db.session.commit()

    def run(self, fn, *args, **kwargs):
        """Call ``fn(*args, **kwargs)`` (a service) in an app context of its own and commit; returns its result."""
        with self.committing():
            return fn(*args, **kwargs)

    def load(self, model, row_id: int):
        """A detached copy of one row, to read its columns after the app context is gone."""
        with self.app.app_context():
            row = db.session.get(model, row_id)
            db.session.expunge(row)
            return row

    def shift(self, model, row_id: int, **deltas: timedelta) -> None:
        """Move time for one row: each named column becomes now + its delta (``shift(Meeting, id, starts_at=-1h)``)."""
        with self.committing():
            row = db.session.get(model, row_id)
            for column, delta in deltas.items():
                setattr(row, column, utc_now() + delta)

    user = staticmethod(user)
    by_code = staticmethod(by_code)


# Browser tests (Playwright ``page`` fixture in tests/conftest.py)


def browser_login(page, person: User, lands_on: str | None = None, *, clear_cookies: bool = False) -> None:
    """Sign ``person`` in through the login form of the live server (the limiter is reset first: one address signs
    in many times in a journey, and the login limit is not what those tests are about). ``clear_cookies`` drops the
    previous person's session first instead of signing them out."""
    from civic.extensions import limiter

    limiter.reset()
    if clear_cookies:
        page.context.clear_cookies()
    page.goto("/login")
    page.fill("#email", person.email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # each lands on their work (civic.identity.landing)
    if lands_on:
        assert re.search(lands_on + r"$", page.url.split("?")[0]), page.url


def browser_session(page, app: Flask, person: User) -> None:
    """Switch the tab to ``person`` with a signed session cookie (what a successful sign-in sets): faster than the
    form when signing in is not what the test is about."""
    serializer = app.session_interface.get_signing_serializer(app)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": app.config["SESSION_COOKIE_NAME"],
                "url": page.base_url,
                "value": serializer.dumps({"_user_id": session_ident(app, person), "_fresh": True}),
            }
        ]
    )


def browser_logout(page) -> None:
    page.click("form[action='/logout'] button")
    page.wait_for_load_state()


def local_input(days: float) -> str:
    """The value of a ``datetime-local`` input ``days`` from now, in the platform's time zone (Asia/Almaty)."""
    from civic.core.forms import to_local

    return to_local(utc_now() + timedelta(days=days), "Asia/Almaty").strftime("%Y-%m-%dT%H:%M")
