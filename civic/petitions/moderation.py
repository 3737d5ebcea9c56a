"""Moderation: approve, reject with a coded reason, hide, re-route, and invalidate fraudulent signatures.

Every action here is a staff action: it checks the moderator's territory, and it is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.core.errors import DomainError, PermissionDenied
from civic.db import utc_now
from civic.identity import audit
from civic.identity.directory import route_to_body
from civic.identity.models import StateBody, User
from civic.identity.notifications import notify
from civic.petitions import integrity, rules, tallies
from civic.petitions.models import (
    Petition,
    PetitionInvalidation,
    PetitionSignature,
    PetitionState,
    PetitionSupporter,
    RejectionCode,
)
from civic.petitions.permissions import MODERATE
from civic.petitions.services import body_officials, petition_link

S = PetitionState


def can_moderate(user: User, petition: Petition) -> bool:
    return user.is_authenticated and user.has_permission(MODERATE, territory=petition.territory)


def _require_moderator(user: User, petition: Petition) -> None:
    if not can_moderate(user, petition):
        raise PermissionDenied()


def approve(petition: Petition, moderator: User, body: StateBody | None = None, now: datetime | None = None) -> None:
    """Open the petition for signatures: window and thresholds of its level, routed to the competent body."""
    _require_moderator(moderator, petition)
    now = now or utc_now()
    petition.move("approve")
    rule = rules.level_rule(petition.territory.level)
    petition.opened_at, petition.closes_at = now, now + timedelta(days=rule.signing_days)
    petition.response_threshold, petition.hearing_threshold = rule.response_threshold, rule.hearing_threshold
    petition.state_body = body or route_to_body(petition.territory, petition.category)
    petition.moderated_at, petition.moderated_by_id = now, moderator.id
    db.session.flush()
    _supporters_become_signers(petition, now)
    audit.record(
        "petitions.approve",
        petition,
        actor=moderator,
        before={"state": S.AWAITING_MODERATION},
        after={
            "state": S.OPEN,
            "body": getattr(petition.state_body, "code", None),
            "closes_at": petition.closes_at.isoformat(),
        },
    )
    if petition.author is not None:
        notify(
            petition.author,
            "petitions.opened",
            _l("Your petition “%(title)s” is open for signatures", title=petition.title),
            link=petition_link(petition),
        )


def _supporters_become_signers(petition: Petition, now: datetime) -> None:
    """Supporters count as the first signers (as on the UK service)."""
    for supporter in db.session.scalars(select(PetitionSupporter).where(PetitionSupporter.petition_id == petition.id)):
        user = supporter.user
        db.session.add(
            PetitionSignature(
                petition_id=petition.id,
                user_id=user.id,
                territory_id=user.home_territory_id or 0,
                notify=supporter.notify,
                email_domain=user.email.rpartition("@")[2].lower()[:255],
                created_at=supporter.created_at,
            )
        )
    db.session.flush()


def reject(
    petition: Petition,
    moderator: User,
    code: str,
    details: str,
    duplicate_of: Petition | None = None,
    now: datetime | None = None,
) -> None:
    """Refuse a petition with a coded reason and an explanation; offensive ones are hidden instead of published."""
    _require_moderator(moderator, petition)
    if code not in {c.value for c in RejectionCode}:
        raise DomainError(_l("Choose a reason."), field="code")
    if not (details or "").strip():
        raise DomainError(_l("Explain the decision to the author and the public."), field="details")
    if code == RejectionCode.DUPLICATE and (
        duplicate_of is None or duplicate_of.id == petition.id or not duplicate_of.is_public
    ):
        raise DomainError(_l("Give the number of the published petition this one duplicates."), field="duplicate_of")
    now = now or utc_now()
    before = {"state": petition.state}
    petition.move("hide" if code == RejectionCode.OFFENSIVE else "reject")
    petition.rejection_code, petition.rejection_details = code, details.strip()
    petition.duplicate_of = duplicate_of if code == RejectionCode.DUPLICATE else None
    petition.moderated_at, petition.moderated_by_id = now, moderator.id
    if petition.state == S.HIDDEN:
        petition.hidden_at = now
    db.session.flush()
    audit.record(
        "petitions.reject",
        petition,
        actor=moderator,
        before=before,
        after={"state": petition.state, "code": code, "duplicate_of": getattr(duplicate_of, "id", None)},
    )
    if petition.author is not None:
        notify(
            petition.author,
            "petitions.rejected",
            _l("Your petition “%(title)s” was not published", title=petition.title),
            lambda: f"{petition.rejection_label}. {petition.rejection_details}",
            link=petition_link(petition),
        )


def hide(petition: Petition, moderator: User, details: str, now: datetime | None = None) -> None:
    """Take an offensive or defamatory petition off the public site (its signatures are kept)."""
    _require_moderator(moderator, petition)
    if not (details or "").strip():
        raise DomainError(_l("Explain why the petition is hidden."), field="details")
    before = {"state": petition.state}
    petition.move("hide")
    petition.hidden_at = now or utc_now()
    petition.rejection_code, petition.rejection_details = RejectionCode.OFFENSIVE, details.strip()
    db.session.flush()
    audit.record("petitions.hide", petition, actor=moderator, before=before, after={"state": S.HIDDEN})


def restore(petition: Petition, moderator: User, details: str, now: datetime | None = None) -> None:
    """Bring a hidden petition back to the state it was hidden from (audited, with the moderator's reason)."""
    _require_moderator(moderator, petition)
    if not (details or "").strip():
        raise DomainError(_l("Explain why the petition is restored."), field="details")
    before = {
        "state": petition.state,
        "rejection_code": petition.rejection_code,
        "hidden_at": petition.hidden_at.isoformat() if petition.hidden_at else None,
    }
    target = petition.restore()
    if target != S.REJECTED:  # the "offensive" verdict no longer stands
        petition.rejection_code = petition.rejection_details = None
    petition.restored_at = now or utc_now()
    db.session.flush()
    audit.record(
        "petitions.restore",
        petition,
        actor=moderator,
        before=before,
        after={"state": petition.state, "reason": details.strip()},
    )


def reroute(petition: Petition, moderator: User, body: StateBody) -> None:
    """Send the petition to another state body."""
    _require_moderator(moderator, petition)
    if petition.state not in (S.AWAITING_MODERATION, S.OPEN, S.CLOSED):
        raise DomainError(_l("This petition cannot be routed in its current state."))
    before = {"body": getattr(petition.state_body, "code", None)}
    petition.state_body = body
    db.session.flush()
    audit.record("petitions.reroute", petition, actor=moderator, before=before, after={"body": body.code})
    for official in body_officials(body):
        notify(
            official,
            "petitions.routed",
            _l("A petition was routed to your body: “%(title)s”", title=petition.title),
            link=petition_link(petition),
        )


def invalidate(
    petition: Petition,
    moderator: User,
    *,
    ips,
    domains,
    since: datetime,
    until: datetime,
    reason: str,
    now: datetime | None = None,
) -> PetitionInvalidation:
    """Void the petition's signatures from the chosen IPs or email domains in a time window (audited)."""
    _require_moderator(moderator, petition)
    ips, domains = (
        sorted({i.strip() for i in ips if i.strip()}),
        sorted({d.strip().lower() for d in domains if d.strip()}),
    )
    if not ips and not domains:
        raise DomainError(_l("Select at least one IP address or email domain."))
    if not (reason or "").strip():
        raise DomainError(_l("Record the reason for the invalidation."), field="reason")
    if since >= until or until - since > timedelta(days=400):
        raise DomainError(_l("Choose a valid time window."))
    now = now or utc_now()
    record = PetitionInvalidation(
        petition_id=petition.id,
        actor_id=moderator.id,
        reason=reason.strip(),
        criteria={"ips": ips, "domains": domains, "since": since.isoformat(), "until": until.isoformat()},
    )
    db.session.add(record)
    db.session.flush()
    condition = integrity.matching_signatures(petition.id, ips, domains, since, until)
    record.invalidated_count = integrity.invalidate_matching(petition.id, condition, record.id, now)
    db.session.flush()
    db.session.refresh(petition)
    tallies.recheck_thresholds(petition)
    audit.record(
        "petitions.invalidate",
        petition,
        actor=moderator,
        after={"invalidation": record.id, "count": record.invalidated_count, **record.criteria},
    )
    return record
