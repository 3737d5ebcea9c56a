"""Site-wide pages: home, health check and error pages (the language switcher is identity's: it saves the account's
preference)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from civic import db
from civic.core.opendata import problem
from civic.core.shell import home_feed, navigation, territory_picker
from civic.modules import collect

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    """Show what is happening in the visitor's territory across modules, and the platform's modules.

    The territory is the one chosen in the page's form (``?territory=<id>``, ``0`` for all of Kazakhstan), else the
    signed-in person's home territory, else all of Kazakhstan."""
    picker = territory_picker()  # identity's (civic.identity.home): core imports no module
    territory = None
    chosen = request.args.get("territory", type=int)
    if chosen and picker is not None:
        territory = picker.load(chosen)
    elif chosen is None and current_user.is_authenticated:
        territory = current_user.home_territory
    user = current_user if current_user.is_authenticated else None
    cards = [card for cards in collect("views", "HOME_CARDS") for card in cards]
    return render_template(
        "core/home.html",
        cards=cards,
        feed=home_feed(territory, user),
        territory=territory,
        territories=picker.choices() if picker is not None else [],
    )


@bp.get("/healthz")
def health():
    """Answer 200 when the database answers."""
    db.session.execute(text("SELECT 1"))
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readyz")
def ready():
    """Readiness for a load balancer: 200 when the database (and Redis, when REDIS_URL is set) answer, else 503
    with what failed. ``/healthz`` says the process is alive; this says it can serve."""
    checks, ready_ = {}, True
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = {"status": "ok"}
    except Exception as exc:  # any failure means "not ready"; the reason goes to the probe and the log
        db.session.rollback()
        checks["database"] = {"status": "error", "error": type(exc).__name__}
        current_app.logger.warning("readiness: database check failed: %s", type(exc).__name__)
        ready_ = False
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            import redis

            redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1).ping()
            checks["redis"] = {"status": "ok"}
        except Exception as exc:
            checks["redis"] = {"status": "error", "error": type(exc).__name__}
            current_app.logger.warning("readiness: redis check failed: %s", type(exc).__name__)
            ready_ = False
    else:
        checks["redis"] = {"status": "not configured"}
    response = jsonify(status="ready" if ready_ else "unavailable", checks=checks)
    response.status_code = 200 if ready_ else 503
    response.headers["Cache-Control"] = "no-store"
    return response


ERROR_TITLES = {
    400: lambda: _("The request could not be understood"),
    401: lambda: _("Please sign in"),
    403: lambda: _("Access denied"),
    404: lambda: _("Page not found"),
    405: lambda: _("This action is not allowed here"),
    409: lambda: _("Conflict"),
    413: lambda: _("The upload is too large"),
    429: lambda: _("Too many requests"),
    500: lambda: _("Something went wrong on our side"),
}
ERROR_TEXTS = {
    400: lambda: _("Check what you entered and try again."),
    401: lambda: _("You need to sign in to see this page."),
    403: lambda: _("You do not have permission to see this page or do this action."),
    404: lambda: _("The page you asked for does not exist or was removed."),
    405: lambda: _("This address does not accept this kind of request."),
    409: lambda: _("The action conflicts with the current state. Reload the page and try again."),
    413: lambda: _("The file or form is larger than allowed."),
    429: lambda: _("You did this too often. Wait a little and try again."),
    500: lambda: _("The error was logged. Please try again later."),
}


def render_error(error: HTTPException):
    """Render a translated error page (or JSON for API clients) with the right status."""
    code = error.code or 500
    detail = error.description if error.description and not _is_default_description(error) else None
    if request.path.startswith("/api/"):
        headers = list(error.get_headers())
        if code == 429 and getattr(error, "retry_after", None):
            headers.append(("Retry-After", str(error.retry_after)))
        return problem(code, detail or ERROR_TITLES.get(code, ERROR_TITLES[500])(), headers=headers)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=code, message=detail or ERROR_TITLES.get(code, ERROR_TITLES[500])()), code
    html = render_template(
        "errors/error.html",
        code=code,
        title=ERROR_TITLES.get(code, ERROR_TITLES[400])(),
        text=ERROR_TEXTS.get(code, ERROR_TEXTS[400])(),
        detail=detail,
    )
    response = make_response(html, code)
    if code == 429 and getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _is_default_description(error: HTTPException) -> bool:
    return error.description == type(error).description


def render_csrf_error(error):
    error.description = _("The form has expired or was sent from another site. Reload the page and try again.")
    return render_error(error)


def render_bad_input(error):
    """A value the database cannot store (out of range, NUL byte...): undo the request's changes and answer 400."""
    current_app.logger.info("bad input refused by the database: %s", type(error).__name__)
    db.session.rollback()
    from werkzeug.exceptions import BadRequest

    return render_error(BadRequest())


def render_server_error(error):
    current_app.logger.exception("unhandled error", exc_info=getattr(error, "original_exception", error))
    db.session.rollback()
    from werkzeug.exceptions import InternalServerError

    return render_error(InternalServerError())


@bp.app_context_processor
def _navigation():
    groups = navigation()
    items = [item for group in groups for item in group["items"]]
    admin_links = [
        {"url": url_for(endpoint), "label": label}
        for links in collect("views", "ADMIN_LINKS")
        for endpoint, label, permission in links
        if current_user.is_authenticated and current_user.has_permission(permission)
    ]
    return {"nav_groups": groups, "nav_items": items, "admin_links": admin_links}
