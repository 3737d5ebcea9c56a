"""The panel: adding council members and experts, email invitations, and the freeze when round 1 opens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update

from civic import db
from civic.core import signals
from civic.core.errors import Conflict, DomainError, InvalidTransition, NotFound
from civic.core.mail import public_base_url, queue_mail
from civic.db import utc_now
from civic.delphi.links import study_path
from civic.delphi.models import DelphiInvitation, DelphiPanelist, DelphiStudy, InvitationStatus
from civic.delphi.permissions import PANEL_ROLES
from civic.identity import audit
from civic.identity.models import Territory, User, UserRole
from civic.identity.notifications import notify

INVITATION_DAYS = 30
_FROZEN = _l("The panel is frozen since round 1 opened: a Delphi panel stays the same from round to round.")


def _refuse_if_frozen(study: DelphiStudy) -> None:
    if study.is_frozen or study.is_finished:
        raise InvalidTransition(study, "panel", _FROZEN)


def _eligible_ids_stmt():
    return select(UserRole.user_id).where(UserRole.role_name.in_(PANEL_ROLES))


def eligible_users(
    study: DelphiStudy,
    query: str = "",
    limit: int = 50,
    role: str | None = None,
    territory: Territory | None = None,
) -> list[User]:
    """Council members and experts not yet on the panel, optionally filtered by name or email, by role (council
    member or expert) and by territory: a role held for that territory or inside it (a district council within the
    city), or a home in it."""
    on_panel = select(DelphiPanelist.user_id).where(DelphiPanelist.study_id == study.id)
    roles = _eligible_ids_stmt()
    if role in PANEL_ROLES:
        roles = roles.where(UserRole.role_name == role)
    stmt = select(User).where(User.id.not_in(on_panel), User.deleted_at.is_(None))
    if territory is not None:
        inside = select(Territory.id).where(Territory.path.startswith(territory.path))
        stmt = stmt.where(
            or_(
                User.id.in_(roles.where(UserRole.territory_id.in_(inside))),
                and_(User.id.in_(roles), User.home_territory_id.in_(inside)),
            )
        )
    else:
        stmt = stmt.where(User.id.in_(roles))
    if query:
        like = f"%{query.strip().lower()[:100]}%"
        stmt = stmt.where(or_(func.lower(User.display_name).like(like), func.lower(User.email).like(like)))
    return list(db.session.scalars(stmt.order_by(User.display_name, User.id).limit(limit)))


def panel_roles(user_ids: list[int]) -> dict[int, list[UserRole]]:
    """The council-member and expert roles of these users (with their territory or state body), by user id."""
    if not user_ids:
        return {}
    rows = db.session.scalars(
        select(UserRole)
        .where(UserRole.user_id.in_(user_ids), UserRole.role_name.in_(PANEL_ROLES))
        .order_by(UserRole.user_id, UserRole.role_name, UserRole.id)
    )
    out: dict[int, list[UserRole]] = {}
    for row in rows:
        out.setdefault(row.user_id, []).append(row)
    return out


def _welcome(study: DelphiStudy, user: User) -> None:
    notify(
        user,
        "delphi.panel",
        lambda: _("You are on the panel of the Delphi study \u201c%(title)s\u201d", title=study.title),
        lambda: _(
            "You will be asked to answer anonymously in several rounds. Nobody, including the organiser, "
            "sees your individual answers."
        ),
        link=study_path(study.id),
    )


def add_panelists(study: DelphiStudy, actor, user_ids: list[int]) -> list[DelphiPanelist]:
    """Put registered council members or experts on the panel (before round 1)."""
    _refuse_if_frozen(study)
    eligible = set(db.session.scalars(_eligible_ids_stmt().where(UserRole.user_id.in_(user_ids))))
    present = set(db.session.scalars(select(DelphiPanelist.user_id).where(DelphiPanelist.study_id == study.id)))
    added = []
    for user_id in dict.fromkeys(user_ids):
        user = db.session.get(User, user_id)
        if user is None or user.is_deleted:
            raise NotFound(_l("This user does not exist."))
        if user_id not in eligible:
            raise DomainError(
                _l(
                    "%(name)s is neither a public council member nor an expert: invite them by email instead.",
                    name=user.public_name,
                )
            )
        if user_id in present:
            continue
        panelist = DelphiPanelist(study_id=study.id, user_id=user_id, added_by_id=actor.id)
        db.session.add(panelist)
        added.append(panelist)
    db.session.flush()
    for panelist in added:
        _welcome(study, panelist.user)
    audit.record("delphi.add_panelists", study, actor=actor, after={"user_ids": [p.user_id for p in added]})
    return added


def remove_panelist(panelist: DelphiPanelist, actor) -> None:
    """Take someone off the panel (before round 1 only)."""
    study = panelist.study
    _refuse_if_frozen(study)
    audit.record("delphi.remove_panelist", study, actor=actor, before={"user_id": panelist.user_id})
    db.session.delete(panelist)
    db.session.flush()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_by_email(study: DelphiStudy, actor, email: str, now: datetime | None = None) -> str:
    """Email an invitation link (sent again with a fresh link if one is pending). Returns the token."""
    _refuse_if_frozen(study)
    email = (email or "").strip().lower()
    now = now or utc_now()
    token = secrets.token_urlsafe(32)
    invitation = db.session.scalar(
        select(DelphiInvitation).where(
            DelphiInvitation.study_id == study.id,
            DelphiInvitation.email == email,
            DelphiInvitation.status == InvitationStatus.PENDING,
        )
    )
    if invitation is None:
        invitation = DelphiInvitation(study_id=study.id, email=email, invited_by_id=actor.id)
        db.session.add(invitation)
    invitation.token_hash, invitation.expires_at = _token_hash(token), now + timedelta(days=INVITATION_DAYS)
    db.session.flush()
    link = public_base_url() + f"/delphi/invitations/{token}"
    with force_locale(study.base_language):
        queue_mail(
            email,
            _("Invitation to the Delphi panel \u201c%(title)s\u201d", title=study.title),
            _(
                "%(name)s invites you to an expert panel. Panelists answer the same questions anonymously in "
                "several rounds and see the group's statistics after each round.\n\nOpen this link within "
                "%(days)s days to accept; if you have no account yet, register with this email address first:"
                "\n%(link)s",
                name=actor.public_name,
                days=INVITATION_DAYS,
                link=link,
            ),
        )
    audit.record("delphi.invite", study, actor=actor, after={"invitation": invitation.id})
    return token


def invitation_for_token(token: str) -> DelphiInvitation:
    invitation = db.session.scalar(select(DelphiInvitation).where(DelphiInvitation.token_hash == _token_hash(token)))
    if invitation is None:
        raise NotFound(_l("This invitation link is not valid."))
    return invitation


def accept_invitation(token: str, user: User, now: datetime | None = None) -> DelphiPanelist:
    """Join the panel with the account whose email received the invitation."""
    invitation = invitation_for_token(token)
    study = invitation.study
    if invitation.status != InvitationStatus.PENDING:
        raise InvalidTransition(invitation, "accept", _l("This invitation was already used or withdrawn."))
    if invitation.expires_at <= (now or utc_now()):
        raise InvalidTransition(
            invitation, "accept", _l("This invitation has expired. Ask the organiser for a new one.")
        )
    _refuse_if_frozen(study)
    if user.email.lower() != invitation.email:
        raise DomainError(
            _l(
                "This invitation was sent to another email address. Sign in with that address (or "
                "register with it) and open the link again."
            )
        )
    panelist = db.session.scalar(
        select(DelphiPanelist).where(DelphiPanelist.study_id == study.id, DelphiPanelist.user_id == user.id)
    )
    if panelist is None:
        panelist = DelphiPanelist(study_id=study.id, user_id=user.id, added_by_id=invitation.invited_by_id)
        db.session.add(panelist)
    invitation.status, invitation.accepted_at = InvitationStatus.ACCEPTED, now or utc_now()
    db.session.flush()
    return panelist


def revoke_invitation(invitation: DelphiInvitation, actor) -> None:
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict(_l("Only a pending invitation can be withdrawn."))
    invitation.status = InvitationStatus.REVOKED
    db.session.flush()
    audit.record("delphi.revoke_invitation", invitation.study, actor=actor, after={"invitation": invitation.id})


def expire_pending_invitations(study: DelphiStudy) -> int:
    pending = db.session.scalars(
        select(DelphiInvitation).where(
            DelphiInvitation.study_id == study.id, DelphiInvitation.status == InvitationStatus.PENDING
        )
    ).all()
    for invitation in pending:
        invitation.status = InvitationStatus.EXPIRED
    db.session.flush()
    return len(pending)


@signals.user_deleted.connect
def _forget_invitations(user, **_extra) -> None:
    """An erased account's address must not survive in panel invitations (answers are pseudonymous already)."""
    db.session.execute(
        update(DelphiInvitation)
        .where(func.lower(DelphiInvitation.email) == user.email.lower())
        .values(email=f"deleted-{user.id}@deleted.invalid")
    )
