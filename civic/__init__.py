"""Civic: a participation platform for Kazakhstan's akimats and residents."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from flask_babel import format_decimal
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from civic import config as config_module
from civic import db
from civic.config import ROOT
from civic.core import serving


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, database, extensions, modules, CLI."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    from civic.core.http import BoundedIntConverter, SigningSessionInterface

    app.url_map.converters["int"] = BoundedIntConverter  # before any route: huge ids are 404s, not 500s
    app.session_interface = SigningSessionInterface()
    app.config.from_object(config_module.DefaultConfig)
    app.config.update(config_module.from_environment())
    if config:
        app.config.update(config)
    config_module.finalise(app.config, Path(app.instance_path))

    _init_database(app)
    serving.init_app(app)  # ProxyFix, request ids, JSON logs (civic.core.serving)
    _init_extensions(app)
    _register_modules(app)
    _init_security(app)
    _init_templates(app)
    from civic.cli import register_cli

    register_cli(app)
    return app


def _init_database(app: Flask) -> None:
    from civic.core.mail import install_session_hooks

    db.import_all_models()
    app.extensions["civic_engine"] = db.bind(app.config["DATABASE_URL"])
    install_session_hooks(db.session)

    @app.before_request
    def _declare_write_intent():
        # GET/HEAD/OPTIONS never write (tests/test_no_writes_on_get.py); other methods begin IMMEDIATE on SQLite.
        reading = request.method in ("GET", "HEAD", "OPTIONS")
        g.write_intent_token = db.write_intent.set(not reading)
        g.read_only_request = reading

    @app.teardown_request
    def _reset_write_intent(exc):
        token = g.pop("write_intent_token", None)
        if token is not None:
            db.write_intent.reset(token)
        # Only a dispatched request (not a test_request_context inside a command's transaction) has the flag.
        if g.pop("read_only_request", False) and exc is None:
            db.end_reading()  # nothing to undo: keep the connection's prepared statements

    @app.teardown_appcontext
    def _remove_session(_exc):
        db.session.remove()


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from civic.core.i18n import select_locale
    from civic.extensions import babel, csrf, init_limiter, login_manager
    from civic.identity.login import load_user

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_limiter(app)
    login_manager.init_app(app)
    login_manager.login_view = "identity.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    login_manager.user_loader(load_user)


def _register_modules(app: Flask) -> None:
    from civic.core.api import bp as api_index_bp
    from civic.core.views import bp as core_bp
    from civic.modules import collect

    app.register_blueprint(core_bp)
    app.register_blueprint(api_index_bp)  # GET /api/v1/: lists the modules' API blueprints
    from civic.core.opendata import install_response_cache
    from civic.extensions import limiter

    api_limit = limiter.shared_limit(lambda: app.config["API_RATE_LIMIT"], scope="open-data-api")
    api_limit(api_index_bp)
    api_names = set()
    for blueprints in collect("views", "BLUEPRINTS"):
        for blueprint in blueprints:
            if (blueprint.url_prefix or "").startswith("/api/"):
                api_limit(blueprint)  # one per-address budget for the whole open-data API
                api_names.add(blueprint.name)
            app.register_blueprint(blueprint)
    install_response_cache(app, api_names)


def _init_security(app: Flask) -> None:
    from sqlalchemy.exc import DataError

    from civic.core.views import render_bad_input, render_csrf_error, render_error, render_server_error

    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    header_defaults = [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    defaults = [(name.lower(), name, value) for name, value in header_defaults]

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        present = {name.lower() for name, _value in headers}  # one pass, not one scan per header (every response)
        for lowered, name, value in defaults:
            if lowered not in present:
                headers.add(name, value)
        if app.config["SECURE_COOKIES"] and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        serving.cache_control(response, personal=_is_personal)
        return response

    from civic.core.http import install_url_token_hiding

    install_url_token_hiding(app)  # emailed and private-link tokens leave the URL after the first request
    app.register_error_handler(CSRFError, render_csrf_error)
    # A value no column can hold (a 30-digit id in a form, a NUL byte for PostgreSQL) is bad input, not a crash.
    app.register_error_handler(DataError, render_bad_input)
    app.register_error_handler(OverflowError, render_bad_input)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(Exception, render_server_error)


def _is_personal() -> bool:
    """Whether the answer is for one signed-in person (``Cache-Control: private``).

    Decided from the request when no view asked who is signed in: loading the account only to set a header cost a
    query on every hot-path request (a vote or a signature decides from the cookie alone). A cookie that names a
    revoked session errs on the safe side (private)."""
    from flask import current_app, session
    from flask_login import current_user

    if "_login_user" in g:  # a view already loaded the account
        return bool(current_user and current_user.is_authenticated)
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or remember_cookie in request.cookies


def _init_templates(app: Flask) -> None:
    from civic.core.i18n import LANGUAGE_NAMES, current_language, format_day, format_when, localized
    from civic.core.richtext import render_markdown

    app.jinja_env.globals.update(current_language=current_language, LANGUAGE_NAMES=LANGUAGE_NAMES, localized=localized)
    # One date format and one date-and-time format per language, never seconds (civic.core.i18n).
    app.jinja_env.filters.update(date=format_day, datetime=format_when, number=format_decimal, markdown=render_markdown)
