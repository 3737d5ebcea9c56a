"""HTTP helpers for views: loading objects, form pages, safe redirects, client address, paths outside requests, and
turning domain errors into answers."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from flask import abort, flash, render_template, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from civic import db


class _KeyDerivingOnceSigner(TimestampSigner):
    """itsdangerous's timestamp signer, deriving each signing key once instead of for every cookie it checks."""

    _derived: ClassVar[dict[tuple, bytes]] = {}

    def derive_key(self, secret_key=None):
        cache_key = (secret_key or self.secret_keys[-1], self.salt, self.key_derivation, self.digest_method)
        found = self._derived.get(cache_key)
        if found is None:
            found = self._derived[cache_key] = super().derive_key(secret_key)
        return found


class SigningSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its serializer built once per set of keys instead of on every request."""

    def __init__(self):
        self._serializer = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._serializer is None or self._serializer[0] != keys:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                serializer.signer = _KeyDerivingOnceSigner
            self._serializer = (keys, serializer)
        return self._serializer[1]


def wants_json() -> bool:
    """Whether the client asked for JSON rather than a page (scripts: petitions.js, API clients, the benches)."""
    if request.headers.get("Accept") == "application/json":  # what scripts send: no header parsing on hot paths
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def get_or_404(model, ident):
    """Load ``model`` by primary key or answer 404 (also for an id no database column can hold, e.g. from a form)."""
    if isinstance(ident, int) and not -(2**31) <= ident < _id_limit(model):
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def _id_limit(model) -> int:
    from sqlalchemy import BigInteger, inspect

    columns = inspect(model).primary_key
    return 2**63 if len(columns) == 1 and isinstance(columns[0].type, BigInteger) else 2**31


def form_page(template: str, form, status: int | None = None, **context):
    """Render a page with ``form``; a submitted form with errors answers 400 (or ``status`` when given)."""
    if status is None:
        status = 400 if request.method == "POST" and (form.errors or form.form_errors) else 200
    return render_template(template, form=form, **context), status


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` only if it is a local path (no scheme, no host, no protocol-relative URL)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def client_ip() -> str:
    # A placeholder address, nothing binds to it (bandit B104).
    return request.remote_addr or "0.0.0.0"  # nosec B104


def abort_domain(exc) -> None:
    """Abort with the domain error's status code and its translated message."""
    error = HTTPException(description=str(exc))
    error.code = exc.status_code
    raise error


def flash_domain(exc) -> None:
    flash(str(exc), "error")


def path_for(endpoint: str, **values) -> str:
    """Like ``url_for`` but also outside a request (CLI, cron, demo data): the path only."""
    from flask import current_app, has_request_context, url_for

    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def public_url(endpoint: str, **values) -> str:
    """An absolute link for emails, built on PUBLIC_BASE_URL (or the served address: ``mail.public_base_url``)."""
    from civic.core.mail import public_base_url

    return public_base_url() + path_for(endpoint, **values)


#: The largest id a URL may name: PostgreSQL's INTEGER (the id columns' type); SQLite's is larger.
DB_INT_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` for every route (registered app-wide in ``create_app``): a number past the database's integer
    range does not match, so the URL is a 404 instead of an overflow (a 500) in the query."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs["max"] = min(kwargs.get("max") or DB_INT_MAX, DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


# --- tokens out of URLs -------------------------------------------------------------------------------------------
#: Routes whose ``<token>`` is a secret from an email or a private link, by the group sharing one token (a page and
#: the form it posts to). The first GET moves the token into the (signed) session cookie and redirects to the same
#: route with ``-`` instead: access logs, proxies, browser history and Referer headers see the token at most once.
TOKEN_ENDPOINTS = {
    "identity.verify_email": "verify",
    "identity.confirm_email": "verify",
    "identity.reset_password": "reset",
    "delphi.invitation": "delphi-invitation",
    "petitions.supporters_page": "petition-support",
    "petitions.support": "petition-support",
    "contests.accept_coauthor": "contest-coauthor",
    "contests.accept_judge": "contest-judge",
}
TOKEN_PLACEHOLDER = "-"
TOKEN_SESSION_PREFIX = "url_token:"


def install_url_token_hiding(app) -> None:
    from flask import redirect, session, url_for

    @app.url_value_preprocessor
    def _token_from_session(endpoint, values):
        group = TOKEN_ENDPOINTS.get(endpoint or "")
        if group is None or values is None or "token" not in values:
            return
        if values["token"] == TOKEN_PLACEHOLDER:
            values["token"] = session.get(TOKEN_SESSION_PREFIX + group, TOKEN_PLACEHOLDER)
        elif request.method in ("GET", "HEAD"):
            session[TOKEN_SESSION_PREFIX + group] = values["token"]
            values["_moved"] = True  # read by _move_token_out (before_request)

    @app.before_request
    def _move_token_out():
        values = request.view_args or {}
        if values.pop("_moved", False):
            return redirect(url_for(request.endpoint, **{**values, "token": TOKEN_PLACEHOLDER}, **request.args), 303)
        return None

    @app.url_defaults
    def _placeholder_for_the_session_token(endpoint, values):
        group = TOKEN_ENDPOINTS.get(endpoint or "")
        if group and values.get("token") and values["token"] == session.get(TOKEN_SESSION_PREFIX + group):
            values["token"] = TOKEN_PLACEHOLDER


def carried_url_tokens(session) -> dict:
    """The URL tokens kept in the session, to carry over a sign-in's fresh session."""
    return {key: value for key, value in session.items() if key.startswith(TOKEN_SESSION_PREFIX)}
