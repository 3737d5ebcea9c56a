"""Per-study pseudonyms: the only bridge between a panelist and their answers, computed, never stored.

pseudonym = HMAC-SHA256(study key, "<study id>:<user id>"), where the study key is
HMAC-SHA256(app secret, "civic-delphi-study-key:" + random per-study salt). The salt lives in ``delphi_study_keys``;
the app secret (``DELPHI_PSEUDONYM_KEY``, else ``SECRET_KEY``) never reaches the database. A database dump alone
therefore cannot re-link answers to users, and deleting the salt (crypto-shredding) makes it impossible for anyone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l

from civic import db
from civic.core.errors import DomainError
from civic.db import utc_now
from civic.delphi.models import DelphiStudy, DelphiStudyKey


class KeyShredded(DomainError):
    status_code = 410
    default_message = _l(
        "The anonymity key of this study was destroyed: individual answers can no longer be "
        "linked to anyone, including you."
    )


def create_key(study: DelphiStudy) -> DelphiStudyKey:
    """Give a new study its random salt."""
    key = DelphiStudyKey(study_id=study.id, salt=secrets.token_hex(32))
    db.session.add(key)
    db.session.flush()
    return key


def _app_secret() -> bytes:
    secret = current_app.config.get("DELPHI_PSEUDONYM_KEY") or current_app.config["SECRET_KEY"]
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def _study_key(study: DelphiStudy) -> bytes:
    row = db.session.get(DelphiStudyKey, study.id)
    if row is None:
        raise KeyShredded()
    return hmac.new(_app_secret(), b"civic-delphi-study-key:" + bytes.fromhex(row.salt), hashlib.sha256).digest()


def pseudonym(study: DelphiStudy, user_id: int) -> str:
    """The panelist's pseudonym in this study (64 hex characters)."""
    return hmac.new(_study_key(study), f"{study.id}:{int(user_id)}".encode(), hashlib.sha256).hexdigest()


def has_key(study: DelphiStudy) -> bool:
    return db.session.get(DelphiStudyKey, study.id) is not None


def shred_key(study: DelphiStudy) -> bool:
    """Destroy the study's key; returns False if it was already gone."""
    row = db.session.get(DelphiStudyKey, study.id)
    if row is None:
        return False
    db.session.delete(row)
    study.key_shredded_at = utc_now()
    db.session.flush()
    return True
