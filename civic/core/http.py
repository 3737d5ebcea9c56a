"""HTTP helpers for views: loading objects, form pages, safe redirects, client address, paths outside requests, and
turning domain errors into answers."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from civic import db


def get_or_404(model, ident):
    """Load ``model`` by primary key or answer 404."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


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
    return request.remote_addr or "0.0.0.0"


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
