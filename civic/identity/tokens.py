"""Signed, expiring tokens for email links (verification, password reset)."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_EMAIL = "civic-verify-email"
RESET_PASSWORD = "civic-reset-password"


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_token(purpose: str, user) -> str:
    """A token bound to the user and to state that changes once it is used (email or password hash)."""
    bound = user.email if purpose == VERIFY_EMAIL else user.password_hash
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(bound)})


def read_token(purpose: str, token: str, max_age: int) -> tuple[int, str]:
    """Return (user id, fingerprint) or raise TokenExpired / TokenInvalid."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenExpired from exc
    except BadSignature as exc:
        raise TokenInvalid from exc
    if not isinstance(data, dict) or "u" not in data or "f" not in data:
        raise TokenInvalid
    return int(data["u"]), str(data["f"])


def matches(purpose: str, user, fingerprint: str) -> bool:
    bound = user.email if purpose == VERIFY_EMAIL else user.password_hash
    return _fingerprint(bound) == fingerprint
