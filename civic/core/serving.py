"""Running behind a reverse proxy: client address (ProxyFix), request ids, JSON logs, Cache-Control on public pages.

- ``PROXY_COUNT`` (env ``CIVIC_PROXY_COUNT``, default 0): how many proxies in front of the app set ``X-Forwarded-*``.
  With 0 the headers are ignored (a client could forge them); with 1 (nginx in front) the address nginx saw is the
  client's, so per-address rate limits count clients, not the proxy.
- Every request gets an id: the proxy's ``X-Request-ID`` when it is a plain token, else a fresh one. It is echoed in
  the response's ``X-Request-ID`` header and carried by every log line written while the request runs.
- ``LOG_FORMAT`` ``json`` (default): one JSON object per line on standard error; ``text`` for people at a terminal.
  One ``request`` line per request (method, path without the query string, status, duration, client address).
- Anonymous public GET pages are cacheable for ``CACHE_PUBLIC_MAX_AGE`` seconds (shared caches too); a signed-in
  person, or a browser holding a session (CSRF) cookie, gets ``private, no-store``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_HANDLER_NAME = "civic-structured"
log = logging.getLogger("civic.request")


def init_app(app: Flask) -> None:
    apply_proxy_fix(app)
    configure_logging(app)

    @app.before_request
    def _start_request():
        g.request_started = time.perf_counter()
        g.request_id = incoming_request_id() or uuid.uuid4().hex

    @app.after_request
    def _finish_request(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        started = g.get("request_started")
        if started is not None and request.endpoint != "static":
            log.info(
                "request",
                extra={
                    "request_id": request_id,  # RequestIdFilter need not look it up
                    "http": {
                        "method": request.method,
                        "path": request.path,  # never the query string: it may carry tokens
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "client": request.remote_addr,
                        "endpoint": request.endpoint,
                    },
                },
            )
        return response


def apply_proxy_fix(app: Flask) -> None:
    """Trust the last ``PROXY_COUNT`` proxies' X-Forwarded-For/-Proto/-Host/-Port (none when 0)."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)


def incoming_request_id() -> str | None:
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if _REQUEST_ID.match(value) else None


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)  # made once: one line per request


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, plus ``http``/exception when present."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        http = getattr(record, "http", None)
        if http:
            entry["http"] = http
        job = getattr(record, "job", None)
        if job:
            entry["job"] = job
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _ENCODER.encode(entry)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        return True


def configure_logging(app: Flask) -> None:
    """Give the ``civic`` logger (the app's and every module's) one structured handler on standard error."""
    logger = logging.getLogger("civic")
    for handler in list(logger.handlers):
        if handler.get_name() == _HANDLER_NAME:
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    if app.config.get("LOG_FORMAT", "json") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    handler.addFilter(RequestIdFilter())
    logger.addHandler(handler)
    logger.setLevel(app.config.get("LOG_LEVEL") or "INFO")
    logger.propagate = False


def cache_control(response, personal: Callable[[], bool]) -> None:
    """Set Cache-Control when the view did not: public for anonymous pages, private for everyone else.

    ``personal()`` says whether the answer is for one signed-in person; it is asked only when the view left the
    header to us."""
    if "Cache-Control" in response.headers or request.endpoint in (None, "static"):
        return
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    if personal() or _has_session_cookie(response):
        response.headers["Cache-Control"] = "private, no-store"
    elif request.method in ("GET", "HEAD") and response.status_code == 200:
        from flask import current_app

        max_age = int(current_app.config.get("CACHE_PUBLIC_MAX_AGE", 60))
        response.headers["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={max_age}"
    else:
        response.headers["Cache-Control"] = "no-cache"


def _has_session_cookie(response) -> bool:
    """True when the browser sent a session cookie, this response sets one, or any cookie is being set."""
    from flask import current_app

    names = {
        current_app.config["SESSION_COOKIE_NAME"],
        current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
    }
    if any(name in request.cookies for name in names):
        return True
    return bool(session.modified or "Set-Cookie" in response.headers)
