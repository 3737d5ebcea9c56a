"""Signatures: the hot signing path, withdrawals, the tally that turns rows into counts, and threshold crossings.

Design (docs/petitions.md has the long version):
- signing is ONE statement, ``INSERT .. SELECT .. FROM petitions WHERE open ON CONFLICT DO NOTHING``: the database's
  UNIQUE(petition_id, user_id) decides duplicates, and nothing locks or updates the petition row;
- ``tally`` marks new rows as tallied (``UPDATE .. RETURNING``, so each row is added exactly once whatever runs
  concurrently) and adds them to the petition's count and to the per-district and per-day tables;
- the exact count is always ``petitions.signature_count`` + the not-yet-tallied rows (a small partial index);
- a threshold is reached at the ``created_at`` of the N-th valid signature, recorded by a conditional UPDATE, so the
  moment is exact and the notifications go out once, whoever notices first (the counter job or a page view).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse as parse_limit
from sqlalchemy import (
    Boolean,
    Integer,
    String,
    and_,
    bindparam,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import aliased

from civic import db
from civic.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied
from civic.db import AwareDateTime, utc_now
from civic.identity.models import AssuranceLevel, Territory, User
from civic.identity.notifications import notify
from civic.petitions import rules
from civic.petitions.models import (
    Petition,
    PetitionDailyCount,
    PetitionSettings,
    PetitionSignature,
    PetitionState,
    PetitionTerritoryCount,
)

ALMATY = ZoneInfo("Asia/Almaty")


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


def local_day(moment: datetime) -> date:
    return moment.astimezone(ALMATY).date()


def dialect_insert(model):
    """``INSERT`` with ON CONFLICT support for the backend in use."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


# --- eligibility and the hot path -------------------------------------------------------------------------------
def signing_target(petition_id: int, user: User):
    """One query: what signing needs to know about the petition and the signer's home (or None if no petition)."""
    home_path = select(Territory.path).where(Territory.id == user.home_territory_id).scalar_subquery()
    residence = select(PetitionSettings.residence_required).where(PetitionSettings.id == 1).scalar_subquery()
    return db.session.execute(
        select(Petition.id, Petition.state, Petition.closes_at, Territory.path.label("territory_path"),
               home_path.label("home_path"), residence.label("residence_required"))
        .join(Territory, Territory.id == Petition.territory_id)
        .where(Petition.id == petition_id)
    ).one_or_none()


def check_eligibility(user: User, territory_path: str, home_path: str | None, residence_required: bool | None) -> None:
    """Raise a DomainError saying why ``user`` may not sign (or support) a petition of this territory."""
    if not user.has_level(AssuranceLevel.IIN_VERIFIED):
        raise PermissionDenied(_l("Only residents with a verified IIN can sign. Add your IIN on your account page."))
    if residence_required is not False:  # no stored setting means the default: required
        if home_path is None:
            raise PermissionDenied(_l("Set where you live on your account page: only residents of the petition's "
                                      "territory can sign."))
        if not home_path.startswith(territory_path):
            raise PermissionDenied(_l("Only residents of the petition's territory can sign it."))


def check_can_sign(target, user: User, now: datetime) -> None:
    if target.state != PetitionState.OPEN or target.closes_at is None or now >= target.closes_at:
        raise InvalidTransition(message=_l("This petition is not open for signatures."))
    check_eligibility(user, target.territory_path, target.home_path, target.residence_required)


def _recent(column, value: str, since: str, limit: str):
    """How many signatures matching ``column`` were made since ``since``, counting no further than ``limit``."""
    rows = (select(literal(1)).select_from(PetitionSignature)
            .where(column == bindparam(value), PetitionSignature.created_at > bindparam(since, type_=AwareDateTime()))
            .limit(bindparam(limit)).subquery())
    return select(func.count()).select_from(rows).scalar_subquery()


_statements: dict = {}


def _email_domain(email, dialect: str):
    if dialect == "postgresql":
        return func.lower(func.split_part(email, "@", 2))
    return func.lower(func.substr(email, func.instr(email, "@") + 1))


def _sign_statement(dialect: str, ip_limited: bool):
    """The signing INSERT, built once per process: every rule of signing is in its WHERE clause.

    It also re-checks the signer's account (session version, not erased, IIN verified), so the view can sign
    straight from the session cookie without loading the user first.
    """
    key = (dialect, ip_limited)
    if key not in _statements:
        area, home = aliased(Territory), aliased(Territory)
        residence = func.coalesce(select(PetitionSettings.residence_required)
                                  .where(PetitionSettings.id == 1).scalar_subquery(), true())
        rules_hold = [
            Petition.id == bindparam("petition_id"), Petition.state == PetitionState.OPEN.value,
            Petition.closes_at > bindparam("now", type_=AwareDateTime()),
            User.session_version == bindparam("session_version"), User.deleted_at.is_(None),
            User.assurance_level >= int(AssuranceLevel.IIN_VERIFIED),
            or_(residence == false(), home.path.startswith(area.path)),
            _recent(PetitionSignature.user_id, "user_id", "account_since", "account_limit") < bindparam("account_limit"),
        ]
        if ip_limited:
            rules_hold.append(_recent(PetitionSignature.ip, "ip", "ip_since", "ip_limit") < bindparam("ip_limit"))
        values = (select(Petition.id, User.id, func.coalesce(User.home_territory_id, 0), bindparam("ip", type_=String),
                         _email_domain(User.email, dialect), bindparam("notify", type_=Boolean),
                         bindparam("now", type_=AwareDateTime()))
                  .join(area, area.id == Petition.territory_id)
                  .join(User, User.id == bindparam("user_id", type_=Integer))
                  .outerjoin(home, home.id == User.home_territory_id)
                  .where(*rules_hold))
        columns = ["petition_id", "user_id", "territory_id", "ip", "email_domain", "notify", "created_at"]
        _statements[key] = (dialect_insert(PetitionSignature).from_select(columns, values)
                            .on_conflict_do_nothing(index_elements=["petition_id", "user_id"])
                            .returning(PetitionSignature.id))
    return _statements[key]


def insert_signature(petition_id: int, user_id: int, session_version: int, *, ip: str | None, notify_me: bool,
                     now: datetime | None = None, connection=None) -> tuple[int | None, dict]:
    """Run the signing INSERT for an account id; returns (new signature id or None, the parameters used).

    ``connection`` defaults to the session's; the signing view passes a connection of its own (see there).
    """
    now = now or utc_now()
    account = configured_limit("PETITIONS_SIGN_LIMIT_PER_ACCOUNT", "10 per minute") or (10**9, timedelta())
    by_ip = configured_limit("PETITIONS_SIGN_LIMIT_PER_IP", "120 per minute") if ip else None
    params = {"petition_id": petition_id, "user_id": user_id, "session_version": session_version, "ip": ip,
              "notify": bool(notify_me), "now": now, "account_limit": account[0], "account_since": now - account[1]}
    if by_ip:
        params.update(ip_limit=by_ip[0], ip_since=now - by_ip[1])
    connection = connection or db.session.connection()
    statement = _sign_statement(connection.dialect.name, by_ip is not None)
    return connection.execute(statement, params).scalar(), params


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
        if db.session.scalar(select(_recent(column, value, f"{name}_since", f"{name}_limit")), params) >= \
                params[f"{name}_limit"]:
            raise error()
    raise InvalidTransition(message=_l("This petition is not open for signatures."))


def has_signed(petition_id: int, user_id: int) -> bool:
    return db.session.scalar(select(PetitionSignature.id).where(
        PetitionSignature.petition_id == petition_id, PetitionSignature.user_id == user_id)) is not None


def signature_of(petition_id: int, user_id: int) -> PetitionSignature | None:
    return db.session.scalar(select(PetitionSignature).where(
        PetitionSignature.petition_id == petition_id, PetitionSignature.user_id == user_id))


def withdraw_signature(petition: Petition, user: User, now: datetime | None = None) -> None:
    """Take back a valid signature while the petition is open; counted rows leave the tallies at once."""
    now = now or utc_now()
    if not petition.is_signable_at(now):
        raise InvalidTransition(petition, "unsign", _l("Signatures can be withdrawn only while the petition is open."))
    row = db.session.execute(
        delete(PetitionSignature)
        .where(PetitionSignature.petition_id == petition.id, PetitionSignature.user_id == user.id,
               PetitionSignature.invalidated_at.is_(None))
        .returning(PetitionSignature.tallied_at, PetitionSignature.territory_id, PetitionSignature.created_at)
    ).one_or_none()
    if row is None:
        raise DomainError(_l("You have not signed this petition."))
    if row.tallied_at is not None:
        _add_to_tallies(petition.id, [(row.territory_id, row.created_at)], sign=-1)


# --- counts -------------------------------------------------------------------------------------------------------
def untallied_counts(petition_ids) -> dict[int, int]:
    """Signatures not yet tallied, per petition (they are always valid: invalidation settles rows it touches)."""
    ids = list(petition_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(PetitionSignature.petition_id, func.count())
        .where(PetitionSignature.petition_id.in_(ids), PetitionSignature.tallied_at.is_(None))
        .group_by(PetitionSignature.petition_id))
    return dict(rows.all())


def live_count(petition: Petition) -> int:
    """The exact number of valid signatures now: the tally plus what was signed since."""
    return petition.signature_count + untallied_counts([petition.id]).get(petition.id, 0)


def tally(petition_id: int, now: datetime | None = None) -> int:
    """Add new signatures to the petition's tallies and record threshold crossings. Returns how many were added."""
    now = now or utc_now()
    rows = db.session.execute(
        update(PetitionSignature)
        .where(PetitionSignature.petition_id == petition_id, PetitionSignature.tallied_at.is_(None))
        .values(tallied_at=now)
        .returning(PetitionSignature.territory_id, PetitionSignature.created_at)
        .execution_options(synchronize_session=False)
    ).all()
    _add_to_tallies(petition_id, [(r.territory_id, r.created_at) for r in rows], sign=1, now=now)
    record_threshold_crossings(petition_id)
    return len(rows)


def _add_to_tallies(petition_id: int, rows: list[tuple[int, datetime]], sign: int, now: datetime | None = None):
    """Add (sign=1) or remove (sign=-1) signatures from the count, district and day tables, atomically in SQL."""
    values: dict = {"tallied_at": now} if now else {}
    if rows:
        values["signature_count"] = Petition.signature_count + sign * len(rows)
        _upsert_counts(PetitionTerritoryCount, "territory_id", petition_id, Counter(t for t, _at in rows), sign)
        _upsert_counts(PetitionDailyCount, "day", petition_id, Counter(local_day(at) for _t, at in rows), sign)
    if values:
        db.session.execute(update(Petition).where(Petition.id == petition_id).values(**values)
                           .execution_options(synchronize_session=False))


def _upsert_counts(model, key: str, petition_id: int, counts: Counter, sign: int) -> None:
    statement = dialect_insert(model).values(
        [{"petition_id": petition_id, key: value, "count": sign * n} for value, n in sorted(counts.items())])
    statement = statement.on_conflict_do_update(index_elements=["petition_id", key],
                                                set_={"count": model.count + statement.excluded.count})
    db.session.execute(statement)


def claim_tally(petition_id: int, now: datetime) -> bool:
    """Let one of many concurrent page views do the tally that is due: the one whose conditional UPDATE wins."""
    stale = now - count_max_age()
    claimed = db.session.execute(
        update(Petition).where(Petition.id == petition_id,
                               or_(Petition.tallied_at.is_(None), Petition.tallied_at <= stale))
        .values(tallied_at=now).execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def tally_pending(now: datetime | None = None) -> dict[int, int]:
    """Tally every petition that has untallied signatures (the counter job). Returns {petition id: added}."""
    ids = db.session.scalars(select(PetitionSignature.petition_id).where(PetitionSignature.tallied_at.is_(None))
                             .distinct()).all()
    return {petition_id: tally(petition_id, now) for petition_id in sorted(ids)}


# --- thresholds ---------------------------------------------------------------------------------------------------
def nth_signature_time(petition_id: int, n: int) -> datetime | None:
    """When the n-th valid signature (in signing order) was made, or None if there are fewer."""
    return db.session.scalar(
        select(PetitionSignature.created_at)
        .where(PetitionSignature.petition_id == petition_id, PetitionSignature.invalidated_at.is_(None))
        .order_by(PetitionSignature.created_at, PetitionSignature.id).offset(n - 1).limit(1))


def record_threshold_crossings(petition_id: int) -> list[str]:
    """Timestamp the thresholds the tallied count has reached, once each. Returns the ones recorded now."""
    p = db.session.execute(select(Petition.signature_count, Petition.response_threshold, Petition.hearing_threshold,
                                  Petition.response_threshold_reached_at, Petition.hearing_threshold_reached_at)
                           .where(Petition.id == petition_id)).one()
    recorded = []
    if p.response_threshold and p.response_threshold_reached_at is None and p.signature_count >= p.response_threshold:
        at = nth_signature_time(petition_id, p.response_threshold)
        if at and _stamp(petition_id, Petition.response_threshold_reached_at, at,
                         response_due_at=at + timedelta(days=rules.RESPONSE_DAYS)):
            recorded.append("response")
    if p.hearing_threshold and p.hearing_threshold_reached_at is None and p.signature_count >= p.hearing_threshold:
        at = nth_signature_time(petition_id, p.hearing_threshold)
        if at and _stamp(petition_id, Petition.hearing_threshold_reached_at, at):
            recorded.append("hearing")
    if recorded:
        petition = db.session.get(Petition, petition_id)
        db.session.refresh(petition)  # the stamps were written with Core UPDATEs
        for kind in recorded:
            _announce_threshold(petition, kind)
    return recorded


def _stamp(petition_id: int, column, at: datetime, **extra) -> bool:
    """Set ``column`` only if nobody set it yet: exactly one caller wins."""
    result = db.session.execute(update(Petition).where(Petition.id == petition_id, column.is_(None))
                                .values({column.key: at, **extra}).execution_options(synchronize_session=False))
    return result.rowcount == 1


def recheck_thresholds(petition: Petition) -> None:
    """After invalidation: a threshold counts only if enough valid signatures remain (until the akimat answered)."""
    if petition.responded_at is not None:
        return
    for threshold, column in ((petition.response_threshold, Petition.response_threshold_reached_at),
                              (petition.hearing_threshold, Petition.hearing_threshold_reached_at)):
        if not threshold or getattr(petition, column.key) is None:
            continue
        at = nth_signature_time(petition.id, threshold)
        values = {column.key: at}
        if column is Petition.response_threshold_reached_at:
            values["response_due_at"] = at + timedelta(days=rules.RESPONSE_DAYS) if at else None
        db.session.execute(update(Petition).where(Petition.id == petition.id).values(values)
                           .execution_options(synchronize_session=False))
    db.session.refresh(petition)


def _announce_threshold(petition: Petition, kind: str) -> None:
    from civic.petitions.services import body_officials, petition_link

    link = petition_link(petition)
    if kind == "response":
        due = petition.response_due_at.astimezone(ALMATY).date().isoformat()
        title = _l("Petition “%(title)s” reached %(n)s signatures: the akimat must answer by %(due)s",
                   title=petition.title, n=petition.response_threshold, due=due)
    else:
        title = _l("Petition “%(title)s” reached %(n)s signatures and goes to a public-council hearing",
                   title=petition.title, n=petition.hearing_threshold)
    recipients = {u.id: u for u in body_officials(petition.state_body)}
    if petition.author is not None:
        recipients[petition.author.id] = petition.author
    for user in recipients.values():
        notify(user, f"petitions.threshold_{kind}", title, link=link)


# --- integrity ----------------------------------------------------------------------------------------------------
def trending(petition_ids, since: datetime, min_count: int = 2) -> dict[str, list]:
    """Signatures since ``since`` grouped by (petition, IP) and (petition, email domain), biggest groups first."""
    valid = and_(PetitionSignature.petition_id.in_(list(petition_ids)), PetitionSignature.created_at >= since,
                 PetitionSignature.invalidated_at.is_(None))
    groups = {}
    for name, column in (("ip", PetitionSignature.ip), ("domain", PetitionSignature.email_domain)):
        count = func.count().label("n")
        groups[name] = db.session.execute(
            select(PetitionSignature.petition_id, column.label("value"), count)
            .where(valid, column.is_not(None)).group_by(PetitionSignature.petition_id, column)
            .having(func.count() >= min_count).order_by(count.desc(), column).limit(100)).all()
    return groups


def matching_signatures(petition_id: int, ips, domains, since: datetime, until: datetime):
    """The condition selecting a petition's valid signatures by IP or email domain in a time window."""
    by_source = or_(PetitionSignature.ip.in_(list(ips)), PetitionSignature.email_domain.in_(list(domains)))
    return and_(PetitionSignature.petition_id == petition_id, PetitionSignature.invalidated_at.is_(None),
                PetitionSignature.created_at >= since, PetitionSignature.created_at < until, by_source)


def invalidate_matching(petition_id: int, condition, invalidation_id: int, now: datetime) -> int:
    """Void the matching signatures; those already tallied leave the counts. Returns how many were voided."""
    never_tallied = db.session.execute(
        update(PetitionSignature).where(condition, PetitionSignature.tallied_at.is_(None))
        .values(invalidated_at=now, tallied_at=now, invalidation_id=invalidation_id)
        .execution_options(synchronize_session=False)).rowcount
    tallied = db.session.execute(
        update(PetitionSignature).where(condition)
        .values(invalidated_at=now, invalidation_id=invalidation_id)
        .returning(PetitionSignature.territory_id, PetitionSignature.created_at)
        .execution_options(synchronize_session=False)).all()
    _add_to_tallies(petition_id, [(r.territory_id, r.created_at) for r in tallied], sign=-1)
    return never_tallied + len(tallied)


def count_max_age() -> timedelta:
    return timedelta(seconds=current_app.config.get("PETITIONS_TALLY_MAX_AGE", 5))
