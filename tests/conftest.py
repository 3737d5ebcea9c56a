"""Shared fixtures: one app per test session, a clean database for every test, a CSRF-carrying client, factories.

The database is SQLite by default. With CIVIC_TEST_DB=postgres the suite runs on a fresh PostgreSQL database
created from CIVIC_TEST_POSTGRES_URL for the run and dropped at its end. The schema is built by the Alembic
migrations, never by create_all.

Tests must not hold an app context open while they use the client (Flask would reuse it for the requests):
use ``with app.app_context():`` around direct database work, as the factories do.

Language: one fixture decides it. ``language`` (default: the app's default, Kazakh) is applied to everything that
picks a language in a test by the autouse ``_language`` fixture: ``BABEL_DEFAULT_LOCALE`` (messages made outside a
request, and requests of the test client that carry no choice of their own), the profile language of users made by
``make_user`` and ``World``, and the Playwright page (``Accept-Language`` and ``navigator.language``). A package whose
assertions read English overrides it in its conftest (``@pytest.fixture def language(): return "en"``); a test runs in
several languages with ``@pytest.mark.parametrize("language", ["kk", "en"])``. Tests *about* the choice of language
(cookie, Accept-Language, profile) set those explicitly, and they still win, as in production. ``force_locale`` is
kept only where one test renders in several languages on purpose.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import uuid
from pathlib import Path

import pytest
from flask import session as flask_session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from civic import create_app, db
from civic.identity.permissions import sync_roles
from tests import factories

TEST_DB = os.environ.get("CIVIC_TEST_DB", "sqlite")


def pytest_report_header(config):
    return f"civic test database: {TEST_DB}"


def pytest_collection_modifyitems(config, items):
    """On the PostgreSQL pass, run only the tests that touch the database."""
    if TEST_DB != "postgres":
        return
    keep = [item for item in items if "app" in getattr(item, "fixturenames", ())]
    deselected = [item for item in items if item not in keep]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = keep


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DB == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'civic-test.sqlite3'}"
        return
    admin_url = os.environ.get("CIVIC_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.exit("CIVIC_TEST_DB=postgres needs CIVIC_TEST_POSTGRES_URL", returncode=2)
    admin_url = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"civic_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    db.session.remove()
    from civic.db import session as scoped

    bind = scoped.get_bind() if scoped.registry.has() else None
    if bind is not None:
        bind.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    outbox = tmp_path_factory.mktemp("outbox")
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "IIN_HMAC_KEY": "test-iin-key",
            "SECURE_COOKIES": False,
            "PASSWORD_HASHER": "fast",
            "MAIL_SERVER": None,
            "MAIL_OUTBOX": str(outbox),
            "RATELIMIT_ENABLED": True,
            "PUBLIC_BASE_URL": "http://localhost",
            "API_CACHE_SECONDS": 0,  # tests change data between requests; test_open_data turns it on
            "SERVER_NAME": None,
        }
    )
    with application.app_context():
        from alembic import command

        from civic.cli import alembic_config

        cfg = alembic_config()
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "head")
    application.extensions["civic_engine"].dispose()
    yield application
    application.extensions["civic_engine"].dispose()


def _wipe(app) -> None:
    from civic.db import Base

    engine = app.extensions["civic_engine"]
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            _wipe_postgres(conn, tables)
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text("DELETE FROM sqlite_sequence")) if _has_sqlite_sequence(conn) else None


def _wipe_postgres(conn, tables: list[str]) -> None:
    """Empty the tables a test wrote and restart the sequences it used.

    ``TRUNCATE`` of every table writes new files for each table and index, about a second per test on this disk;
    most tests touch a handful of tables. Foreign-key triggers are off while the written tables are emptied (every
    row of them goes, so nothing dangles), which spares ordering the deletes around cycles; that needs a superuser,
    as the test server's ``postgres`` is."""
    filled = conn.execute(text("SELECT " + ", ".join(f'EXISTS (SELECT 1 FROM "{t}")' for t in tables))).one()
    written = [table for table, has_rows in zip(tables, filled, strict=True) if has_rows]
    if written:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in written:
            conn.execute(text(f'DELETE FROM "{table}"'))
    conn.execute(
        text(
            "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) FROM pg_sequences "
            "WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
    )


def _has_sqlite_sequence(conn) -> bool:
    return conn.execute(text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


@pytest.fixture(autouse=True)
def _fresh_database(request):
    """Give every database test empty tables (plus the role grants), a clean outbox and reset rate limits."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    _wipe(app)
    outbox = Path(app.config["MAIL_OUTBOX"])
    shutil.rmtree(outbox, ignore_errors=True)
    outbox.mkdir(parents=True, exist_ok=True)
    from civic.extensions import limiter

    limiter.reset()
    with app.app_context():
        sync_roles()
        db.session.commit()
    yield
    db.session.remove()


@pytest.fixture
def language() -> str:
    """The language a test reads: override it in a package conftest or parametrize it (see the module docstring)."""
    return "kk"


@pytest.fixture(autouse=True)
def _language(request, language, monkeypatch):
    """Apply ``language`` to the app: messages outside a request and requests without a choice of their own."""
    if "app" in request.fixturenames:
        monkeypatch.setitem(request.getfixturevalue("app").config, "BABEL_DEFAULT_LOCALE", language)
    monkeypatch.setattr(factories, "DEFAULT_LOCALE", language)


class CivicClient(FlaskClient):
    """A test client that adds the session's CSRF token to form posts, as a browser with the page open would."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.get("csrf_token")
        with self.application.test_request_context():
            if raw:
                flask_session["csrf_token"] = raw
            token = generate_csrf()
            raw = flask_session["csrf_token"]
        with self.session_transaction() as sess:
            sess["csrf_token"] = raw
        return token

    def open(self, *args, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        data = kwargs.get("data")
        if method in ("POST", "PUT", "PATCH", "DELETE") and kwargs.pop("csrf", True) and "json" not in kwargs:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        else:
            kwargs.pop("csrf", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = CivicClient
    return app.test_client()


@pytest.fixture
def plain_client(app):
    app.test_client_class = FlaskClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def directory(app):
    """Load the real reference directory (territories, categories, state bodies); returns a code lookup."""
    return factories.load_directory(app)


@pytest.fixture
def make_user(app):
    """Factory: ``make_user(level=..., roles=[...], home="KZ-ALA-ALM", **fields)`` → a committed, detached User."""

    def _make(**kwargs):
        return factories.create_user(app, **kwargs)

    return _make


@pytest.fixture
def auth(client):
    """Sign users in and out of ``client``."""
    return factories.AuthActions(client)


@pytest.fixture
def outbox(app):
    """The messages written to the outbox so far, oldest first, as email.message.Message objects."""

    def _read():
        folder = Path(app.config["MAIL_OUTBOX"])
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))
        ]

    return _read


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def _chromium():
    if CHROMIUM is None:
        pytest.skip("Debian's Chromium is not installed: run `apt-get install -y chromium` (as .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_IMPACTS = ("serious", "critical")


def assert_accessible(tab) -> None:
    """Run axe-core (npm, ``make install-test``) on the tab's page: no serious or critical violation.

    The ``page`` fixture calls it after every ``page.goto`` and at the end of each browser test; call it yourself
    after a click that changes the page in place."""
    if not AXE_SCRIPT.exists():
        pytest.fail("axe-core is not installed: run `make install-test` (npm ci) first")
    if tab.is_closed() or not tab.url.startswith("http"):
        return
    tab.wait_for_load_state("load")
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        # the page's CSP allows only same-origin scripts: Playwright's add_script_tag would be blocked, so evaluate it
        tab.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
    result = tab.evaluate(
        """async () => {
            const r = await window.axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    bad = [v for v in result if v["impact"] in AXE_IMPACTS]
    assert not bad, f"axe-core on {tab.url}:\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in bad
    )


@pytest.fixture
def page(_chromium, live_server, language):
    """A fresh browser tab (its own cookies) with ``page.base_url`` set to the live server, asking for ``language``.

    Every ``goto`` is followed by an axe-core check (``assert_accessible``), and so is the end of the test."""
    context = _chromium.new_context(locale=f"{language}-KZ", base_url=live_server)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    tab.base_url = live_server
    goto = tab.goto

    def checked_goto(*args, **kwargs):
        response = goto(*args, **kwargs)
        assert_accessible(tab)
        return response

    tab.goto = checked_goto
    tab.assert_accessible = lambda: assert_accessible(tab)
    yield tab
    try:
        assert_accessible(tab)
    finally:
        context.close()
