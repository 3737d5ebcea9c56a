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
    """``limiter.init_app``, with its per-request hooks wrapped so that views marked ``limited_in_view`` skip them:
    the check before the view and the headers after it (for such a view there is nothing to add, but finding that
    out cost Flask-Limiter another ~3 % of a vote)."""
    limiter.init_app(app)

    def limits_itself() -> bool:
        return getattr(app.view_functions.get(request.endpoint or ""), "limited_in_view", False)

    checks = app.before_request_funcs.setdefault(None, [])
    check = getattr(limiter, "_check_request_limit", None)
    if check in checks:  # else another Flask-Limiter release: its own (slower) exemption still applies

        def _check_limits_unless_limited_in_view():
            return None if limits_itself() else check()

        checks[checks.index(check)] = _check_limits_unless_limited_in_view
    finishers = app.after_request_funcs.setdefault(None, [])
    inject = getattr(Limiter, "_Limiter__inject_headers", None)
    for index, finisher in enumerate(finishers):
        if inject is not None and getattr(finisher, "func", None) is inject:

            def _inject_headers_unless_limited_in_view(response, finisher=finisher):
                return response if limits_itself() else finisher(response)

            finishers[index] = _inject_headers_unless_limited_in_view
