"""Who the session says is signed in: Flask-Login's user loader and the same answer without loading the user.

The login stores ``User.get_id()``, ``"<user id>:<session version>"``, in the signed session cookie. Raising the
session version (log out everywhere, password change) makes every older cookie name nobody.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import session

from civic import db
from civic.identity.models import User

#: Where Flask-Login keeps ``User.get_id()`` in the session (flask_login.login_user); read only here.
_SESSION_KEY = "_user_id"


class SessionAccount(NamedTuple):
    user_id: int
    session_version: int


def parse_ident(ident: str | None) -> SessionAccount | None:
    """``"<user id>:<session version>"`` as numbers; None for anything else."""
    user_id, _sep, version = str(ident or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    return SessionAccount(int(user_id), int(version))


def load_user(ident: str) -> User | None:
    """Flask-Login's user loader: the active account the ident names, if its session version still matches."""
    account = parse_ident(ident)
    if account is None:
        return None
    user = db.session.get(User, account.user_id)
    if user is None or user.session_version != account.session_version or not user.is_active:
        return None
    return user


def session_user_id() -> SessionAccount | None:
    """The (user id, session version) the session cookie names, without a query; None when nobody signed in.

    Nothing is checked against the database: a caller that acts on it must check the account itself (the petition
    signing INSERT does, in SQL), or use ``current_user``. A remember-me cookie alone gives None here: Flask-Login
    restores the session only when ``current_user`` is first used.
    """
    return parse_ident(session.get(_SESSION_KEY))
