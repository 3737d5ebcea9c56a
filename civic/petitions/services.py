"""Petition use cases: drafting, supporters, moderation, opening and closing, the official response.

Services flush and never commit; staff actions are audited; people are notified in their own language.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from civic import db
from civic.core import signals
from civic.core.errors import Conflict, DomainError, PermissionDenied
from civic.core.http import path_for
from civic.core.i18n import format_day
from civic.db import utc_now
from civic.identity import audit
from civic.identity.models import AssuranceLevel, Category, StateBody, Territory, User
from civic.identity.notifications import notify
from civic.identity.permissions import holders
from civic.petitions import rules, signing, similarity, tallies
from civic.petitions.models import (
    Petition,
    PetitionSignature,
    PetitionState,
    PetitionSupporter,
)
from civic.petitions.permissions import MODERATE, RESPOND

S = PetitionState


def petition_link(petition: Petition) -> str:
    return path_for("petitions.detail", petition_id=petition.id)


def body_officials(body: StateBody | None) -> list[User]:
    """The people told about a petition routed to ``body``: whoever may answer for it (``petitions.respond`` over
    the body; administrators only through another role), in one query."""
    if body is None:
        return []
    return holders(RESPOND, body=body)


# --- drafting -----------------------------------------------------------------------------------------------------
def _check_content(title: str, text: str, territory: Territory | None, category: Category | None) -> None:
    if territory is None:
        raise DomainError(_l("Choose the territory the petition is addressed to."), field="territory")
    if category is None or category.code not in rules.PETITION_CATEGORY_CODES or not category.is_active:
        raise DomainError(_l("Choose one of the offered categories."), field="category")
    if len(title.strip()) < 10:
        raise DomainError(_l("Say in at least 10 characters what the akimat should do."), field="title")
    if len(text.strip()) < 30:
        raise DomainError(_l("Explain the petition in at least 30 characters."), field="text")


def create_draft(
    author: User, title: str, text: str, territory: Territory | None, category: Category | None, language: str = "kk"
) -> Petition:
    """Start a petition as a private draft."""
    if not author.has_level(AssuranceLevel.EMAIL_VERIFIED):
        raise PermissionDenied(_l("Confirm your email before you start a petition."))
    _check_content(title, text, territory, category)
    petition = Petition(
        author=author,
        title=title.strip(),
        text=text.strip(),
        territory=territory,
        category=category,
        language=language,
        state=S.DRAFT,
        supporter_token=secrets.token_urlsafe(24),
    )
    petition.search_text = similarity.normalise(f"{petition.title} {petition.text}")
    db.session.add(petition)
    db.session.flush()
    return petition


def update_draft(
    petition: Petition,
    author: User,
    title: str,
    text: str,
    territory: Territory | None,
    category: Category | None,
    language: str,
) -> None:
    """Change a draft; once supporters are asked, the text they back is frozen."""
    if petition.author_id != author.id:
        raise PermissionDenied()
    if petition.state != S.DRAFT:
        raise DomainError(_l("Only a draft can be edited."))
    _check_content(title, text, territory, category)
    petition.title, petition.text, petition.language = title.strip(), text.strip(), language
    petition.territory, petition.category = territory, category
    petition.search_text = similarity.normalise(f"{petition.title} {petition.text}")
    db.session.flush()


def submit_for_supporters(petition: Petition, author: User, now: datetime | None = None) -> None:
    """Freeze the draft and open the private supporters' link."""
    if petition.author_id != author.id:
        raise PermissionDenied()
    if not author.has_level(AssuranceLevel.IIN_VERIFIED):
        raise PermissionDenied(_l("Add your IIN on your account page before you submit a petition."))
    petition.move("submit")
    petition.submitted_at = now or utc_now()
    db.session.flush()


def withdraw(petition: Petition, author: User, now: datetime | None = None) -> None:
    """The author takes the petition back before it opens."""
    if petition.author_id != author.id:
        raise PermissionDenied()
    petition.move("withdraw")
    petition.withdrawn_at = now or utc_now()
    db.session.flush()


def similar_petitions(
    title: str, text: str, territory: Territory, exclude_id: int | None = None, limit: int = 5
) -> list[tuple[Petition, float]]:
    """Up to ``limit`` public or pending petitions in the same city or oblast (or the republic) that read alike."""
    ancestors = territory.ancestor_ids
    root = db.session.get(Territory, ancestors[1] if len(ancestors) > 1 else ancestors[0])
    candidates = db.session.scalars(
        select(Petition)
        .join(Territory, Territory.id == Petition.territory_id)
        .where(
            Petition.state.in_([S.OPEN, S.CLOSED, S.AWAITING_MODERATION]),
            Petition.id != (exclude_id or 0),
            or_(Territory.path.startswith(root.path), Petition.territory_id == ancestors[0]),
        )
        .order_by(Petition.id.desc())
        .limit(2000)
    ).all()
    by_id = {p.id: p for p in candidates}
    ranked = similarity.rank_similar(f"{title} {text}", [(p.id, f"{p.title} {p.text}") for p in candidates], limit)
    return [(by_id[pid], score) for pid, score in ranked]


# --- supporters ---------------------------------------------------------------------------------------------------
def supporter_count(petition: Petition) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(PetitionSupporter).where(PetitionSupporter.petition_id == petition.id)
        )
        or 0
    )


def support(petition: Petition, user: User, notify_me: bool = False, now: datetime | None = None) -> None:
    """Back a petition through its private link; enough supporters send it to moderation."""
    if petition.state != S.GATHERING_SUPPORTERS:
        raise DomainError(_l("This petition is not collecting supporters any more."))
    if petition.author_id == user.id:
        raise DomainError(_l("You wrote this petition: share the link with others."))
    home = user.home_territory.path if user.home_territory else None
    signing.check_eligibility(user, petition.territory.path, home, rules.settings().residence_required)
    try:
        with db.session.begin_nested():
            db.session.add(
                PetitionSupporter(petition_id=petition.id, user_id=user.id, iin_hmac=user.iin_hmac, notify=notify_me)
            )
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(_l("You already support this petition.")) from exc
    if supporter_count(petition) >= rules.settings().supporters_needed:
        _enter_moderation(petition, now or utc_now())


def _enter_moderation(petition: Petition, now: datetime) -> None:
    moved = db.session.execute(
        update(Petition)
        .where(Petition.id == petition.id, Petition.state == S.GATHERING_SUPPORTERS)
        .values(state=S.AWAITING_MODERATION, moderation_started_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(petition)
    if moved.rowcount != 1:
        return
    if petition.author is not None:
        notify(
            petition.author,
            "petitions.in_moderation",
            _l("Your petition “%(title)s” has enough supporters and is with the moderators", title=petition.title),
            _l("Moderators check every petition within 14 days."),
            link=petition_link(petition),
        )
    for moderator in _moderators_for(petition.territory):
        notify(
            moderator,
            "petitions.to_moderate",
            _l("A petition awaits moderation: “%(title)s”", title=petition.title),
            link=path_for("petitions.moderate", petition_id=petition.id),
        )


def _moderators_for(territory: Territory) -> list[User]:
    """The people told that a petition awaits moderation: whoever moderates ``territory`` (``petitions.moderate``
    over it; administrators only through another role), in one query."""
    return holders(MODERATE, territory=territory)


# --- closing and the response -------------------------------------------------------------------------------------
def close_if_expired(petition_id: int, now: datetime | None = None) -> bool:
    """Close an open petition whose window has ended (exactly once, at its closing time)."""
    now = now or utc_now()
    closed = db.session.execute(
        update(Petition)
        .where(Petition.id == petition_id, Petition.state == S.OPEN, Petition.closes_at <= now)
        .values(state=S.CLOSED, closed_at=Petition.closes_at)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        return False
    tallies.tally(petition_id, now)
    petition = db.session.get(Petition, petition_id)
    db.session.refresh(petition)
    if petition.author is not None:
        notify(
            petition.author,
            "petitions.closed",
            _l(
                "Your petition “%(title)s” has closed with %(n)s signatures",
                title=petition.title,
                n=petition.signature_count,
            ),
            link=petition_link(petition),
        )
    return True


def close_expired(now: datetime | None = None) -> list[int]:
    """Close every open petition whose window has ended; returns their ids."""
    now = now or utc_now()
    ids = db.session.scalars(select(Petition.id).where(Petition.state == S.OPEN, Petition.closes_at <= now)).all()
    return [pid for pid in ids if close_if_expired(pid, now)]


def can_respond(user: User, petition: Petition) -> bool:
    return (
        user.is_authenticated
        and petition.state_body is not None
        and petition.state in (S.OPEN, S.CLOSED)
        and user.has_permission(RESPOND, body=petition.state_body)
    )


def publish_response(petition: Petition, official: User, text: str, now: datetime | None = None) -> None:
    """Publish (or correct) the official response; signers who opted in hear about the first publication."""
    if not can_respond(official, petition):
        raise PermissionDenied(_l("Only an official of the body this petition is routed to can answer it."))
    if len((text or "").strip()) < 20:
        raise DomainError(_l("Write a response of at least 20 characters."), field="text")
    now = now or utc_now()
    first = petition.responded_at is None
    before = {"responded_at": None if first else petition.responded_at.isoformat()}
    petition.response_text = text.strip()
    if first:
        petition.responded_at, petition.responder_id, petition.response_body = now, official.id, petition.state_body
    else:
        petition.response_updated_at = now
    db.session.flush()
    audit.record(
        "petitions.respond" if first else "petitions.response_corrected",
        petition,
        actor=official,
        before=before,
        after={
            "responded_at": petition.responded_at.isoformat(),
            "body": getattr(petition.response_body, "code", None),
        },
    )
    if first and petition.author is not None:
        notify(
            petition.author,
            "petitions.response",
            _l("The akimat answered your petition “%(title)s”", title=petition.title),
            link=petition_link(petition),
        )


def signers_to_notify(petition: Petition) -> int:
    """How many signers asked to hear about the response (and are told when it is first published)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(PetitionSignature)
            .where(
                PetitionSignature.petition_id == petition.id,
                PetitionSignature.notify.is_(True),
                PetitionSignature.invalidated_at.is_(None),
                PetitionSignature.user_id != (petition.author_id or 0),
            )
        )
        or 0
    )


def notify_signers_of_response(petition: Petition, batch: int = 500) -> int:
    """Tell the next ``batch`` opted-in signers about the response; returns how many were told (0 when done)."""
    if petition.responded_at is None or petition.response_notified_at is not None:
        return 0
    rows = db.session.execute(
        select(PetitionSignature.id, User)
        .join(User, User.id == PetitionSignature.user_id)
        .where(
            PetitionSignature.petition_id == petition.id,
            PetitionSignature.notify.is_(True),
            PetitionSignature.invalidated_at.is_(None),
            PetitionSignature.id > petition.response_notified_upto,
            User.id != (petition.author_id or 0),
        )
        .order_by(PetitionSignature.id)
        .limit(batch)
    ).all()
    for _signature_id, user in rows:
        notify(
            user,
            "petitions.response",
            _l("The akimat answered the petition “%(title)s” you signed", title=petition.title),
            link=petition_link(petition),
        )
    if rows:
        petition.response_notified_upto = rows[-1][0]
    if len(rows) < batch:
        petition.response_notified_at = utc_now()
    db.session.flush()
    return len(rows)


def notify_signers_job(petition_id: int, batch: int = 500) -> int:
    """Job (civic.core.jobs): tell the next ``batch`` signers about the response, then queue the next batch.

    On a queue (Redis) the batches chain until every signer is told, each in its own short transaction; in-process
    (no Redis) one batch runs after the response is saved and ``flask petitions update-counts`` tells the rest."""
    from civic.core import jobs

    petition = db.session.get(Petition, petition_id, with_for_update=True)
    if petition is None:
        return 0
    told = notify_signers_of_response(petition, batch=batch)
    if told and petition.response_notified_at is None and jobs.runs_on_queue():
        jobs.enqueue("civic.petitions.services:notify_signers_job", petition_id, batch)
    return told


@tallies.threshold_reached.connect
def _announce_threshold(petition: Petition, kind: str, **_extra) -> None:
    """Tell the officials who must answer, and the author, that the petition reached a threshold."""
    link = petition_link(petition)
    if kind == "response":
        due = LazyString(format_day, petition.response_due_at)  # in the language of whoever reads it
        title = _l(
            "Petition “%(title)s” reached %(n)s signatures: the akimat must answer by %(due)s",
            title=petition.title,
            n=petition.response_threshold,
            due=due,
        )
    else:
        title = _l(
            "Petition “%(title)s” reached %(n)s signatures and goes to a public-council hearing",
            title=petition.title,
            n=petition.hearing_threshold,
        )
    recipients = {u.id: u for u in body_officials(petition.state_body)}
    if petition.author is not None:
        recipients[petition.author.id] = petition.author
    for user in recipients.values():
        notify(user, f"petitions.threshold_{kind}", title, link=link)


@signals.user_deleted.connect
def _forget_signer(user: User, **_extra) -> None:
    """An erased account keeps its signatures in the counts, but not the IP or email domain behind them."""
    db.session.execute(
        update(PetitionSignature)
        .where(PetitionSignature.user_id == user.id)
        .values(ip=None, email_domain=None)
        .execution_options(synchronize_session=False)
    )
