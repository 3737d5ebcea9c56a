"""Identity use cases: accounts, verification, IIN, roles. Services flush and never commit."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from civic import db
from civic.config import LANGUAGES
from civic.core import signals
from civic.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from civic.core.http import public_url
from civic.core.mail import queue_mail
from civic.db import utc_now
from civic.identity import audit, iin, tokens
from civic.identity.models import (
    AssuranceLevel,
    IdentityVerification,
    LoginThrottle,
    NotificationMode,
    Role,
    StateBody,
    Territory,
    User,
    UserRole,
    UserSession,
    VerificationMethod,
)
from civic.identity.passwords import hash_password, needs_rehash, verify_password
from civic.identity.permissions import (
    ASSIGN_ROLES,
    BODY_ROLES,
    MANAGE_DIRECTORY,
    VERIFY_IN_PERSON,
    all_roles,
    forget_cached_permissions,
)

IIN_MESSAGES = {
    iin.IinProblem.FORMAT: _l("An IIN has exactly 12 digits."),
    iin.IinProblem.CENTURY: _l("The 7th digit of an IIN must be 1 to 6 (century and sex)."),
    iin.IinProblem.DATE: _l("The first six digits of an IIN must be a real date of birth (YYMMDD)."),
    iin.IinProblem.CHECKSUM: _l("This IIN is not valid: its check digit does not match."),
}


class LoginFailed(DomainError):
    status_code = 401
    #: Same words whether the email exists or not, and whether the account is locked.
    default_message = _l("Wrong email or password, or the account is temporarily locked. Try again later.")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def register_user(
    email: str, password: str, display_name: str, locale: str = "kk", home_territory: Territory | None = None
) -> User | None:
    """Create an account and send the verification link.

    An email that already has an account gets the same answer (the caller cannot tell): no new account, and a mail
    to the owner saying someone tried to register with their address. Returns None then.
    """
    email = normalise_email(email)
    password_hash = hash_password(password)  # also for a taken email: both answers take the same time
    existing = find_user_by_email(email)
    if existing is not None:
        _tell_owner_of_registration_attempt(existing)
        return None
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=display_name.strip() or None,
        preferred_locale=locale if locale in LANGUAGES else "kk",
        home_territory=home_territory,
        assurance_level=AssuranceLevel.REGISTERED,
        notification_mode=NotificationMode.IMMEDIATE,
    )
    db.session.flush()  # pending work first: begin_nested() would flush it outside the savepoint
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:  # a concurrent registration with the same email won
        existing = find_user_by_email(email)
        if existing is not None:
            _tell_owner_of_registration_attempt(existing)
        return None
    send_verification(user)
    return user


def _tell_owner_of_registration_attempt(user: User) -> None:
    if user.is_deleted:
        return
    link = public_url("identity.login")
    reset = public_url("identity.request_reset")
    with force_locale(user.preferred_locale):
        queue_mail(
            user.email,
            _("Someone tried to register with your email on Civic"),
            _(
                "Somebody (perhaps you) tried to create a new Civic account with this email address, which already "
                "has an account. No new account was created.\nSign in: %(link)s\nForgot your password? %(reset)s\n"
                "If it was not you, you can ignore this message.",
                link=link,
                reset=reset,
            ),
        )


def send_verification(user: User) -> None:
    token = tokens.make_token(tokens.VERIFY_EMAIL, user)
    link = public_url("identity.verify_email", token=token)
    with force_locale(user.preferred_locale):
        queue_mail(
            user.email,
            _("Confirm your email for Civic"),
            _("Open this link within 48 hours to confirm your email:\n%(link)s", link=link),
        )


def verify_email(token: str) -> User:
    """Confirm the email address behind a verification link."""
    user = read_verification_link(token)
    if user.email_verified_at is None:
        user.email_verified_at = utc_now()
        _raise_level(user, AssuranceLevel.EMAIL_VERIFIED, VerificationMethod.EMAIL)
    return user


def read_verification_link(token: str) -> User:
    """The account a verification link names, or a DomainError saying why the link cannot be used (reads only)."""
    try:
        user_id, fingerprint = tokens.read_token(tokens.VERIFY_EMAIL, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    except tokens.TokenExpired as exc:
        raise DomainError(_l("This confirmation link has expired. Sign in and ask for a new one.")) from exc
    except tokens.TokenInvalid as exc:
        raise DomainError(_l("This confirmation link is not valid.")) from exc
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted or not tokens.matches(tokens.VERIFY_EMAIL, user, fingerprint):
        raise DomainError(_l("This confirmation link is not valid."))
    return user


def _raise_level(
    user: User, level: AssuranceLevel, method: VerificationMethod, actor: User | None = None, note: str | None = None
) -> None:
    user.assurance_level = max(user.assurance_level, int(level))
    db.session.add(
        IdentityVerification(
            user_id=user.id, method=method, level=int(level), actor_id=getattr(actor, "id", None), note=note
        )
    )
    db.session.flush()


def authenticate(email: str, password: str, address: str | None = None) -> User:
    """Check credentials, with a lockout per account and address, and a later, shorter one for the account alone.

    Five wrong passwords (``LOGIN_LOCKOUT_THRESHOLD``) from one address lock that address out of the account for
    ``LOGIN_LOCKOUT_MINUTES``: a stranger cannot lock the owner out, who signs in from elsewhere. Many failures from
    any addresses (``LOGIN_ACCOUNT_LOCKOUT_THRESHOLD``, spread attacks) lock the account itself, for
    ``LOGIN_ACCOUNT_LOCKOUT_MINUTES``. The answer is the same in every case.
    """
    config = current_app.config
    user = find_user_by_email(email)
    now = utc_now()
    if user is None or user.is_deleted:
        verify_password(None, password)
        raise LoginFailed()
    pair = _throttle(user, address) if address else None
    if (user.locked_until is not None and user.locked_until > now) or (
        pair is not None and pair.locked_until is not None and pair.locked_until > now
    ):
        verify_password(None, password)  # the same time as a real check
        raise LoginFailed()
    if not verify_password(user.password_hash, password):
        if pair is not None:
            pair.failures += 1
            pair.updated_at = now
            if pair.failures >= config["LOGIN_LOCKOUT_THRESHOLD"]:
                pair.locked_until = now + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
                pair.failures = 0
        user.failed_logins += 1
        if user.failed_logins >= config["LOGIN_ACCOUNT_LOCKOUT_THRESHOLD"]:
            user.locked_until = now + timedelta(minutes=config["LOGIN_ACCOUNT_LOCKOUT_MINUTES"])
            user.failed_logins = 0
        db.session.flush()
        raise LoginFailed()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    if pair is not None:
        pair.failures, pair.locked_until = 0, None
    db.session.flush()
    return user


def _throttle(user: User, address: str) -> LoginThrottle:
    """The failure counter of this account from this address (created on first use)."""
    address = address[:45]
    row = db.session.scalar(
        select(LoginThrottle).where(LoginThrottle.user_id == user.id, LoginThrottle.address == address)
    )
    if row is None:
        row = LoginThrottle(user_id=user.id, address=address, failures=0)
        try:
            with db.session.begin_nested():
                db.session.add(row)
                db.session.flush()
        except IntegrityError:  # a concurrent attempt created it
            row = db.session.scalar(
                select(LoginThrottle).where(LoginThrottle.user_id == user.id, LoginThrottle.address == address)
            )
    return row


def change_password(user: User, current: str, new: str) -> None:
    """Change the password and log out every other session."""
    if not verify_password(user.password_hash, current):
        raise DomainError(_l("The current password is wrong."), field="current_password")
    _set_password(user, new)


def _set_password(user: User, new: str) -> None:
    user.password_hash = hash_password(new)
    user.session_version += 1
    user.failed_logins, user.locked_until = 0, None
    db.session.flush()


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or user.is_deleted:
        return
    token = tokens.make_token(tokens.RESET_PASSWORD, user)
    link = public_url("identity.reset_password", token=token)
    with force_locale(user.preferred_locale):
        queue_mail(
            user.email,
            _("Reset your Civic password"),
            _(
                "Open this link within 30 minutes to choose a new password:\n%(link)s\n"
                "If you did not ask for this, ignore this message.",
                link=link,
            ),
        )


def user_for_reset_token(token: str) -> User:
    try:
        user_id, fingerprint = tokens.read_token(
            tokens.RESET_PASSWORD, token, current_app.config["RESET_TOKEN_MAX_AGE"]
        )
    except tokens.TokenExpired as exc:
        raise DomainError(_l("This password reset link has expired. Ask for a new one.")) from exc
    except tokens.TokenInvalid as exc:
        raise DomainError(_l("This password reset link is not valid.")) from exc
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted or not tokens.matches(tokens.RESET_PASSWORD, user, fingerprint):
        raise DomainError(_l("This password reset link is not valid or was already used."))
    return user


def reset_password(token: str, new: str) -> User:
    """Set a new password from a reset link (single use: the link is bound to the old password hash)."""
    user = user_for_reset_token(token)
    _set_password(user, new)
    return user


def update_profile(
    user: User, display_name: str, locale: str, home_territory: Territory | None, notification_mode: str
) -> None:
    user.display_name = display_name.strip() or None
    user.preferred_locale = locale if locale in LANGUAGES else user.preferred_locale
    user.home_territory = home_territory
    if notification_mode in {m.value for m in NotificationMode}:
        user.notification_mode = notification_mode
    db.session.flush()


def set_preferred_locale(user: User, locale: str) -> None:
    if locale in LANGUAGES:
        user.preferred_locale = locale
        db.session.flush()


def check_iin(raw: str) -> str:
    """Normalise and validate an IIN, raising a DomainError that says what is wrong."""
    number = iin.normalise(raw)
    problem = iin.find_problem(number)
    if problem is not None:
        raise DomainError(IIN_MESSAGES[problem], field="iin")
    return number


def iin_owner(digest: str) -> int | None:
    """The id of the account holding this IIN digest, if any (a fast, friendly check; the unique index decides)."""
    return db.session.scalar(select(User.id).where(User.iin_hmac == digest))


def add_iin(user: User, raw: str) -> None:
    """Attach a valid, unused IIN to the account (only its keyed hash and last four digits are kept)."""
    if user.iin_hmac is not None:
        raise Conflict(_l("Your account already has an IIN. Contact a front office to change it."), field="iin")
    if not user.has_level(AssuranceLevel.EMAIL_VERIFIED):
        raise PermissionDenied(_l("Confirm your email before adding your IIN."))
    number = check_iin(raw)
    digest = iin.iin_digest(number, current_app.config["IIN_HMAC_KEY"])
    if iin_owner(digest) is not None:
        raise Conflict(_l("This IIN is already linked to another account."), field="iin")
    db.session.flush()  # pending work first: begin_nested() would flush it outside the savepoint
    try:
        with db.session.begin_nested():
            user.iin_hmac, user.iin_last4 = digest, number[-4:]
            db.session.flush()
    except IntegrityError as exc:  # the unique constraint decides between concurrent claims
        raise Conflict(_l("This IIN is already linked to another account."), field="iin") from exc
    _raise_level(user, AssuranceLevel.IIN_VERIFIED, VerificationMethod.IIN)


def verify_in_person(user: User, raw_iin: str, actor: User, office: str) -> None:
    """Front-office check: staff saw an identity document whose IIN matches (or is now linked to) the account."""
    if not actor.has_permission(VERIFY_IN_PERSON):
        raise PermissionDenied()
    number = check_iin(raw_iin)
    digest = iin.iin_digest(number, current_app.config["IIN_HMAC_KEY"])
    if user.iin_hmac is None:
        owner = iin_owner(digest)
        if owner is not None:
            raise Conflict(_l("This IIN is already linked to another account."), field="iin")
        user.iin_hmac, user.iin_last4 = digest, number[-4:]
        if user.email_verified_at is None:
            user.email_verified_at = utc_now()
    elif user.iin_hmac != digest:
        raise DomainError(_l("The IIN on the document does not match the account."), field="iin")
    before = {"level": user.assurance_level}
    _raise_level(user, AssuranceLevel.VERIFIED_IN_PERSON, VerificationMethod.IN_PERSON, actor=actor, note=office[:200])
    audit.record(
        "identity.verify_in_person",
        user,
        actor=actor,
        before=before,
        after={"level": user.assurance_level, "office": office[:200]},
    )


def link_eds(user: User, signer) -> None:
    """Raise the account to the EDS level from a verified signature (``civic.identity.eds.verify``): the IIN comes
    from the certificate. An account without an IIN gets it; one with another IIN is refused."""
    digest = iin.iin_digest(signer.iin, current_app.config["IIN_HMAC_KEY"])
    if user.iin_hmac is None:
        owner = iin_owner(digest)
        if owner is not None and owner != user.id:
            raise Conflict(_l("This IIN is already linked to another account."), field="signature")
        db.session.flush()
        try:
            with db.session.begin_nested():
                user.iin_hmac, user.iin_last4 = digest, signer.iin[-4:]
                db.session.flush()
        except IntegrityError as exc:
            raise Conflict(_l("This IIN is already linked to another account."), field="signature") from exc
        if user.email_verified_at is None:
            user.email_verified_at = utc_now()
    elif user.iin_hmac != digest:
        raise DomainError(_l("The IIN in the certificate does not match the IIN of your account."), field="signature")
    before = {"level": user.assurance_level}
    note = f"cert {signer.serial} / {signer.issuer}"[:200]
    _raise_level(user, AssuranceLevel.VERIFIED_BY_EDS, VerificationMethod.EDS, note=note)
    audit.record("identity.link_eds", user, actor=user, before=before, after={"level": user.assurance_level})


def delete_account(user: User, password: str) -> None:
    """Erase personal data; public content stays, shown as by "deleted user"."""
    if not verify_password(user.password_hash, password):
        raise DomainError(_l("The password is wrong."), field="password")
    erase_user(user)


def erase_user(user: User) -> None:
    signals.user_deleted.send(user)
    user.email = f"deleted-{user.id}-{secrets.token_hex(4)}@deleted.invalid"
    user.display_name = None
    user.password_hash = "!" + secrets.token_hex(16)  # matches no password
    user.iin_hmac = user.iin_last4 = None
    user.home_territory = None
    user.email_verified_at = None
    user.assurance_level = AssuranceLevel.REGISTERED
    user.session_version += 1
    user.deleted_at = utc_now()
    db.session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.flush()


def assign_role(
    user: User, role: str, actor: User, territory: Territory | None = None, body: StateBody | None = None
) -> UserRole:
    """Give ``user`` a role, optionally limited to a territory or (for officials and inspectors) a state body."""
    if not actor.has_permission(ASSIGN_ROLES):
        raise PermissionDenied()
    if role not in all_roles() or db.session.get(Role, role) is None:
        raise NotFound(_l("Unknown role."), field="role")
    if user.is_deleted:
        raise DomainError(_l("This account was deleted."))
    if role in BODY_ROLES and body is None:
        raise DomainError(_l("Officials and inspectors must belong to a state body."), field="state_body")
    if body is not None:
        territory = body.territory
    duplicate = db.session.scalar(
        select(func.count())
        .select_from(UserRole)
        .where(
            UserRole.user_id == user.id,
            UserRole.role_name == role,
            UserRole.territory_id.is_(None) if territory is None else UserRole.territory_id == territory.id,
            UserRole.state_body_id.is_(None) if body is None else UserRole.state_body_id == body.id,
        )
    )
    if duplicate:
        raise Conflict(_l("The user already has this role here."))
    assignment = UserRole(user_id=user.id, role_name=role, territory=territory, state_body=body, granted_by_id=actor.id)
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "identity.assign_role",
        user,
        actor=actor,
        after={"role": role, "territory": getattr(territory, "code", None), "body": getattr(body, "code", None)},
    )
    forget_cached_permissions()
    return assignment


def revoke_role(assignment: UserRole, actor: User) -> None:
    if not actor.has_permission(ASSIGN_ROLES):
        raise PermissionDenied()
    if assignment.user_id == actor.id and assignment.role_name == "admin":
        raise DomainError(_l("You cannot remove your own administrator role."))
    audit.record(
        "identity.revoke_role",
        assignment.user,
        actor=actor,
        before={
            "role": assignment.role_name,
            "territory": getattr(assignment.territory, "code", None),
            "body": getattr(assignment.state_body, "code", None),
        },
    )
    db.session.delete(assignment)
    db.session.flush()
    forget_cached_permissions()


def create_admin(email: str, password: str, display_name: str = "Administrator") -> User:
    """Create (or promote) a verified administrator account; used by ``flask identity create-admin``."""
    user = find_user_by_email(email)
    if user is None:
        user = User(
            email=normalise_email(email),
            password_hash=hash_password(password),
            display_name=display_name,
            email_verified_at=utc_now(),
            assurance_level=AssuranceLevel.EMAIL_VERIFIED,
        )
        db.session.add(user)
        db.session.flush()
    has_admin = db.session.scalar(select(UserRole.id).where(UserRole.user_id == user.id, UserRole.role_name == "admin"))
    if not has_admin:
        db.session.add(UserRole(user_id=user.id, role_name="admin"))
        audit.record("identity.create_admin", user, after={"role": "admin"})
    db.session.flush()
    return user


def update_state_body(body: StateBody, actor: User, head_email: str | None, categories: list) -> None:
    """Set a body's head and competences (audited)."""
    if not actor.has_permission(MANAGE_DIRECTORY):
        raise PermissionDenied()
    head = None
    if head_email:
        head = find_user_by_email(head_email)
        if head is None or head.is_deleted:
            raise NotFound(_l("No account has this email."), field="head_email")
    before = {"head": body.head_user_id, "categories": sorted(c.code for c in body.categories)}
    body.head_user_id = head.id if head else None
    body.categories = list(categories)
    db.session.flush()
    audit.record(
        "identity.update_state_body",
        body,
        actor=actor,
        before=before,
        after={"head": body.head_user_id, "categories": sorted(c.code for c in body.categories)},
    )
