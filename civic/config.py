"""Configuration: safe defaults, overridden by CIVIC_* environment variables, then by explicit overrides."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("kk", "ru", "en")
#: Where links in mail sent outside a request (CLI, cron) point when PUBLIC_BASE_URL is not set: `make run`'s address.
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:5000"


class DefaultConfig:
    DATABASE_URL: str | None = None  # default: SQLite file under instance/
    SECRET_KEY: str | None = None  # default: generated once into instance/secret_key
    IIN_HMAC_KEY: str | None = None  # default: generated once into instance/iin_key
    DELPHI_PSEUDONYM_KEY: str | None = None  # Delphi pseudonym secret; default: generated once into instance/delphi_key
    REDIS_URL: str | None = None

    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Civic <no-reply@civic.local>"
    MAIL_OUTBOX: str | None = None  # default: instance/outbox

    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "civic" / "translations")

    SECURE_COOKIES = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the (12 h) session: long petitions are not lost

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"
    #: Per client address, across every open-data endpoint (429 with Retry-After beyond it).
    API_RATE_LIMIT = "600 per minute"
    #: Each worker answers a repeated API request from memory for this long (0: never); see civic.core.opendata.
    API_CACHE_SECONDS = 5
    #: Where table change versions live, for 304s without a page build (civic.core.changes): "redis", "memory"
    #: (one process only: tests, the development server) or "off". Unset: "redis" when REDIS_URL is set, else "off".
    API_CHANGE_STORE: str | None = None
    #: Lifetime (seconds) of a page's validator entry: bounds a stale 304 after writes the app cannot see.
    API_CHANGE_TTL = 3600
    API_CHANGE_KEY_PREFIX = "civic:api:"

    PASSWORD_HASHER = "default"  # "fast" only in tests
    EMAIL_TOKEN_MAX_AGE = 60 * 60 * 24 * 2  # verification links: 48 h
    RESET_TOKEN_MAX_AGE = 60 * 30  # password reset links: 30 min
    # EDS (national digital signature) level, civic/identity/eds.py: PEM/DER files or folders, comma-separated.
    EDS_TRUST_STORE: str | None = None  # the national CA's root certificates (unset: EDS linking is off)
    EDS_CRL_PATHS: str | None = None  # CRLs fetched from the CA's distribution points by cron
    EDS_REQUIRE_CRL = True  # no current CRL for an issuer: refuse ("status unknown")
    EDS_CHALLENGE_MAX_AGE = 600  # seconds
    LOGIN_LOCKOUT_THRESHOLD = 5  # wrong passwords for one account from one address ...
    LOGIN_LOCKOUT_MINUTES = 15  # ... lock that address out of the account this long
    LOGIN_ACCOUNT_LOCKOUT_THRESHOLD = 30  # wrong passwords from any addresses lock the account itself ...
    LOGIN_ACCOUNT_LOCKOUT_MINUTES = 5  # ... this long (shorter: anyone can cause it)
    # Links in mail. Unset: the address the request was served on (http://host:port/ as the browser asked for it),
    # and DEFAULT_PUBLIC_BASE_URL outside requests. Set it in production: it also stops the Host header of a request
    # from choosing the links in the mail that request sends.
    PUBLIC_BASE_URL: str | None = None
    TESTING = False

    # Deployment (civic.core.serving, docs/operations.md)
    PROXY_COUNT = 0  # reverse proxies in front that set X-Forwarded-For/-Proto/-Host (nginx: 1)
    LOG_FORMAT = "json"  # or "text"
    LOG_LEVEL = "INFO"
    CACHE_PUBLIC_MAX_AGE = 60  # seconds anonymous public pages may be cached
    RATELIMIT_STORAGE_URI: str | None = None  # default: REDIS_URL, else per-process memory
    JOBS_QUEUE = "civic"  # the RQ queue name (civic.core.jobs)
    JOBS_RETRIES = 3  # attempts after the first before a job goes to the failed-jobs list
    JOBS_RETRY_INTERVALS = "30,300,1800"  # seconds before each retry (needs a worker with the scheduler)
    JOBS_RUN_SYNC = False  # tests: run queued jobs at once in the enqueuing process (RQ is_async=False)

    # Public councils (civic.councils): defaults of a new council; each council may change its own
    COUNCILS_NOTICE_DAYS = 7  # public notice of a meeting at least this many days ahead
    COUNCILS_QUORUM_PERCENT = 50  # quorum: more than this percent of the sitting members present
    COUNCILS_EXPERT_HOURS = 20  # an invited expert's subscription, hours per year

    # Dashboards (civic.dashboards.onchange, docs/dashboards.md): refresh a module's figures after its writes too
    DASHBOARDS_REFRESH_ON_CHANGE: str | None = None  # unset: on with Redis (a worker refreshes), off without
    DASHBOARDS_REFRESH_DEBOUNCE = 60  # seconds: at most one on-change refresh per measure in this window


ENV_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "IIN_HMAC_KEY",
    "DELPHI_PSEUDONYM_KEY",
    "DELPHI_PSEUDONYM_KEY_LEGACY",
    "REDIS_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "MAIL_OUTBOX",
    "SECURE_COOKIES",
    "RATELIMIT_ENABLED",
    "PUBLIC_BASE_URL",
    "API_RATE_LIMIT",
    "API_CACHE_SECONDS",
    "API_CHANGE_STORE",
    "API_CHANGE_TTL",
    "API_CHANGE_KEY_PREFIX",
    "OPENDATA_DUMP_DIR",
    "PROXY_COUNT",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "CACHE_PUBLIC_MAX_AGE",
    "RATELIMIT_STORAGE_URI",
    "JOBS_QUEUE",
    "JOBS_RETRIES",
    "JOBS_RETRY_INTERVALS",
    "EDS_TRUST_STORE",
    "EDS_CRL_PATHS",
    "COUNCILS_NOTICE_DAYS",
    "COUNCILS_QUORUM_PERCENT",
    "COUNCILS_EXPERT_HOURS",
    "DASHBOARDS_REFRESH_ON_CHANGE",
    "DASHBOARDS_REFRESH_DEBOUNCE",
)


def _coerce(raw: str, current):
    if isinstance(current, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(current, int):
        return int(raw)
    return raw


def from_environment(environ=os.environ) -> dict:
    """Read the documented variables, with or without the CIVIC_ prefix (the prefixed one wins)."""
    found = {}
    for key in ENV_KEYS:
        raw = environ.get(f"CIVIC_{key}", environ.get(key))
        if raw not in (None, ""):
            found[key] = _coerce(raw, getattr(DefaultConfig, key, None))
    return found


def instance_secret(instance_path: Path, name: str) -> str:
    """Return a random secret kept in instance/<name>, creating it (mode 0600) on first use."""
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def finalise(config: dict, instance_path: Path) -> None:
    """Fill the defaults that depend on the instance folder."""
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance_path / 'civic.sqlite3'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret(instance_path, "secret_key")
    if not config.get("IIN_HMAC_KEY"):
        config["IIN_HMAC_KEY"] = instance_secret(instance_path, "iin_key")
    # Delphi pseudonyms have their own key, never SECRET_KEY (security review finding 3). Rounds opened before that
    # (pseudonym_scheme 1) were keyed with the configured key or else SECRET_KEY: kept for them only.
    config.setdefault("DELPHI_PSEUDONYM_KEY_LEGACY", config.get("DELPHI_PSEUDONYM_KEY") or config["SECRET_KEY"])
    if not config.get("DELPHI_PSEUDONYM_KEY"):
        config["DELPHI_PSEUDONYM_KEY"] = instance_secret(instance_path, "delphi_key")
    if not config.get("MAIL_OUTBOX"):
        config["MAIL_OUTBOX"] = str(instance_path / "outbox")
    config["PUBLIC_BASE_URL_FROM_REQUEST"] = not config.get("PUBLIC_BASE_URL")
    if not config.get("PUBLIC_BASE_URL"):
        config["PUBLIC_BASE_URL"] = DEFAULT_PUBLIC_BASE_URL
    secure = config["SECURE_COOKIES"]
    config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = secure
    config["SESSION_COOKIE_NAME"] = "__Host-civic" if secure else "civic_session"
    config["RATELIMIT_STORAGE_URI"] = config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"
