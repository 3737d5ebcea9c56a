"""Who the session says is signed in: Flask-Login's user loader, server-side session records, and the same answer
without loading the user.

The login stores ``User.get_id()``, ``"<user id>:<session version>:<session token>"``, in the signed session cookie
(and in the remember-me cookie). The token names a row of ``user_sessions`` (by its SHA-256): logging out, "log out
of other devices" and revoking a session on the account page mark rows revoked, and a revoked or unknown token names
nobody on the next request. Raising the session version (password change, erasure) still ends every session at once.

Cost per request: the user loader reads the user and the session row in one query; ``last_seen_at`` is refreshed at
most once a minute, and only by requests that write anyway (GET never writes).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple

from flask import request, session
from sqlalchemy import select, update

from civic import db
from civic.db import utc_now
from civic.identity.models import User, UserSession

#: Where Flask-Login keeps ``User.get_id()`` in the session (flask_login.login_user); read only here.
_SESSION_KEY = "_user_id"
LAST_SEEN_EVERY = timedelta(minutes=1)


class SessionAccount(NamedTuple):
    user_id: int
    session_version: int
    #: SHA-256 (hex) of the session token: what ``user_sessions.token_hash`` holds.
    session_hash: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_ident(ident: str | None) -> SessionAccount | None:
    """``"<user id>:<session version>:<token>"`` as (id, version, token hash); None for anything else."""
    parts = str(ident or "").split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not 20 <= len(parts[2]) <= 100:
        return None
    if len(parts[0]) > 18 or len(parts[1]) > 18:
        return None
    return SessionAccount(int(parts[0]), int(parts[1]), token_hash(parts[2]))


def start_session(user: User) -> str:
    """Record a new sign-in of ``user`` (the caller commits, then calls ``login_user``); returns the token."""
    token = secrets.token_urlsafe(32)
    agent = (request.headers.get("User-Agent") or "")[:200] if request else ""
    db.session.add(UserSession(user_id=user.id, token_hash=token_hash(token), user_agent=agent or None))
    db.session.flush()
    user.session_token = token
    return token


def current_session_hash() -> str | None:
    account = parse_ident(session.get(_SESSION_KEY))
    return account.session_hash if account else None


def revoke(user_id: int, session_hash: str | None) -> None:
    """End one session of ``user_id`` (logout)."""
    if session_hash:
        db.session.execute(
            update(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.token_hash == session_hash,
                UserSession.revoked_at.is_(None),
            )
            .values(revoked_at=utc_now())
            .execution_options(synchronize_session=False)
        )


def revoke_by_id(user_id: int, session_id: int) -> bool:
    """End the session ``session_id`` if it is one of ``user_id``'s active sessions."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def revoke_others(user_id: int, keep_hash: str | None) -> int:
    """End every session of ``user_id`` but the one whose token hash is ``keep_hash``; returns how many."""
    condition = [UserSession.user_id == user_id, UserSession.revoked_at.is_(None)]
    if keep_hash:
        condition.append(UserSession.token_hash != keep_hash)
    result = db.session.execute(
        update(UserSession).where(*condition).values(revoked_at=utc_now()).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def active_sessions(user_id: int) -> list[UserSession]:
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def load_user(ident: str) -> User | None:
    """Flask-Login's user loader: the active account the ident names, if its session version still matches and its
    session record exists and is not revoked (one query)."""
    account = parse_ident(ident)
    if account is None:
        return None
    row = db.session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == account.user_id,
            UserSession.token_hash == account.session_hash,
            UserSession.revoked_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        return None
    user, record = row
    if user.session_version != account.session_version or not user.is_active:
        return None
    user.session_token = str(ident).split(":")[2]
    user.session_record_id = record.id
    if request and request.method not in ("GET", "HEAD", "OPTIONS"):
        now = utc_now()
        if record.last_seen_at is None or now - record.last_seen_at >= LAST_SEEN_EVERY:
            record.last_seen_at = now  # committed with the request's own write
    return user


def session_user_id() -> SessionAccount | None:
    """The (user id, session version, session token hash) the session cookie names, without a query; None when
    nobody signed in.

    Nothing is checked against the database: a caller that acts on it must check the account and the session record
    itself (the petition signing INSERT does, in SQL), or use ``current_user``. A remember-me cookie alone gives None
    here: Flask-Login restores the session only when ``current_user`` is first used.
    """
    return parse_ident(session.get(_SESSION_KEY))
