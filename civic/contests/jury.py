"""The jury of a competition: criteria, settings, judges invited by email, conflicts of interest and scores.

Written against ``Competition`` (not the idea contest), so a hackathon track judges with the same code; the phase
checks take the owner's phase as an argument.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from civic import db
from civic.contests.models import (
    Competition,
    Criterion,
    Entry,
    EntryState,
    Judge,
    JudgeNote,
    Normalise,
    Recusal,
    Score,
)
from civic.contests.services import PhaseClosed, token_hash
from civic.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied
from civic.core.http import public_url
from civic.core.mail import queue_mail
from civic.db import utc_now
from civic.identity import audit
from civic.identity.models import User

INVITATION_DAYS = 30
CRITERIA_MAX = 12


class Recused(PermissionDenied):
    default_message = _l("You declared a conflict of interest with this entry, so you cannot score it.")


class ScoringClosed(PhaseClosed):
    default_message = _l("Scoring is open only during the jury phase.")


def criteria(competition: Competition) -> list[Criterion]:
    return list(
        db.session.scalars(
            select(Criterion)
            .where(Criterion.competition_id == competition.id)
            .order_by(Criterion.position, Criterion.id)
        )
    )


def _has_scores(competition: Competition) -> bool:
    return (
        db.session.scalar(
            select(Score.id)
            .join(Criterion, Criterion.id == Score.criterion_id)
            .where(Criterion.competition_id == competition.id)
        )
        is not None
    )


def _refuse_if_published(competition: Competition) -> None:
    if competition.results_published_at is not None:
        raise InvalidTransition(competition, "change", _l("The results are published; the jury settings are final."))


def add_criterion(competition, actor, name: str, description: str, weight: float, lo: int, hi: int) -> Criterion:
    _refuse_if_published(competition)
    if _has_scores(competition):
        raise InvalidTransition(competition, "criteria", _l("Judges have started scoring; the criteria are final."))
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise DomainError(_l("Name the criterion (at most 120 characters)."), field="name")
    if weight is None or not weight > 0:
        raise DomainError(_l("A criterion's weight must be positive."), field="weight")
    if lo is None or hi is None or lo >= hi:
        raise DomainError(_l("The lowest score must be below the highest."), field="scale_max")
    existing = criteria(competition)
    if len(existing) >= CRITERIA_MAX:
        raise DomainError(_l("At most %(n)s criteria.", n=CRITERIA_MAX))
    criterion = Criterion(
        competition_id=competition.id,
        position=len(existing),
        name=name,
        description=(description or "").strip()[:500],
        weight=float(weight),
        scale_min=int(lo),
        scale_max=int(hi),
    )
    db.session.add(criterion)
    db.session.flush()
    audit.record("contests.add_criterion", competition, actor=actor, after={"criterion": name, "weight": weight})
    return criterion


def remove_criterion(criterion: Criterion, actor) -> None:
    competition = db.session.get(Competition, criterion.competition_id)
    _refuse_if_published(competition)
    if _has_scores(competition):
        raise InvalidTransition(competition, "criteria", _l("Judges have started scoring; the criteria are final."))
    audit.record("contests.remove_criterion", competition, actor=actor, before={"criterion": criterion.name})
    db.session.delete(criterion)
    db.session.flush()


def save_settings(
    competition: Competition,
    actor,
    *,
    jury_weight: float,
    public_weight: float,
    normalise: str,
    min_judges: int,
    winner_count: int,
) -> None:
    _refuse_if_published(competition)
    if jury_weight < 0 or public_weight < 0 or (jury_weight == 0 and public_weight == 0):
        raise DomainError(_l("The weights must not be negative, and not both zero."), field="jury_weight")
    if normalise not in set(Normalise):
        raise DomainError(_l("Choose how judges' scores are normalised."), field="normalise")
    if not 1 <= min_judges <= 50:
        raise DomainError(_l("An entry needs between 1 and 50 judges."), field="min_judges")
    if not 1 <= winner_count <= 50:
        raise DomainError(_l("Between 1 and 50 winners."), field="winner_count")
    before = {
        "jury_weight": competition.jury_weight,
        "public_weight": competition.public_weight,
        "normalise": competition.normalise,
        "min_judges": competition.min_judges,
        "winner_count": competition.winner_count,
    }
    competition.jury_weight, competition.public_weight = float(jury_weight), float(public_weight)
    competition.normalise, competition.min_judges, competition.winner_count = normalise, min_judges, winner_count
    db.session.flush()
    after = {key: getattr(competition, key) for key in before}
    audit.record("contests.jury_settings", competition, actor=actor, before=before, after=after)


# --------------------------------------------------------------------------- judges


def judges(competition: Competition) -> list[Judge]:
    return list(db.session.scalars(select(Judge).where(Judge.competition_id == competition.id).order_by(Judge.id)))


def invite_judge(competition: Competition, actor: User, email: str, title: str, now: datetime | None = None) -> str:
    """Email a judge an invitation link (a fresh one if they were invited before and have not accepted)."""
    _refuse_if_published(competition)
    now = now or utc_now()
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise DomainError(_l("Enter an email address."), field="email")
    judge = db.session.scalar(select(Judge).where(Judge.competition_id == competition.id, Judge.email == email))
    if judge is not None and judge.accepted_at is not None and judge.revoked_at is None:
        raise Conflict(_l("This judge has already joined the jury."), field="email")
    token = secrets.token_urlsafe(32)
    if judge is None:
        judge = Judge(competition_id=competition.id, email=email, invited_by_id=actor.id)
        db.session.add(judge)
    judge.token_hash, judge.expires_at, judge.revoked_at = (
        token_hash(token),
        now + timedelta(days=INVITATION_DAYS),
        None,
    )
    judge.accepted_at = None  # a removed judge invited again accepts again (their earlier scores stay theirs)
    db.session.flush()
    link = public_url("contests.accept_judge", token=token)
    with force_locale(actor.preferred_locale):
        queue_mail(
            email,
            _("Invitation to the jury of “%(title)s”", title=title),
            _(
                "%(name)s invites you to judge the entries of “%(title)s”. Judges score each entry on the published "
                "criteria and declare any conflict of interest.\n\nOpen this link within %(days)s days to accept; "
                "if you have no account yet, register with this email address first:\n%(link)s",
                name=actor.public_name,
                title=title,
                days=INVITATION_DAYS,
                link=link,
            ),
        )
    audit.record("contests.invite_judge", competition, actor=actor, after={"judge": judge.id})
    return token


def judge_for_token(token: str) -> Judge:
    judge = db.session.scalar(select(Judge).where(Judge.token_hash == token_hash(token)))
    if judge is None:
        raise NotFound(_l("This invitation link is not valid."))
    return judge


def accept_judge(token: str, user: User, now: datetime | None = None) -> Judge:
    now = now or utc_now()
    judge = judge_for_token(token)
    if judge.revoked_at is not None:
        raise InvalidTransition(judge, "accept", _l("This invitation was withdrawn."))
    if judge.accepted_at is not None:
        raise InvalidTransition(judge, "accept", _l("This invitation was already used."))
    if judge.expires_at <= now:
        raise InvalidTransition(judge, "accept", _l("This invitation has expired. Ask the organiser for a new one."))
    if user.email.lower() != judge.email:
        raise DomainError(
            _l("This invitation was sent to another email address. Sign in with that address and open the link again.")
        )
    other = db.session.scalar(
        select(Judge).where(
            Judge.competition_id == judge.competition_id, Judge.user_id == user.id, Judge.id != judge.id
        )
    )
    if other is not None:
        raise Conflict(_l("You are already on this jury."))
    judge.user_id, judge.accepted_at = user.id, now
    db.session.flush()
    return judge


def revoke_judge(judge: Judge, actor: User, now: datetime | None = None) -> None:
    competition = db.session.get(Competition, judge.competition_id)
    _refuse_if_published(competition)
    if judge.revoked_at is not None:
        raise InvalidTransition(judge, "revoke", _l("This judge was already removed."))
    judge.revoked_at = now or utc_now()
    db.session.flush()
    audit.record("contests.revoke_judge", competition, actor=actor, before={"judge": judge.id})


def judge_of(competition: Competition, user) -> Judge | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Judge).where(
            Judge.competition_id == competition.id,
            Judge.user_id == user.id,
            Judge.accepted_at.is_not(None),
            Judge.revoked_at.is_(None),
        )
    )


# --------------------------------------------------------------------------- conflicts and scores


def _entry_in(competition: Competition, entry: Entry) -> None:
    if entry.competition_id != competition.id or entry.state != EntryState.ACCEPTED:
        raise NotFound()


def is_recused(judge: Judge, entry_id: int) -> bool:
    return (
        db.session.scalar(select(Recusal.id).where(Recusal.judge_id == judge.id, Recusal.entry_id == entry_id))
        is not None
    )


def recuse(judge: Judge, entry: Entry, reason: str) -> Recusal:
    """Declare a conflict of interest with an entry: recorded, and any score already given to it is withdrawn."""
    competition = db.session.get(Competition, judge.competition_id)
    _refuse_if_published(competition)
    _entry_in(competition, entry)
    if is_recused(judge, entry.id):
        raise Conflict(_l("You have already declared a conflict of interest with this entry."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say briefly what the conflict of interest is."), field="reason")
    recusal = Recusal(judge_id=judge.id, entry_id=entry.id, reason=reason[:1000])
    db.session.add(recusal)
    db.session.execute(delete(Score).where(Score.judge_id == judge.id, Score.entry_id == entry.id))
    db.session.execute(delete(JudgeNote).where(JudgeNote.judge_id == judge.id, JudgeNote.entry_id == entry.id))
    db.session.flush()
    audit.record("contests.recuse", competition, actor=judge.user, after={"judge": judge.id, "entry": entry.id})
    return recusal


def scores_of(judge: Judge, entry_id: int) -> dict[int, float]:
    return dict(
        db.session.execute(
            select(Score.criterion_id, Score.value).where(Score.judge_id == judge.id, Score.entry_id == entry_id)
        ).all()
    )


def note_of(judge: Judge, entry_id: int) -> str:
    return (
        db.session.scalar(select(JudgeNote.text).where(JudgeNote.judge_id == judge.id, JudgeNote.entry_id == entry_id))
        or ""
    )


def save_scores(
    judge: Judge, entry: Entry, values: dict[int, float | None], note: str, jury_open: bool, now=None
) -> None:
    """Store the judge's scores of an entry (every criterion in its scale; a missing one stays unscored)."""
    now = now or utc_now()
    competition = db.session.get(Competition, judge.competition_id)
    _refuse_if_published(competition)
    _entry_in(competition, entry)
    if is_recused(judge, entry.id):
        raise Recused()
    if not jury_open:
        raise ScoringClosed()
    by_id = {c.id: c for c in criteria(competition)}
    if set(values) - set(by_id):
        raise DomainError(_l("Unknown criterion."))
    for cid, value in values.items():
        c = by_id[cid]
        if value is not None and not c.scale_min <= value <= c.scale_max:
            raise DomainError(
                _l("“%(name)s” is scored from %(lo)s to %(hi)s.", name=c.name, lo=c.scale_min, hi=c.scale_max),
                field=f"c{cid}",
            )
    existing = {
        s.criterion_id: s
        for s in db.session.scalars(select(Score).where(Score.judge_id == judge.id, Score.entry_id == entry.id))
    }
    for cid, value in values.items():
        row = existing.get(cid)
        if value is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(
                Score(judge_id=judge.id, entry_id=entry.id, criterion_id=cid, value=float(value), updated_at=now)
            )
        else:
            row.value, row.updated_at = float(value), now
    text = (note or "").strip()[:2000]
    row = db.session.scalar(select(JudgeNote).where(JudgeNote.judge_id == judge.id, JudgeNote.entry_id == entry.id))
    if row is None and text:
        db.session.add(JudgeNote(judge_id=judge.id, entry_id=entry.id, text=text))
    elif row is not None:
        row.text = text
    db.session.flush()


def progress(judge: Judge) -> dict[int, str]:
    """entry id -> "done" / "partial" / "recused" for the judge's list."""
    n = db.session.scalar(
        select(func.count()).select_from(Criterion).where(Criterion.competition_id == judge.competition_id)
    )
    counts = dict(
        db.session.execute(
            select(Score.entry_id, func.count()).where(Score.judge_id == judge.id).group_by(Score.entry_id)
        ).all()
    )
    status = {eid: ("done" if count >= n else "partial") for eid, count in counts.items()}
    for eid in db.session.scalars(select(Recusal.entry_id).where(Recusal.judge_id == judge.id)):
        status[eid] = "recused"
    return status
