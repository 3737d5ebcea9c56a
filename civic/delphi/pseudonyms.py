"""Per-round pseudonyms: the only bridge between a panelist and their answers, computed, never stored.

pseudonym = HMAC-SHA256(study key, "<study id>:<round id>:<user id>"), where the study key is
HMAC-SHA256(app secret, "civic-delphi-study-key:" + random per-study salt). The salt lives in ``delphi_study_keys``;
the app secret (``DELPHI_PSEUDONYM_KEY``: its own key, never ``SECRET_KEY``) never reaches the database. A database
dump alone therefore cannot re-link answers to users, and deleting the salt (crypto-shredding) makes it impossible
for anyone.

The pseudonym is fresh in every round: the chain from a panelist's answers in one round to the next exists only in
this keyed derivation, not in rows. (With one pseudonym per study, the dump's per-round "submitted" flags and the
rounds in which each pseudonym answered would re-link every panelist whose pattern of rounds is unique; security
review finding 3, ``tests/delphi/test_pattern_attack.py``.) Rounds opened before this change
(``pseudonym_scheme`` 1) keep the per-study pseudonym until ``flask delphi repseudonymise`` moves them.
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
from civic.delphi.models import DelphiRound, DelphiStudy, DelphiStudyKey


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


def _app_secret(legacy: bool = False) -> bytes:
    """The app's pseudonym key (``config.finalise`` gives it its own instance file, never ``SECRET_KEY``).
    ``legacy``: the key per-study pseudonyms were made with (the configured key, or else ``SECRET_KEY``)."""
    config = current_app.config
    secret = config.get("DELPHI_PSEUDONYM_KEY_LEGACY") if legacy else None
    secret = secret or config.get("DELPHI_PSEUDONYM_KEY")
    if not secret:
        raise RuntimeError("DELPHI_PSEUDONYM_KEY is not configured")
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def _study_key(study: DelphiStudy, legacy: bool = False) -> bytes:
    row = db.session.get(DelphiStudyKey, study.id)
    if row is None:
        raise KeyShredded()
    return hmac.new(_app_secret(legacy), b"civic-delphi-study-key:" + bytes.fromhex(row.salt), hashlib.sha256).digest()


def study_pseudonym(study: DelphiStudy, user_id: int) -> str:
    """The per-study pseudonym of rounds opened before per-round pseudonyms (``pseudonym_scheme`` 1)."""
    return hmac.new(_study_key(study, legacy=True), f"{study.id}:{int(user_id)}".encode(), hashlib.sha256).hexdigest()


def round_pseudonym(rnd: DelphiRound, user_id: int) -> str:
    return hmac.new(
        _study_key(rnd.study), f"{rnd.study_id}:{rnd.id}:{int(user_id)}".encode(), hashlib.sha256
    ).hexdigest()


def pseudonym(rnd: DelphiRound, user_id: int) -> str:
    """The panelist's pseudonym in this round (64 hex characters): fresh in every round."""
    if rnd.pseudonym_scheme == 1:
        return study_pseudonym(rnd.study, user_id)
    return round_pseudonym(rnd, user_id)


def repseudonymise(study: DelphiStudy) -> int:
    """Move the study's rounds still on per-study pseudonyms to per-round ones (rewrites their answer and proposal
    rows); returns how many rounds moved. Needs the key, so it runs as ``flask delphi repseudonymise``."""
    from sqlalchemy import select, update

    from civic.delphi.models import DelphiAnswer, DelphiPanelist, DelphiProposal, DelphiRound

    if not has_key(study):
        return 0
    user_ids = list(db.session.scalars(select(DelphiPanelist.user_id).where(DelphiPanelist.study_id == study.id)))
    moved = 0
    for rnd in db.session.scalars(
        select(DelphiRound).where(DelphiRound.study_id == study.id, DelphiRound.pseudonym_scheme == 1)
    ):
        for user_id in user_ids:
            old, new = study_pseudonym(study, user_id), round_pseudonym(rnd, user_id)
            for model in (DelphiAnswer, DelphiProposal):
                db.session.execute(
                    update(model)
                    .where(model.round_id == rnd.id, model.pseudonym == old)
                    .values(pseudonym=new)
                    .execution_options(synchronize_session=False)
                )
        rnd.pseudonym_scheme = 2
        moved += 1
    db.session.flush()
    return moved


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
