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
    the check before the view, the headers after it and the release of its per-request state (for such a view there
    is nothing to do, but finding that out cost Flask-Limiter ~4 % of a vote)."""
    limiter.init_app(app)

    def limits_itself() -> bool:
        return getattr(app.view_functions.get(request.endpoint or ""), "limited_in_view", False)

    hooks = [  # (where Flask-Limiter registered it, the hook, what a skipped hook answers)
        (app.before_request_funcs, getattr(limiter, "_check_request_limit", None), lambda: None),
        (app.after_request_funcs, getattr(Limiter, "_Limiter__inject_headers", None), lambda response: response),
        (app.teardown_request_funcs, getattr(limiter, "_Limiter__release_context", None), lambda _exc=None: None),
    ]
    for funcs, hook, skipped in hooks:  # another Flask-Limiter release: its own (slower) exemption still applies
        registered = funcs.setdefault(None, [])
        for index, function in enumerate(registered):
            if hook is not None and (function == hook or getattr(function, "func", None) is hook):
                registered[index] = _unless_limited_in_view(function, skipped, limits_itself)


def _unless_limited_in_view(hook, skipped, limits_itself):
    def skipped_for_views_that_limit_themselves(*args):
        return skipped(*args) if limits_itself() else hook(*args)

    return skipped_for_views_that_limit_themselves
