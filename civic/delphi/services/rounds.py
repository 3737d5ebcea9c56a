"""Rounds: open (freezing panel and rules at round 1), remind, close (analyse and store the report), moderate
justifications, publish the feedback."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select

from civic import db
from civic.core.errors import DomainError, InvalidTransition, NotFound
from civic.core.i18n import format_when
from civic.db import utc_now
from civic.delphi import pseudonyms
from civic.delphi.analysis import analyse_rounds, effective_config
from civic.delphi.links import answer_path, feedback_path, manage_path, study_path
from civic.delphi.models import (
    DelphiAnswer,
    DelphiPanelist,
    DelphiParticipation,
    DelphiRound,
    DelphiStudy,
    RoundStatus,
    StudyStatus,
)
from civic.delphi.models.answers import random_id
from civic.delphi.services.panel import expire_pending_invitations
from civic.identity import audit
from civic.identity.models import User
from civic.identity.notifications import notify

MANUAL_REMINDER_GAP = timedelta(hours=1)
_shuffle = random.SystemRandom().shuffle


def _panel(study: DelphiStudy) -> list[DelphiPanelist]:
    return list(
        db.session.scalars(
            select(DelphiPanelist).where(DelphiPanelist.study_id == study.id).order_by(DelphiPanelist.id)
        )
    )


def _check_opening(study: DelphiStudy, deadline: datetime, now: datetime, proposals: bool) -> int:
    """Refuse an opening the rules forbid; return the new round's number."""
    if study.is_finished:
        raise InvalidTransition(study, "open", _l("The study is finished."))
    if study.open_round is not None:
        raise InvalidTransition(study, "open", _l("Round %(n)s is still open.", n=study.open_round.number))
    if deadline <= now + timedelta(hours=1):
        raise DomainError(_l("Choose a deadline at least one hour from now."), field="deadline")
    if proposals:
        if study.rounds:
            raise InvalidTransition(study, "open", _l("A proposals round can only come before round 1."))
        return 0
    voting = study.voting_rounds
    number = voting[-1].number + 1 if voting else 1
    if voting and voting[-1].status != RoundStatus.PUBLISHED:
        raise InvalidTransition(
            study, "open", _l("Publish the feedback of round %(n)s before opening the next round.", n=voting[-1].number)
        )
    if number > effective_config(study)["max_rounds"]:
        raise InvalidTransition(
            study,
            "open",
            _l(
                "The rules of this study allow at most %(n)s rounds. Finish the study.",
                n=effective_config(study)["max_rounds"],
            ),
        )
    if not study.active_items:
        raise InvalidTransition(study, "open", _l("No open item is left to ask: add an item or finish the study."))
    return number


def open_round(
    study: DelphiStudy, actor, deadline: datetime, now: datetime | None = None, proposals: bool = False
) -> DelphiRound:
    """Open the next round (or round 0 for proposals) for the whole panel until ``deadline``."""
    now = now or utc_now()
    number = _check_opening(study, deadline, now, proposals)
    panel = _panel(study)
    n_min = effective_config(study)["n_min"]
    if not proposals and len(panel) < n_min:
        raise DomainError(
            _l(
                "The panel needs at least %(n)s members: results are shown only for items with at least %(n)s answers.",
                n=n_min,
            )
        )
    if proposals and not panel:
        raise DomainError(_l("Add panelists first."))
    if number == 1:
        study.frozen_at = now
        expire_pending_invitations(study)
    rnd = DelphiRound(
        study=study, number=number, status=RoundStatus.OPEN, opened_at=now, deadline=deadline, invited_count=len(panel)
    )
    if not proposals:
        rnd.items = list(study.active_items)
        for item in rnd.items:
            item.first_round = item.first_round or number
    db.session.add(rnd)
    db.session.flush()
    db.session.add_all(DelphiParticipation(round_id=rnd.id, panelist_id=p.id) for p in panel)
    study.status = StudyStatus.RUNNING
    db.session.flush()
    for panelist in panel:
        _announce(rnd, panelist.user)
    audit.record(
        "delphi.open_round",
        study,
        actor=actor,
        after={"round": number, "deadline": deadline.isoformat(), "items": [i.code for i in rnd.items]},
    )
    return rnd


def _announce(rnd: DelphiRound, user: User) -> None:
    study = rnd.study
    if rnd.is_proposals:
        title = lambda: _("Propose questions for the Delphi study \u201c%(title)s\u201d", title=study.title)  # noqa: E731
        link = study_path(study.id, "/propose")
    else:

        def title():
            return _(
                "Round %(n)s of the Delphi study \u201c%(title)s\u201d is open",
                n=rnd.number,  # noqa: E731
                title=study.title,
            )

        link = answer_path(study.id, rnd.number)
    notify(
        user,
        "delphi.round_open",
        title,
        lambda: _("Please answer before %(deadline)s.", deadline=format_when(rnd.deadline)),
        link=link,
    )


def _require_open(rnd: DelphiRound) -> None:
    if not rnd.is_open:
        raise InvalidTransition(rnd, "close", _l("Round %(n)s is not open.", n=rnd.number))


def close_round(rnd: DelphiRound, actor=None, now: datetime | None = None) -> None:
    """Close a round: drop unsubmitted drafts, reshuffle the stored answers, analyse and store the report."""
    _require_open(rnd)
    study = rnd.study
    rnd.status, rnd.closed_at = RoundStatus.CLOSED, now or utc_now()
    participations = _participations(rnd)
    rnd.responded_count = sum(1 for p in participations if p.submitted)
    discarded = 0
    if not rnd.is_proposals:
        discarded = _discard_drafts(rnd, [p for p in participations if not p.submitted])
        _reshuffle_answers(rnd)
        rnd.report, rnd.extras = analyse_rounds(study, study.closed_rounds)
        _retire_items(rnd)
    db.session.flush()
    if study.organiser is not None:
        notify(
            study.organiser,
            "delphi.round_closed",
            lambda: _("Round %(n)s of \u201c%(title)s\u201d is closed", n=rnd.number, title=study.title),
            lambda: _("Review the justifications, then publish the feedback to the panel."),
            link=manage_path(study.id),
        )
    audit.record(
        "delphi.close_round",
        study,
        actor=actor,
        after={
            "round": rnd.number,
            "responded": rnd.responded_count,
            "invited": rnd.invited_count,
            "draft_answers_discarded": discarded,
            "decision": (rnd.stopping or {}).get("decision"),
        },
    )


def _participations(rnd: DelphiRound) -> list[DelphiParticipation]:
    return list(db.session.scalars(select(DelphiParticipation).where(DelphiParticipation.round_id == rnd.id)))


def _discard_drafts(rnd: DelphiRound, unsubmitted: list[DelphiParticipation]) -> int:
    """An unsubmitted draft is not an answer: it never enters the statistics. This is the one place where the
    system itself joins panel and pseudonyms; it is logged (as a count) with the close."""
    if not unsubmitted:
        return 0
    names = [pseudonyms.pseudonym(rnd, p.panelist.user_id) for p in unsubmitted]
    result = db.session.execute(
        delete(DelphiAnswer).where(DelphiAnswer.round_id == rnd.id, DelphiAnswer.pseudonym.in_(names))
    )
    return result.rowcount or 0


def _reshuffle_answers(rnd: DelphiRound) -> None:
    """Rewrite the round's answers in random order with fresh ids, so storage order tells nothing about who
    saved first (PostgreSQL keeps insertion order in its heap; SQLite tables here have no rowid)."""
    columns = (
        DelphiAnswer.item_id,
        DelphiAnswer.pseudonym,
        DelphiAnswer.value,
        DelphiAnswer.justification,
        DelphiAnswer.justification_hidden,
    )
    rows = [dict(row._mapping) for row in db.session.execute(select(*columns).where(DelphiAnswer.round_id == rnd.id))]
    db.session.execute(delete(DelphiAnswer).where(DelphiAnswer.round_id == rnd.id))
    _shuffle(rows)
    if rows:
        db.session.execute(insert(DelphiAnswer), [{**row, "round_id": rnd.id, "id": random_id()} for row in rows])
    db.session.flush()
    db.session.expire_all()  # answer objects loaded earlier in this session no longer exist


def _retire_items(rnd: DelphiRound) -> None:
    """Items that reached a stable verdict are not asked again; their last status is kept."""
    statuses = (rnd.stopping or {}).get("item_status", {})
    retire = effective_config(rnd.study)["retire_closed_items"]
    for item in rnd.items:
        status = statuses.get(item.code)
        if status:
            item.final_status = status
        if retire and status and status.startswith("closed") and item.retired_after_round is None:
            item.retired_after_round = rnd.number


def close_due_rounds(now: datetime | None = None, study: DelphiStudy | None = None) -> list[DelphiRound]:
    """Close every open round whose deadline has passed (``flask delphi close-due-rounds``; pages never do).

    Each round closes as of its deadline, whenever the job runs."""
    now = now or utc_now()
    stmt = select(DelphiRound).where(DelphiRound.status == RoundStatus.OPEN, DelphiRound.deadline <= now)
    if study is not None:
        stmt = stmt.where(DelphiRound.study_id == study.id)
    # Row locks (PostgreSQL) so that two overlapping runs of the job do not both close the round.
    due = list(db.session.scalars(stmt.order_by(DelphiRound.deadline).with_for_update(skip_locked=True)))
    for rnd in due:
        close_round(rnd, actor=None, now=rnd.deadline)
    return due


def extend_deadline(rnd: DelphiRound, actor, deadline: datetime, now: datetime | None = None) -> None:
    """Move an open round's deadline later and tell those who have not answered yet."""
    _require_open(rnd)
    if deadline <= max(rnd.deadline, now or utc_now()):
        raise DomainError(_l("The new deadline must be later than the current one."), field="deadline")
    before = rnd.deadline
    rnd.deadline = deadline
    db.session.flush()
    for participation in _participations(rnd):
        if not participation.submitted:
            notify(
                participation.panelist.user,
                "delphi.deadline",
                lambda: _("More time for round %(n)s of \u201c%(title)s\u201d", n=rnd.number, title=rnd.study.title),
                lambda: _("The new deadline is %(deadline)s.", deadline=format_when(rnd.deadline)),
                link=answer_path(rnd.study_id, rnd.number),
            )
    audit.record(
        "delphi.extend_deadline",
        rnd.study,
        actor=actor,
        before={"deadline": before.isoformat()},
        after={"round": rnd.number, "deadline": deadline.isoformat()},
    )


def remind_non_responders(rnd: DelphiRound, actor=None, now: datetime | None = None) -> int:
    """Remind only the panelists who have not submitted this round. Returns how many were reminded."""
    now = now or utc_now()
    if not rnd.is_open:
        raise InvalidTransition(rnd, "remind", _l("Reminders are only sent while a round is open."))
    if actor is not None and rnd.last_reminder_at and now - rnd.last_reminder_at < MANUAL_REMINDER_GAP:
        raise InvalidTransition(rnd, "remind", _l("A reminder was sent less than an hour ago."))
    pending = [p for p in _participations(rnd) if not p.submitted]
    link = study_path(rnd.study_id, "/propose") if rnd.is_proposals else answer_path(rnd.study_id, rnd.number)
    for participation in pending:
        notify(
            participation.panelist.user,
            "delphi.reminder",
            lambda: _("Reminder: round %(n)s of \u201c%(title)s\u201d", n=rnd.number, title=rnd.study.title),
            lambda: _(
                "You have not submitted your answers yet. The round closes on %(deadline)s.",
                deadline=format_when(rnd.deadline),
            ),
            link=link,
        )
    rnd.last_reminder_at = now
    db.session.flush()
    audit.record("delphi.remind", rnd.study, actor=actor, after={"round": rnd.number, "reminded": len(pending)})
    return len(pending)


def remind_due(hours_before: int = 48, now: datetime | None = None) -> int:
    """CLI: remind non-responders of rounds closing within ``hours_before`` hours, at most once a day per round."""
    now = now or utc_now()
    rounds = db.session.scalars(
        select(DelphiRound).where(
            DelphiRound.status == RoundStatus.OPEN,
            DelphiRound.deadline > now,
            DelphiRound.deadline <= now + timedelta(hours=hours_before),
        )
    ).all()
    total = 0
    for rnd in rounds:
        if rnd.last_reminder_at is None or now - rnd.last_reminder_at >= timedelta(hours=24):
            total += remind_non_responders(rnd, actor=None, now=now)
    return total


def publish_feedback(rnd: DelphiRound, actor, now: datetime | None = None) -> None:
    """Show the round's feedback to the panel (after the justifications were reviewed)."""
    if rnd.status != RoundStatus.CLOSED or rnd.is_proposals:
        raise InvalidTransition(rnd, "publish", _l("Only a closed answer round can be published."))
    rnd.status, rnd.published_at = RoundStatus.PUBLISHED, now or utc_now()
    db.session.flush()
    for panelist in _panel(rnd.study):
        notify(
            panelist.user,
            "delphi.feedback",
            lambda: _("Feedback from round %(n)s of \u201c%(title)s\u201d", n=rnd.number, title=rnd.study.title),
            lambda: _("See how the panel answered, with your own answer highlighted."),
            link=feedback_path(rnd.study_id, rnd.number),
        )
    audit.record("delphi.publish_feedback", rnd.study, actor=actor, after={"round": rnd.number})


def set_justification_hidden(rnd: DelphiRound, actor, answer_id: str, hidden: bool) -> None:
    """Hide (or show again) one justification, e.g. because it identifies its author."""
    if rnd.is_open:
        raise InvalidTransition(rnd, "moderate", _l("Justifications are reviewed after the round closes."))
    answer = db.session.get(DelphiAnswer, answer_id)
    if answer is None or answer.round_id != rnd.id or not answer.justification:
        raise NotFound(_l("This justification does not exist."))
    answer.justification_hidden = bool(hidden)
    db.session.flush()
    audit.record(
        "delphi.hide_justification" if hidden else "delphi.show_justification",
        rnd.study,
        actor=actor,
        after={"round": rnd.number},
    )
