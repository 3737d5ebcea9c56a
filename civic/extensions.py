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
