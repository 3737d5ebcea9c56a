"""Two app instances (two gunicorn servers) on one PostgreSQL database and one Redis: a login on A holds on B,
rate limits count requests to both, and signing limits (SQL) hold across them. Skips only when PostgreSQL or Redis
is not reachable (CI has both)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from _common import PYTHON, Server, base_env, temporary_database  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "correct horse battery"
SEED = r"""
import json, sys
sys.path[:0] = ["bench", "."]
from sign import seed
from _common import make_app
url = sys.argv[1]
petition_id, signers = seed(url, 3)
app = make_app(url)
with app.app_context():
    from civic import db
    from civic.identity.models import User
    from civic.identity.passwords import hash_password
    emails = []
    for uid in signers:
        user = db.session.get(User, uid)
        user.password_hash = hash_password(sys.argv[2])
        emails.append(user.email)
    db.session.commit()
app.extensions["civic_engine"].dispose()
print(json.dumps({"petition": petition_id, "signers": signers, "emails": emails}))
"""


def _reachable() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return "Redis is not reachable at 127.0.0.1:6379"
    try:
        import psycopg

        url = os.environ.get("CIVIC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        psycopg.connect(url, connect_timeout=2).close()
    except Exception:
        return "PostgreSQL is not reachable"
    return None


@pytest.fixture(scope="module")
def two_instances():
    reason = _reachable()
    if reason:
        pytest.skip(reason)
    if "CIVIC_TEST_POSTGRES_URL" in os.environ:
        os.environ.setdefault("CIVIC_BENCH_POSTGRES_URL", os.environ["CIVIC_TEST_POSTGRES_URL"])
    prefix = f"civic-two-{uuid.uuid4().hex[:8]}"
    with temporary_database("postgres") as url:
        subprocess.run(
            [PYTHON, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=base_env(url),
            check=True,
            capture_output=True,
        )
        seeded = subprocess.run(
            [PYTHON, "-c", SEED, url, PASSWORD], cwd=ROOT, env=base_env(url), check=True, capture_output=True, text=True
        )
        world = json.loads(seeded.stdout.strip().splitlines()[-1])
        env = base_env(
            url,
            {
                "REDIS_URL": REDIS_URL,
                "RATELIMIT_KEY_PREFIX": prefix,
                "JOBS_QUEUE": prefix,
                "PASSWORD_HASHER": "fast",
                "PETITIONS_SIGN_LIMIT_PER_IP": "2 per minute",
                "LOG_LEVEL": "WARNING",
            },
        )
        servers = [Server("_common:civic_app()", env, workers=1) for _ in range(2)]
        try:
            for server in servers:
                server.wait_ready()
            world["urls"] = [f"http://127.0.0.1:{server.port}" for server in servers]
            yield world
        finally:
            for server in servers:
                server.stop()
            import redis

            connection = redis.Redis.from_url(REDIS_URL)
            for key in connection.scan_iter(f"*{prefix}*"):
                connection.delete(key)


def _browser(address: str):
    """A requests session whose connections come from ``address`` (any 127.x.y.z is this machine), so each test
    has rate-limit buckets of its own."""
    import requests
    from requests.adapters import HTTPAdapter

    class FromAddress(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (address, 0)
            return super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.mount("http://", FromAddress())
    return session


def _token(session, url: str) -> str:
    page = session.get(url)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def _login(session, base: str, email: str):
    token = _token(session, f"{base}/login")
    return session.post(
        f"{base}/login", data={"csrf_token": token, "email": email, "password": PASSWORD}, allow_redirects=False
    )


def test_a_login_on_one_instance_holds_on_the_other(two_instances):
    a, b = two_instances["urls"]
    email = two_instances["emails"][0]
    with _browser("127.0.2.1") as browser:
        assert browser.get(f"{b}/account", allow_redirects=False).status_code == 302  # not signed in yet
        response = _login(browser, a, email)
        assert response.status_code in (302, 303), response.text[:300]
        on_b = browser.get(f"{b}/account", allow_redirects=False)
        assert on_b.status_code == 200
        assert email in on_b.text


def test_rate_limits_count_requests_to_both_instances(two_instances):
    """The login form allows 10 attempts a minute per address: 10 spread over A and B, and the 11th is refused."""
    a, b = two_instances["urls"]
    with _browser("127.0.2.2") as browser:
        token = _token(browser, f"{a}/login")
        statuses = []
        for i in range(11):
            base = (a, b)[i % 2]
            statuses.append(
                browser.post(
                    f"{base}/login",
                    data={"csrf_token": token, "email": f"nobody{i}@example.kz", "password": "wrong password"},
                    allow_redirects=False,
                ).status_code
            )
    assert 429 not in statuses[:10], statuses
    assert statuses[10] == 429, statuses


def test_signing_limits_hold_across_instances(two_instances):
    """One signature per person whichever instance is asked, and the per-address limit (2 a minute here) counts both."""
    a, b = two_instances["urls"]
    pid = two_instances["petition"]
    results = []
    for n, email in enumerate(two_instances["emails"]):
        with _browser("127.0.2.3") as browser:
            base = (a, b)[n % 2]
            other = (b, a)[n % 2]
            assert _login(browser, base, email).status_code in (302, 303)
            token = _token(browser, f"{base}/petitions/{pid}")
            headers = {"Accept": "application/json"}
            first = browser.post(f"{base}/petitions/{pid}/sign", data={"csrf_token": token}, headers=headers)
            again = browser.post(f"{other}/petitions/{pid}/sign", data={"csrf_token": token}, headers=headers)
            results.append((first.status_code, again.status_code))
    assert results[0] == (201, 409)  # signed on A; B knows it
    assert results[1] == (201, 409)  # signed on B; A knows it
    assert results[2][0] == 429  # the third signature from this address within a minute, wherever it lands
