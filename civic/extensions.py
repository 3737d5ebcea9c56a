"""Flask extensions, created unbound and initialised in create_app."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def login_key() -> str:
    """Rate-limit key for credential endpoints: the client address plus the submitted email."""
    email = (request.form.get("email") or "").strip().lower()
    return f"{get_remote_address()}|{email}"


def limited_in_view(view):
    """Exempt ``view`` from Flask-Limiter: its limits are part of its own SQL or code (voting, signing).

    ``limiter.exempt`` alone still resolves and evaluates the request's limits on every call (about 4 % of a vote,
    profiled during bench/vote.py); ``init_limiter`` skips Flask-Limiter's check before any of that for marked views."""
    view = limiter.exempt(view)
    view.limited_in_view = True
    return view


def init_limiter(app) -> None:
    """``limiter.init_app``, with its per-request check wrapped so that views marked ``limited_in_view`` skip it."""
    limiter.init_app(app)
    checks = app.before_request_funcs.setdefault(None, [])
    check = getattr(limiter, "_check_request_limit", None)
    if check not in checks:  # another Flask-Limiter release: its own (slower) exemption still applies
        return

    def _check_limits_unless_limited_in_view():
        if getattr(app.view_functions.get(request.endpoint or ""), "limited_in_view", False):
            return None
        return check()

    checks[checks.index(check)] = _check_limits_unless_limited_in_view
