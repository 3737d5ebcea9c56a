"""Behind a reverse proxy: client addresses, readiness, request ids, JSON logs, Cache-Control."""

from __future__ import annotations

import json
import logging

import pytest

from civic.core import serving


@pytest.fixture
def behind_one_proxy(app):
    original, count = app.wsgi_app, app.config["PROXY_COUNT"]
    app.config["PROXY_COUNT"] = 1
    serving.apply_proxy_fix(app)
    yield
    app.wsgi_app, app.config["PROXY_COUNT"] = original, count


def _login_attempts(client, address: str, n: int) -> list[int]:
    return [
        client.post(
            "/login",
            data={"email": f"nobody{i}@example.kz", "password": "wrong password"},
            headers={"X-Forwarded-For": address},
        ).status_code
        for i in range(n)
    ]


def test_without_proxies_forwarded_for_is_ignored(client):
    """PROXY_COUNT=0 (default): a forged X-Forwarded-For does not give a client a fresh rate-limit bucket."""
    assert 429 not in _login_attempts(client, "203.0.113.1", 10)
    assert _login_attempts(client, "203.0.113.2", 1) == [429]


def test_behind_a_proxy_limits_count_each_client(client, behind_one_proxy):
    """PROXY_COUNT=1: the address nginx saw is the client's, so one client's limit does not block another."""
    assert 429 not in _login_attempts(client, "203.0.113.1", 10)
    assert _login_attempts(client, "203.0.113.1", 1) == [429]
    assert _login_attempts(client, "203.0.113.2", 1) != [429]


def test_proxy_fix_takes_the_scheme_and_address_from_the_proxy(client, behind_one_proxy, app):
    seen = {}
    inner = app.wsgi_app.app  # ProxyFix's wrapped app

    def capture(environ, start_response):
        seen.update(scheme=environ["wsgi.url_scheme"], remote=environ["REMOTE_ADDR"])
        return inner(environ, start_response)

    app.wsgi_app.app = capture
    client.get("/healthz", headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"})
    assert seen == {"scheme": "https", "remote": "198.51.100.7"}


def test_readiness_reports_database_and_redis(client, app):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "not configured"
    assert response.headers["Cache-Control"] == "no-store"


def test_readiness_is_503_with_details_when_redis_is_down(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"] == {"status": "error", "error": "ConnectionError"}


def test_readiness_is_503_when_the_database_fails(client, app, monkeypatch):
    from civic import db

    def broken(*_args, **_kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == {"status": "error", "error": "RuntimeError"}


def test_health_stays_plain(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_request_id_is_generated_or_taken_from_the_proxy(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != generated
    given = "nginx-5f2c9a1b7e3d"
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
    forged = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"}).headers["X-Request-ID"]
    assert forged != "bad id"
    assert len(forged) == 32


def test_logs_are_json_lines_with_the_request_id(client, app):
    handler = next(h for h in logging.getLogger("civic").handlers if h.get_name() == "civic-structured")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    keep = Keep()
    keep.addFilter(serving.RequestIdFilter())
    logging.getLogger("civic").addHandler(keep)
    try:
        client.get("/petitions/?token=secret-token", headers={"X-Request-ID": "req-abcdef123456"})
    finally:
        logging.getLogger("civic").removeHandler(keep)
    lines = [json.loads(handler.format(r)) for r in records if r.name == "civic.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "req-abcdef123456"
    assert line["message"] == "request"
    assert line["http"]["method"] == "GET"
    assert line["http"]["path"] == "/petitions/"
    assert line["http"]["status"] == 200
    assert "secret-token" not in json.dumps(line)


def test_anonymous_public_pages_are_cacheable(plain_client):
    response = plain_client.get("/petitions/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public, max-age=60")
    assert "Set-Cookie" not in response.headers
    assert "Cookie" in response.headers["Vary"]
    home = plain_client.get("/")
    assert home.headers["Cache-Control"].startswith("public, max-age=")


def test_signed_in_pages_are_private(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/petitions/")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_pages_with_a_session_cookie_are_private(plain_client):
    """A page that puts a CSRF token in the session (a form) must never be shared by a cache."""
    login_page = plain_client.get("/login")
    assert login_page.headers["Cache-Control"] == "private, no-store"
    # the browser now holds the session cookie: even public pages are private to it
    assert plain_client.get("/petitions/").headers["Cache-Control"] == "private, no-store"


def test_errors_are_not_cached_publicly(plain_client):
    response = plain_client.get("/petitions/999999")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-cache"


def test_visitors_switch_language_without_a_session(plain_client):
    response = plain_client.post("/language", data={"language": "ru", "next": "/petitions/"})
    assert response.status_code == 302
    assert "civic_lang=ru" in response.headers.get("Set-Cookie", "")


def test_accounts_still_need_the_csrf_token_to_switch_language(plain_client, app, make_user):
    from civic import db
    from civic.identity.models import User

    user = make_user()
    with plain_client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
    plain_client.post("/language", data={"language": "ru", "next": "/"})  # no csrf_token
    with app.app_context():
        assert db.session.get(User, user.id).preferred_locale != "ru"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, "memory://"),
        ({"REDIS_URL": "redis://r:6379/0"}, "redis://r:6379/0"),
        ({"REDIS_URL": "redis://r:6379/0", "RATELIMIT_STORAGE_URI": "redis://r:6379/3"}, "redis://r:6379/3"),
    ],
)
def test_rate_limits_use_redis_when_configured(given, expected, tmp_path):
    from civic import config

    values = {**{k: v for k, v in vars(config.DefaultConfig).items() if k.isupper()}, "SECRET_KEY": "x"}
    values.update(config.from_environment({f"CIVIC_{k}": v for k, v in given.items()}))
    config.finalise(values, tmp_path)
    assert values["RATELIMIT_STORAGE_URI"] == expected


def test_proxy_count_comes_from_the_environment():
    from civic import config

    assert config.from_environment({"CIVIC_PROXY_COUNT": "1"}) == {"PROXY_COUNT": 1}


def test_values_no_column_can_hold_answer_400_not_500(client, app, auth, make_user):
    """A 30-digit id in a form reaches the database on some paths; the answer is 400 and nothing is written."""
    auth.login(make_user(roles=["admin"]))
    response = client.post("/petitions/admin/categories", data={"category_id": "9" * 30})
    assert response.status_code in (400, 404)
    from werkzeug.exceptions import NotFound

    from civic.core.http import get_or_404
    from civic.identity.models import User

    with app.test_request_context(), pytest.raises(NotFound):
        get_or_404(User, 2**40)


def test_a_database_data_error_is_a_400(client, app, monkeypatch):
    from sqlalchemy.exc import DataError

    def broken():
        raise DataError("INSERT", {}, Exception("integer out of range"))

    monkeypatch.setitem(app.view_functions, "core.health", broken)
    assert client.get("/healthz").status_code == 400


def test_views_that_limit_themselves_skip_flask_limiters_check(app, client, monkeypatch):
    """Voting and signing carry their limits in their own SQL (``limited_in_view``): Flask-Limiter's per-request
    lookup is skipped for them, and still runs for every other view."""
    from flask import request
    from flask_limiter import Limiter

    checked = []
    original = Limiter.identify_request

    def identify(self):
        checked.append(request.endpoint)
        return original(self)

    monkeypatch.setattr(Limiter, "identify_request", identify)
    client.post("/contests/1/entries/1/vote")
    client.post("/petitions/1/sign")
    login = client.post("/login", data={"email": "nobody@example.kz", "password": "wrong password"})
    assert "identity.login" in checked
    assert not {"contests.vote", "petitions.sign"} & set(checked)
    assert login.headers["X-RateLimit-Remaining"].isdigit()  # the headers still come after the check
    from civic.extensions import limiter

    unwrapped = Limiter._Limiter__inject_headers
    assert not [f for f in app.after_request_funcs[None] if getattr(f, "func", None) is unwrapped]
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    assert limiter._Limiter__release_context not in app.teardown_request_funcs[None]


def test_the_session_serializer_is_built_once_per_key(app, client):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    client.get("/language/en", headers={"Referer": "/"})
    assert interface.get_signing_serializer(app) is first


def test_a_new_secret_key_signs_with_the_new_key_and_reads_old_cookies(app, client, monkeypatch):
    """Rotating keys: sessions signed with the old key stay valid through SECRET_KEY_FALLBACKS."""
    with client.session_transaction() as session:
        session["probe"] = "kept"
    old_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    monkeypatch.setattr(app, "secret_key", "rotated-secret-key")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", ["test-secret-key"])
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer.loads(old_cookie) == {"probe": "kept"}
    assert serializer.loads(serializer.dumps({"probe": "new"})) == {"probe": "new"}
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [])
    assert app.session_interface.get_signing_serializer(app) is not serializer
