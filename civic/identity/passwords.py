"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile, which meets ASVS 5)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[str, PasswordHasher] = {
    "default": PasswordHasher(),
    # Tests only: the same algorithm with tiny cost, so hundreds of test users stay fast.
    "fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
#: Compared against when the email is unknown, so a login takes the same time either way.
_dummy: dict[str, str] = {}


def hasher() -> PasswordHasher:
    return _hashers[current_app.config.get("PASSWORD_HASHER", "default")]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, still spend the time of one check."""
    h = hasher()
    if stored_hash is None:
        name = current_app.config.get("PASSWORD_HASHER", "default")
        stored_hash = _dummy.setdefault(name, h.hash("not-a-password"))
        password = password + "\x00"
    try:
        return h.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return hasher().check_needs_rehash(stored_hash)
