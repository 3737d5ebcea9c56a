"""Signatures: the hot signing path and withdrawals (tallies.py turns rows into counts).

Design (docs/petitions.md has the long version):
- signing is ONE statement, ``INSERT .. SELECT .. FROM petitions JOIN users .. WHERE <every rule> ON CONFLICT DO
  NOTHING``: the database's UNIQUE(petition_id, user_id) decides duplicates, the rate limits are in the WHERE
  clause, and nothing locks or updates the petition row;
- the exact count is ``petitions.signature_count`` + the rows not tallied yet (see tallies.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse as parse_limit
from sqlalchemy import (
    Boolean,
    Integer,
    String,
    bindparam,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from civic import db
from civic.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied
from civic.db import AwareDateTime, utc_now
from civic.identity.models import AssuranceLevel, Territory, User, UserSession
from civic.petitions import tallies
from civic.petitions.models import (
    Petition,
    PetitionSettings,
    PetitionSignature,
    PetitionState,
)
from civic.petitions.sql import dialect_insert


class AlreadySigned(Conflict):
    default_message = _l("You have already signed this petition.")


class TooManySignatures(DomainError):
    status_code = 429
    default_message = _l("You signed many petitions in a short time. Wait a minute and try again.")


class TooManyFromAddress(TooManySignatures):
    default_message = _l("Too many signatures came from your network in a short time. Try again in a few minutes.")


def configured_limit(key: str, default: str | None) -> tuple[int, timedelta] | None:
    """A signing limit from the config ("10 per minute"); None when switched off (an empty value)."""
    value = current_app.config.get(key, default)
    if not value:
        return None
    item = parse_limit(value)
    return item.amount, timedelta(seconds=item.get_expiry())


# --- eligibility and the hot path -------------------------------------------------------------------------------
def signing_target(petition_id: int, user: User):
    """One query: what signing needs to know about the petition and the signer's home (or None if no petition)."""
    home_path = select(Territory.path).where(Territory.id == user.home_territory_id).scalar_subquery()
    residence = select(PetitionSettings.residence_required).where(PetitionSettings.id == 1).scalar_subquery()
    return db.session.execute(
        select(
            Petition.id,
            Petition.state,
            Petition.closes_at,
            Territory.path.label("territory_path"),
            home_path.label("home_path"),
            residence.label("residence_required"),
        )
        .join(Territory, Territory.id == Petition.territory_id)
        .where(Petition.id == petition_id)
    ).one_or_none()


def check_eligibility(user: User, territory_path: str, home_path: str | None, residence_required: bool | None) -> None:
    """Raise a DomainError saying why ``user`` may not sign (or support) a petition of this territory."""
    if not user.has_level(AssuranceLevel.IIN_VERIFIED):
        raise PermissionDenied(_l("Only residents with a verified IIN can sign. Add your IIN on your account page."))
    if residence_required is not False:  # no stored setting means the default: required
        if home_path is None:
            raise PermissionDenied(
                _l("Set where you live on your account page: only residents of the petition's territory can sign.")
            )
        if not home_path.startswith(territory_path):
            raise PermissionDenied(_l("Only residents of the petition's territory can sign it."))


def check_can_sign(target, user: User, now: datetime) -> None:
    if target.state != PetitionState.OPEN or target.closes_at is None or now >= target.closes_at:
        raise InvalidTransition(message=_l("This petition is not open for signatures."))
    check_eligibility(user, target.territory_path, target.home_path, target.residence_required)


def _recent(column, value: str, since: str, limit: str):
    """How many signatures matching ``column`` were made since ``since``, counting no further than ``limit``."""
    rows = (
        select(literal(1))
        .select_from(PetitionSignature)
        .where(column == bindparam(value), PetitionSignature.created_at > bindparam(since, type_=AwareDateTime()))
        .limit(bindparam(limit))
        .subquery()
    )
    return select(func.count()).select_from(rows).scalar_subquery()


def _email_domain(email, dialect: str):
    if dialect == "postgresql":
        return func.lower(func.split_part(email, "@", 2))
    return func.lower(func.substr(email, func.instr(email, "@") + 1))


def _sign_statement(dialect: str, ip_limited: bool, session_checked: bool = False):
    """The signing INSERT, prepared once per process (``insert_signature``): every rule is in its WHERE clause.

    It also re-checks the signer's account (session version, not erased, IIN verified), so the view can sign
    straight from the session cookie without loading the user first.
    """
    area, home = aliased(Territory), aliased(Territory)
    residence = func.coalesce(
        select(PetitionSettings.residence_required).where(PetitionSettings.id == 1).scalar_subquery(), true()
    )
    rules_hold = [
        Petition.id == bindparam("petition_id"),
        Petition.state == PetitionState.OPEN.value,
        Petition.closes_at > bindparam("now", type_=AwareDateTime()),
        User.session_version == bindparam("session_version"),
        User.deleted_at.is_(None),
        User.assurance_level >= int(AssuranceLevel.IIN_VERIFIED),
        User.iin_hmac.is_not(None),
        or_(residence == false(), home.path.startswith(area.path)),
        _recent(PetitionSignature.user_id, "user_id", "account_since", "account_limit") < bindparam("account_limit"),
    ]
    if session_checked:  # the signed-in session is recorded and not revoked (logout, other devices)
        rules_hold.append(
            exists().where(
                UserSession.token_hash == bindparam("session_hash", type_=String),
                UserSession.user_id == User.id,
                UserSession.revoked_at.is_(None),
            )
        )
    if ip_limited:
        rules_hold.append(_recent(PetitionSignature.ip, "ip", "ip_since", "ip_limit") < bindparam("ip_limit"))
    values = (
        select(
            Petition.id,
            User.id,
            func.coalesce(User.home_territory_id, 0),
            bindparam("ip", type_=String),
            _email_domain(User.email, dialect),
            User.iin_hmac,
            User.assurance_level,
            bindparam("notify", type_=Boolean),
            bindparam("now", type_=AwareDateTime()),
        )
        .join(area, area.id == Petition.territory_id)
        .join(User, User.id == bindparam("user_id", type_=Integer))
        .outerjoin(home, home.id == User.home_territory_id)
        .where(*rules_hold)
    )
    columns = [
        "petition_id",
        "user_id",
        "territory_id",
        "ip",
        "email_domain",
        "signer_iin_hmac",
        "signer_level",
        "notify",
        "created_at",
    ]
    return (
        dialect_insert(PetitionSignature)
        .from_select(columns, values)
        # Either unique constraint may decide: (petition, account) or (petition, IIN fingerprint).
        .on_conflict_do_nothing()
        .returning(PetitionSignature.id)
    )


def insert_signature(
    petition_id: int,
    user_id: int,
    session_version: int,
    session_hash: str | None = None,
    *,
    ip: str | None,
    notify_me: bool,
    now: datetime | None = None,
    connection=None,
) -> tuple[int | None, dict]:
    """Run the signing INSERT for an account id; returns (new signature id or None, the parameters used).

    ``session_hash`` (the signing view always gives it) makes the INSERT also require that the session record is
    live: a cookie copied before its owner logged out signs nothing.

    It runs on ``connection`` (the signing view's ``db.statement_transaction``), or in the session's transaction.
    """
    now = now or utc_now()
    account = configured_limit("PETITIONS_SIGN_LIMIT_PER_ACCOUNT", "10 per minute") or (10**9, timedelta())
    by_ip = configured_limit("PETITIONS_SIGN_LIMIT_PER_IP", "120 per minute") if ip else None
    params = {
        "petition_id": petition_id,
        "user_id": user_id,
        "session_version": session_version,
        "ip": ip,
        "notify": bool(notify_me),
        "now": now,
        "account_limit": account[0],
        "account_since": now - account[1],
    }
    if by_ip:
        params.update(ip_limit=by_ip[0], ip_since=now - by_ip[1])
    if session_hash is not None:
        params["session_hash"] = session_hash
    connection = connection or db.session.connection()
    variant = (by_ip is not None, session_hash is not None)
    prepared = db.precompiled(("sign", *variant), connection, lambda dialect: _sign_statement(dialect, *variant))
    return prepared.execute(connection, params).scalar(), params


def sign(petition_id: int, user: User, *, ip: str | None, notify_me: bool, now: datetime | None = None) -> None:
    """Add ``user``'s signature with ONE statement that also checks every rule; explain a refusal afterwards.

    The INSERT reads the petition without locking it, and the database's UNIQUE(petition_id, user_id) decides
    duplicates. The per-account and per-IP rate limits are part of the same statement, so they hold across all
    workers (PostgreSQL may let a few concurrent requests past a limit). On SQLite the statement is a transaction of
    its own when the caller has not read before it: it then holds the write lock alone.
    """
    new_id, params = insert_signature(petition_id, user.id, user.session_version, ip=ip, notify_me=notify_me, now=now)
    if new_id is None:
        explain_refusal(petition_id, user, params)


def explain_refusal(petition_id: int, user: User, params: dict) -> None:
    """Say why the signing INSERT added nothing (the rare path, so it may take a few queries)."""
    target = signing_target(petition_id, user)
    if target is None:
        raise NotFound()
    check_can_sign(target, user, params["now"])
    if has_signed(petition_id, user.id):
        raise AlreadySigned()
    limits = [("account", PetitionSignature.user_id, "user_id", TooManySignatures)]
    if "ip_limit" in params:
        limits.append(("ip", PetitionSignature.ip, "ip", TooManyFromAddress))
    for name, column, value, error in limits:
        if (
            db.session.scalar(select(_recent(column, value, f"{name}_since", f"{name}_limit")), params)
            >= params[f"{name}_limit"]
        ):
            raise error()
    raise InvalidTransition(message=_l("This petition is not open for signatures."))


def has_signed(petition_id: int, user_id: int) -> bool:
    """Whether this account, or the person behind it (IIN fingerprint, kept after an erased account), signed."""
    digest = select(User.iin_hmac).where(User.id == user_id).scalar_subquery()
    return (
        db.session.scalar(
            select(PetitionSignature.id)
            .where(
                PetitionSignature.petition_id == petition_id,
                or_(PetitionSignature.user_id == user_id, PetitionSignature.signer_iin_hmac == digest),
            )
            .limit(1)
        )
        is not None
    )


def signature_of(petition_id: int, user_id: int) -> PetitionSignature | None:
    return db.session.scalar(
        select(PetitionSignature).where(
            PetitionSignature.petition_id == petition_id, PetitionSignature.user_id == user_id
        )
    )


def withdraw_signature(petition: Petition, user: User, now: datetime | None = None) -> None:
    """Take back a valid signature while the petition is open; counted rows leave the tallies at once."""
    now = now or utc_now()
    if not petition.is_signable_at(now):
        raise InvalidTransition(petition, "unsign", _l("Signatures can be withdrawn only while the petition is open."))
    row = db.session.execute(
        delete(PetitionSignature)
        .where(
            PetitionSignature.petition_id == petition.id,
            PetitionSignature.user_id == user.id,
            PetitionSignature.invalidated_at.is_(None),
        )
        .returning(PetitionSignature.tallied_at, PetitionSignature.territory_id, PetitionSignature.created_at)
    ).one_or_none()
    if row is None:
        raise DomainError(_l("You have not signed this petition."))
    if row.tallied_at is not None:
        tallies.add_to_tallies(petition.id, [(row.territory_id, row.created_at)], sign=-1)
