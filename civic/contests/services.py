"""Idea contests: creating and publishing them, their phases, entries and co-authors, screening, comments and pledges.

Services ``add``/``flush`` and never commit; they raise ``DomainError``s with translated messages and audit staff
actions. Voting is in ``voting.py``, the jury in ``jury.py``, results in ``results.py``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from civic import db
from civic.contests.models import (
    PHASE_LABELS,
    PHASE_STARTS,
    Coauthor,
    Comment,
    CommentReport,
    CommentState,
    Competition,
    Contest,
    ContestState,
    Criterion,
    Entry,
    EntryState,
    Judge,
    Phase,
    Pledge,
    PledgeKind,
    RewardKind,
    ScreeningReason,
    Vote,
)
from civic.contests.permissions import ORGANISE
from civic.core import links, signals
from civic.core.errors import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied
from civic.core.http import path_for, public_url
from civic.core.mail import queue_mail
from civic.db import utc_now
from civic.identity import audit
from civic.identity.models import AssuranceLevel, StateBody, User
from civic.identity.notifications import notify
from civic.identity.permissions import scopes

TITLE_MAX = 200
TEXT_MAX = 20_000
LINKS_MAX = 10
COAUTHORS_MAX = 5
COMMENT_MAX = 2_000
VOTES_PER_VOTER_MAX = 10


class PhaseClosed(InvalidTransition):
    default_message = _l("This is not possible in the contest's current phase.")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --------------------------------------------------------------------------- contests


@dataclass
class ContestData:
    title: str
    text: str
    rules: str
    territory: object
    category: object | None
    body: object | None
    reward_kind: str
    reward_text: str
    votes_per_voter: int
    submission_opens_at: datetime
    submission_closes_at: datetime
    voting_opens_at: datetime
    voting_closes_at: datetime
    results_at: datetime
    implementation_at: datetime
    #: What the contest is linked to ("initiative", 4): any type of the link registry but contests.
    link_type: str | None = None
    link_id: int | None = None


DATE_FIELDS = tuple(column for _phase, column in PHASE_STARTS)


def _check_data(data: ContestData) -> None:
    if not data.title.strip() or len(data.title) > TITLE_MAX:
        raise DomainError(_l("Give the contest a title of at most %(n)s characters.", n=TITLE_MAX), field="title")
    if not data.text.strip() or len(data.text) > TEXT_MAX:
        raise DomainError(_l("Describe the problem (at most %(n)s characters).", n=TEXT_MAX), field="text")
    if data.reward_kind not in set(RewardKind):
        raise DomainError(_l("Choose what the winners get."), field="reward_kind")
    if not 1 <= data.votes_per_voter <= VOTES_PER_VOTER_MAX:
        raise DomainError(
            _l("Each voter has between 1 and %(n)s votes.", n=VOTES_PER_VOTER_MAX), field="votes_per_voter"
        )
    dates = [getattr(data, column) for column in DATE_FIELDS]
    strict = (True, False, True, True, False)  # submission and voting and jury take time; screening may be skipped
    for k, must_grow in enumerate(strict):
        if dates[k + 1] < dates[k] or (must_grow and dates[k + 1] == dates[k]):
            raise DomainError(
                _l("The phases must follow each other: submission, screening, voting, jury, results, implementation."),
                field=DATE_FIELDS[k + 1],
            )


def _check_link(actor: User, data: ContestData, contest: Contest | None = None) -> None:
    """A link must name an object of another module the organiser may see (an unchanged link stays as it is)."""
    if not data.link_type:
        data.link_id = None
        return
    if contest is not None and (contest.linked_object_type, contest.linked_object_id) == (data.link_type, data.link_id):
        return
    if data.link_type == "contest" or not links.registry().knows(data.link_type):
        raise DomainError(_l("Unknown kind of linked object."), field="link_type")
    if not data.link_id or links.resolve(data.link_type, data.link_id, actor) is None:
        raise DomainError(_l("No object of this kind with this number is visible to you."), field="link_id")


def create_contest(actor: User, data: ContestData) -> Contest:
    _check_data(data)
    _check_link(actor, data)
    competition = Competition()
    db.session.add(competition)
    db.session.flush()
    contest = Contest(competition_id=competition.id, organiser_id=actor.id, state=ContestState.DRAFT)
    _apply(contest, data)
    db.session.add(contest)
    db.session.flush()
    audit.record("contests.create", contest, actor=actor, after={"title": contest.title})
    return contest


def _apply(contest: Contest, data: ContestData) -> None:
    contest.title, contest.text, contest.rules = data.title.strip(), data.text, data.rules or ""
    contest.territory, contest.category, contest.body = data.territory, data.category, data.body
    contest.reward_kind, contest.reward_text = data.reward_kind, (data.reward_text or "").strip()
    contest.votes_per_voter = data.votes_per_voter
    contest.linked_object_type = data.link_type or None
    contest.linked_object_id = data.link_id if data.link_type else None
    for column in DATE_FIELDS:
        setattr(contest, column, getattr(data, column))


def update_contest(contest: Contest, actor: User, data: ContestData, now: datetime | None = None) -> None:
    """Edit a contest. Once published, the phase dates already passed and the number of votes stay as they are."""
    now = now or utc_now()
    _check_data(data)
    _check_link(actor, data, contest)
    for column in DATE_FIELDS:  # the form shows minutes: a date given back unchanged keeps its seconds
        old, new = getattr(contest, column), getattr(data, column)
        if old.replace(second=0, microsecond=0) == new.replace(second=0, microsecond=0):
            setattr(data, column, old)
    if contest.state == ContestState.PUBLISHED:
        for column in DATE_FIELDS:
            old, new = getattr(contest, column), getattr(data, column)
            if old != new and (old <= now or new <= now):
                raise DomainError(
                    _l("A phase that has begun keeps its date; use “Move to the next phase” to end a phase early."),
                    field=column,
                )
        if data.territory.id != contest.territory_id or (data.body and data.body.id) != contest.body_id:
            raise DomainError(
                _l(
                    "A published contest keeps its territory and organising body: voters and organisers depend on them."
                ),
                field="territory",
            )
        if data.votes_per_voter != contest.votes_per_voter and contest.voting_opens_at <= now:
            raise DomainError(_l("The number of votes cannot change once voting has begun."), field="votes_per_voter")
    before = {column: getattr(contest, column).isoformat() for column in DATE_FIELDS}
    _apply(contest, data)
    db.session.flush()
    after = {column: getattr(contest, column).isoformat() for column in DATE_FIELDS}
    audit.record("contests.update", contest, actor=actor, before=before, after=after)


def own_body(actor: User, bodies) -> StateBody | None:
    """The body a new contest of ``actor`` starts with: the first of ``bodies`` (those they may organise for) that
    their organiser role names, i.e. an official's own body; None for roles that name none (an administrator)."""
    named = set(scopes(actor, ORGANISE).body_ids)
    return next((body for body in bodies if body.id in named), None)


def publish_contest(contest: Contest, actor: User, now: datetime | None = None) -> None:
    """Publish a draft. A jury that counts (weight above 0) needs criteria to score on: without them no entry could
    be ranked (docs/contests.md, "Publishing"); a contest decided by the public vote alone has jury weight 0."""
    now = now or utc_now()
    if contest.state != ContestState.DRAFT:
        raise InvalidTransition(contest, "publish", _l("Only a draft contest can be published."))
    if contest.submission_closes_at <= now:
        raise DomainError(_l("The submission phase has already ended: set new dates before publishing."))
    competition = contest.competition
    if competition.jury_weight > 0 and not _has_criteria(competition):
        raise InvalidTransition(
            contest,
            "publish",
            _l(
                "Add the jury's criteria before publishing: the judges score the ideas on them, and the jury's "
                "score counts in the ranking."
            ),
        )
    contest.state = ContestState.PUBLISHED
    db.session.flush()
    audit.record("contests.publish", contest, actor=actor)
    announce_phase(contest, now)


def _has_criteria(competition: Competition) -> bool:
    return (
        db.session.scalar(select(Criterion.id).where(Criterion.competition_id == competition.id).limit(1)) is not None
    )


def advance_phase(contest: Contest, actor: User, now: datetime | None = None) -> Phase:
    """End the current phase now (the organiser's early move, audited): the next phase starts at ``now``."""
    now = now or utc_now()
    current = contest.phase_at(now)
    order = [phase for phase, _column in PHASE_STARTS]
    if current == Phase.DRAFT or current == Phase.IMPLEMENTATION:
        raise PhaseClosed(contest, "advance", _l("This contest has no next phase to move to."))
    following = order[0] if current == Phase.ANNOUNCED else order[order.index(current) + 1]
    column = dict(PHASE_STARTS)[following]
    before = getattr(contest, column)
    setattr(contest, column, now)
    db.session.flush()
    audit.record(
        "contests.advance_phase",
        contest,
        actor=actor,
        before={"phase": str(current), column: before.isoformat()},
        after={"phase": str(following), column: now.isoformat()},
    )
    announce_phase(contest, now)
    return following


def announce_phase(contest: Contest, now: datetime | None = None) -> bool:
    """Record the contest's phase and tell the people the new phase concerns; False if nothing changed."""
    now = now or utc_now()
    phase = contest.phase_at(now)
    if contest.announced_phase == phase:
        return False
    contest.announced_phase = phase
    db.session.flush()
    link = path_for("contests.detail", contest_id=contest.id)
    title = contest.title
    if phase == Phase.VOTING:
        for user in _entry_people(contest, EntryState.ACCEPTED):
            notify(
                user,
                "contests.voting_open",
                lambda: _("Public voting has opened in “%(title)s”", title=title),
                lambda: _("Residents can now vote for your idea."),
                link,
            )
    elif phase == Phase.JURY:
        for judge in active_judges(contest.competition):
            notify(
                judge.user,
                "contests.jury_open",
                lambda: _("The jury of “%(title)s” can score now", title=title),
                lambda: _("Open the jury page to score the entries and declare any conflict of interest."),
                path_for("contests.jury", contest_id=contest.id),
            )
    elif phase == Phase.RESULTS and contest.competition.results_published_at is None:
        for organiser in _organisers(contest):
            notify(
                organiser,
                "contests.results_due",
                lambda: _("The jury phase of “%(title)s” has ended", title=title),
                lambda: _("Review the ranking and publish the results."),
                path_for("contests.manage", contest_id=contest.id),
            )
    return True


def announce_due_phases(now: datetime | None = None) -> list[Contest]:
    """The periodic job: announce every published contest whose phase changed since it was last announced."""
    now = now or utc_now()
    changed = []
    for contest in db.session.scalars(
        select(Contest).where(Contest.state == ContestState.PUBLISHED).order_by(Contest.id)
    ):
        if announce_phase(contest, now):
            changed.append(contest)
    return changed


def phase_label(phase: Phase) -> str:
    return str(PHASE_LABELS[phase])


def _organisers(contest: Contest) -> list[User]:
    """Who organises the contest now: the holders of ``contests.organise`` over its territory and body."""
    from civic.contests.permissions import ORGANISE
    from civic.identity.permissions import holders

    return holders(ORGANISE, territory=contest.territory, body=contest.body)


def active_judges(competition: Competition) -> list[Judge]:
    return list(
        db.session.scalars(
            select(Judge)
            .where(
                Judge.competition_id == competition.id,
                Judge.accepted_at.is_not(None),
                Judge.revoked_at.is_(None),
                Judge.user_id.is_not(None),
            )
            .order_by(Judge.id)
        )
    )


def _entry_people(contest: Contest, state: EntryState) -> list[User]:
    entries = db.session.scalars(
        select(Entry).where(Entry.competition_id == contest.competition_id, Entry.state == state)
    ).all()
    ids = sorted({uid for entry in entries for uid in entry.author_ids()})
    return [db.session.get(User, uid) for uid in ids]


def contest_of(entry: Entry) -> Contest:
    contest = db.session.scalar(select(Contest).where(Contest.competition_id == entry.competition_id))
    if contest is None:
        raise NotFound()
    return contest


# --------------------------------------------------------------------------- entries


def _require_phase(contest: Contest, now: datetime, *phases: Phase, message=None) -> None:
    if contest.phase_at(now) not in phases:
        raise PhaseClosed(contest, "phase", message)


def parse_links(text: str, *, video: bool) -> list[dict]:
    links = []
    for line in (text or "").splitlines():
        url = line.strip()
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
            raise DomainError(
                _l("“%(url)s” is not a web address (it must start with https:// or http://).", url=url[:80]),
                field="video_links" if video else "links",
            )
        links.append({"url": url, "video": video})
    return links


def _check_entry(title: str, text: str, links: list[dict]) -> None:
    if not title.strip() or len(title) > TITLE_MAX:
        raise DomainError(_l("Give your idea a title of at most %(n)s characters.", n=TITLE_MAX), field="title")
    if not text.strip() or len(text) > TEXT_MAX:
        raise DomainError(_l("Describe your idea (at most %(n)s characters).", n=TEXT_MAX), field="text")
    if len(links) > LINKS_MAX:
        raise DomainError(_l("At most %(n)s links.", n=LINKS_MAX), field="links")


def submit_entry(contest: Contest, author: User, title: str, text: str, links: list[dict], now=None) -> Entry:
    now = now or utc_now()
    if not author.has_level(AssuranceLevel.EMAIL_VERIFIED):
        raise PermissionDenied(_l("Confirm your email address before you submit an idea."))
    _require_phase(
        contest, now, Phase.SUBMISSION, message=_l("Ideas can be submitted only during the submission phase.")
    )
    _check_entry(title, text, links)
    entry = Entry(
        competition_id=contest.competition_id,
        author_id=author.id,
        title=title.strip(),
        text=text,
        links=links,
        state=EntryState.SUBMITTED,
        updated_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def update_entry(entry: Entry, contest: Contest, actor: User, title: str, text: str, links: list[dict], now=None):
    """Authors and co-authors edit until submission closes; an edited entry goes back to screening."""
    now = now or utc_now()
    if not entry.is_author(actor):
        raise PermissionDenied()
    if entry.state == EntryState.WITHDRAWN:
        raise InvalidTransition(entry, "edit", _l("A withdrawn idea cannot be edited."))
    _require_phase(contest, now, Phase.SUBMISSION, message=_l("Ideas can be edited only until submission closes."))
    _check_entry(title, text, links)
    entry.title, entry.text, entry.links, entry.updated_at = title.strip(), text, links, now
    if entry.state in (EntryState.ACCEPTED, EntryState.REJECTED):
        entry.state, entry.screening_reason, entry.screening_note = EntryState.SUBMITTED, None, None
        entry.screened_at = entry.screened_by_id = None
    db.session.flush()


def withdraw_entry(entry: Entry, contest: Contest, actor: User, now=None) -> None:
    """The author withdraws the idea until voting closes; its votes are given back to the voters."""
    now = now or utc_now()
    if entry.author_id != actor.id:
        raise PermissionDenied(_l("Only the author can withdraw the idea."))
    if entry.state == EntryState.WITHDRAWN:
        raise InvalidTransition(entry, "withdraw", _l("This idea is already withdrawn."))
    _require_phase(
        contest,
        now,
        Phase.SUBMISSION,
        Phase.SCREENING,
        Phase.VOTING,
        message=_l("An idea can be withdrawn only until voting closes."),
    )
    entry.state, entry.withdrawn_at = EntryState.WITHDRAWN, now
    db.session.execute(delete(Vote).where(Vote.entry_id == entry.id))
    db.session.flush()


def invite_coauthor(entry: Entry, contest: Contest, actor: User, email: str, now=None) -> str:
    now = now or utc_now()
    if entry.author_id != actor.id:
        raise PermissionDenied(_l("Only the author can invite co-authors."))
    _require_phase(
        contest, now, Phase.SUBMISSION, message=_l("Co-authors can be invited only until submission closes.")
    )
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise DomainError(_l("Enter an email address."), field="email")
    if actor.email.lower() == email:
        raise DomainError(_l("You are the author already."), field="email")
    if len(entry.coauthors) >= COAUTHORS_MAX:
        raise DomainError(_l("An idea has at most %(n)s co-authors.", n=COAUTHORS_MAX), field="email")
    if any(c.email == email for c in entry.coauthors):
        raise Conflict(_l("This address is already invited."), field="email")
    token = secrets.token_urlsafe(32)
    entry.coauthors.append(Coauthor(email=email, token_hash=token_hash(token)))
    db.session.flush()
    link = public_url("contests.accept_coauthor", token=token)
    with force_locale(actor.preferred_locale):
        queue_mail(
            email,
            _("Co-author the idea “%(title)s”", title=entry.title),
            _(
                "%(name)s invites you to co-author the idea “%(title)s” in the contest “%(contest)s”.\n\n"
                "Open this link to accept; if you have no account yet, register with this email address first:\n"
                "%(link)s",
                name=actor.public_name,
                title=entry.title,
                contest=contest.title,
                link=link,
            ),
        )
    return token


def coauthor_for_token(token: str) -> Coauthor:
    coauthor = db.session.scalar(select(Coauthor).where(Coauthor.token_hash == token_hash(token)))
    if coauthor is None:
        raise NotFound(_l("This invitation link is not valid."))
    return coauthor


def accept_coauthor(token: str, user: User, now=None) -> Coauthor:
    coauthor = coauthor_for_token(token)
    if coauthor.accepted_at is not None:
        raise InvalidTransition(coauthor, "accept", _l("This invitation was already used."))
    if user.email.lower() != coauthor.email:
        raise DomainError(
            _l("This invitation was sent to another email address. Sign in with that address and open the link again.")
        )
    if coauthor.entry.author_id == user.id:
        raise Conflict(_l("You are the author already."))
    coauthor.user_id, coauthor.accepted_at = user.id, now or utc_now()
    # Nobody votes for their own idea: a co-author's earlier vote for it is taken back.
    db.session.execute(delete(Vote).where(Vote.entry_id == coauthor.entry_id, Vote.voter_id == user.id))
    db.session.flush()
    return coauthor


# --------------------------------------------------------------------------- screening


def screen_entry(entry: Entry, contest: Contest, actor: User, accept: bool, reason: str | None, note: str, now=None):
    """A moderator accepts an entry into the contest or screens it out with a coded reason the authors see."""
    now = now or utc_now()
    _require_phase(
        contest, now, Phase.SUBMISSION, Phase.SCREENING, message=_l("Entries are screened before voting opens.")
    )
    if entry.state not in (EntryState.SUBMITTED, EntryState.ACCEPTED, EntryState.REJECTED):
        raise InvalidTransition(entry, "screen", _l("A withdrawn idea cannot be screened."))
    if not accept and reason not in set(ScreeningReason):
        raise DomainError(_l("Choose the reason for screening the idea out."), field="reason")
    before = {"state": entry.state}
    entry.state = EntryState.ACCEPTED if accept else EntryState.REJECTED
    entry.screening_reason = None if accept else reason
    entry.screening_note = (note or "").strip() or None
    entry.screened_by_id, entry.screened_at = actor.id, now
    db.session.flush()
    audit.record(
        "contests.screen_entry", entry, actor=actor, before=before, after={"state": entry.state, "reason": reason}
    )
    link = path_for("contests.entry", contest_id=contest.id, entry_id=entry.id)
    title, label = entry.title, entry.reason_label
    for uid in sorted(entry.author_ids()):
        user = db.session.get(User, uid)
        if accept:
            notify(user, "contests.entry_accepted", lambda: _("Your idea “%(t)s” is in the contest", t=title), "", link)
        else:
            notify(
                user,
                "contests.entry_rejected",
                lambda: _("Your idea “%(t)s” was screened out", t=title),
                lambda: _("Reason: %(reason)s", reason=label),
                link,
            )


def screening_queue(moderator: User) -> list[tuple[Entry, Contest]]:
    """Entries awaiting screening in the contests whose territory the moderator covers (identity's ``scopes``)."""
    from civic.contests.permissions import MODERATE
    from civic.identity.models import Territory
    from civic.identity.permissions import scopes

    where = scopes(moderator, MODERATE)
    query = (
        select(Entry, Contest)
        .join(Contest, Contest.competition_id == Entry.competition_id)
        .join(Territory, Territory.id == Contest.territory_id)
        .where(
            Entry.state == EntryState.SUBMITTED,
            Contest.state == ContestState.PUBLISHED,
            where.territory_condition(Territory.path),
        )
        .order_by(Entry.created_at, Entry.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


# --------------------------------------------------------------------------- comments


def add_comment(entry: Entry, user: User, body: str, parent_id: int | None = None) -> Comment:
    if not user.has_level(AssuranceLevel.EMAIL_VERIFIED):
        raise PermissionDenied(_l("Confirm your email address before you comment."))
    if entry.state != EntryState.ACCEPTED:
        raise InvalidTransition(entry, "comment", _l("Only ideas in the contest can be discussed."))
    body = (body or "").strip()
    if not body or len(body) > COMMENT_MAX:
        raise DomainError(_l("Write a comment of at most %(n)s characters.", n=COMMENT_MAX), field="body")
    if parent_id:
        parent = db.session.get(Comment, parent_id)
        if parent is None or parent.entry_id != entry.id:
            raise NotFound()
        parent_id = parent.parent_id or parent.id  # replies stay one level deep
    comment = Comment(entry_id=entry.id, author_id=user.id, body=body, parent_id=parent_id or None)
    db.session.add(comment)
    db.session.flush()
    return comment


def report_comment(comment: Comment, user: User, reason: str = "") -> None:
    """Any signed-in resident reports a comment: it is hidden at once until a moderator reviews it."""
    if comment.state == CommentState.REMOVED:
        raise InvalidTransition(comment, "report", _l("This comment was removed already."))
    exists = db.session.scalar(
        select(CommentReport.id).where(CommentReport.comment_id == comment.id, CommentReport.user_id == user.id)
    )
    if exists is None:
        db.session.add(CommentReport(comment_id=comment.id, user_id=user.id, reason=(reason or "")[:500]))
    if comment.state == CommentState.VISIBLE and comment.reviewed_at is None:
        comment.state = CommentState.HIDDEN
    db.session.flush()


def review_comment(comment: Comment, actor: User, keep: bool, now=None) -> None:
    """A moderator restores a reported comment (it cannot be hidden by reports again) or removes it."""
    if comment.state == CommentState.REMOVED:
        raise InvalidTransition(comment, "review", _l("This comment was removed already."))
    before = {"state": comment.state}
    comment.state = CommentState.VISIBLE if keep else CommentState.REMOVED
    comment.reviewed_by_id, comment.reviewed_at = actor.id, now or utc_now()
    db.session.flush()
    audit.record("contests.review_comment", comment, actor=actor, before=before, after={"state": comment.state})


def reported_comments() -> list[Comment]:
    return list(
        db.session.scalars(select(Comment).where(Comment.state == CommentState.HIDDEN).order_by(Comment.created_at))
    )


def comment_threads(entry: Entry, viewer) -> list[tuple[Comment, list[Comment]]]:
    """Top-level comments with their replies; hidden ones show only to their author (as pending review)."""
    rows = db.session.scalars(
        select(Comment).where(Comment.entry_id == entry.id, Comment.state != CommentState.REMOVED).order_by(Comment.id)
    ).all()
    viewer_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
    shown = [c for c in rows if c.state == CommentState.VISIBLE or c.author_id == viewer_id]
    tops = [c for c in shown if c.parent_id is None]
    return [(top, [c for c in shown if c.parent_id == top.id]) for top in tops]


# --------------------------------------------------------------------------- pledges


def add_pledge(entry: Entry, user: User, kind: str, hours: int | None, description: str, organisation: str = ""):
    if not user.has_level(AssuranceLevel.EMAIL_VERIFIED):
        raise PermissionDenied(_l("Confirm your email address before you pledge help."))
    if entry.state != EntryState.ACCEPTED:
        raise InvalidTransition(entry, "pledge", _l("Help can be pledged only to ideas in the contest."))
    if kind not in set(PledgeKind):
        raise DomainError(_l("Choose what you offer."), field="kind")
    if kind == PledgeKind.HOURS and (not hours or hours < 1 or hours > 10_000):
        raise DomainError(_l("Say how many hours you offer (1 to 10,000)."), field="hours")
    description = (description or "").strip()
    if kind != PledgeKind.HOURS and not description:
        raise DomainError(_l("Describe what you offer."), field="description")
    pledge = Pledge(
        entry_id=entry.id,
        user_id=user.id,
        kind=kind,
        hours=hours if kind == PledgeKind.HOURS else None,
        description=description[:500],
        organisation=(organisation or "").strip()[:200] or None,
    )
    db.session.add(pledge)
    db.session.flush()
    return pledge


def withdraw_pledge(pledge: Pledge, user: User, now=None) -> None:
    if pledge.user_id != user.id:
        raise PermissionDenied()
    if pledge.withdrawn_at is not None:
        raise InvalidTransition(pledge, "withdraw", _l("This pledge is already withdrawn."))
    pledge.withdrawn_at = now or utc_now()
    db.session.flush()


def pledges_of(entry_ids) -> list[Pledge]:
    ids = list(entry_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Pledge).where(Pledge.entry_id.in_(ids), Pledge.withdrawn_at.is_(None)).order_by(Pledge.id)
        )
    )


def pledge_totals(entry_ids) -> dict[int, int]:
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Pledge.entry_id, func.count())
        .where(Pledge.entry_id.in_(ids), Pledge.withdrawn_at.is_(None))
        .group_by(Pledge.entry_id)
    )
    return dict(rows.all())


# --------------------------------------------------------------------------- erasure


@signals.user_deleted.connect
def _forget_user(user, **_extra) -> None:
    """An erased account's address must not survive in invitations; votes keep only the IIN fingerprint."""
    gone = f"deleted-{user.id}@deleted.invalid"
    for model in (Coauthor, Judge):
        for row in db.session.scalars(select(model).where(func.lower(model.email) == user.email.lower())):
            row.email = gone


# --------------------------------------------------------------------------- images


def add_image(entry: Entry, contest: Contest, actor: User, upload, now=None):
    """An author adds an image (re-encoded without metadata, see images.py) until submission closes."""
    from civic.contests import images
    from civic.contests.models import EntryImage

    now = now or utc_now()
    if not entry.is_author(actor):
        raise PermissionDenied()
    _require_phase(contest, now, Phase.SUBMISSION, message=_l("Images can be added only until submission closes."))
    if len(entry.images) >= images.MAX_IMAGES:
        raise DomainError(_l("An idea has at most %(n)s images.", n=images.MAX_IMAGES), field="image")
    stored = images.store(upload)
    image = EntryImage(
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        width=stored.width,
        height=stored.height,
        size=stored.size,
        position=max((i.position for i in entry.images), default=-1) + 1,
    )
    entry.images.append(image)
    entry.updated_at = now
    db.session.flush()
    return image


def remove_image(image, contest: Contest, actor: User, now=None) -> str:
    """Remove an image's row; returns the stored file's name for the caller to delete once committed."""
    now = now or utc_now()
    if not image.entry.is_author(actor):
        raise PermissionDenied()
    _require_phase(contest, now, Phase.SUBMISSION, message=_l("Images can be removed only until submission closes."))
    stored_name = image.stored_name
    db.session.delete(image)
    db.session.flush()
    return stored_name


# --------------------------------------------------------------------------- implementation


def save_implementation_report(contest: Contest, actor: User, text: str, now=None) -> None:
    """The organiser reports on implementing the winning ideas (Markdown), once the results are published."""
    if contest.competition.results_published_at is None:
        raise PhaseClosed(contest, "report", _l("Report on the implementation once the results are published."))
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise DomainError(_l("At most %(n)s characters.", n=TEXT_MAX), field="text")
    before = {"length": len(contest.implementation_report or "")}
    contest.implementation_report = text
    db.session.flush()
    audit.record("contests.implementation_report", contest, actor=actor, before=before, after={"length": len(text)})


def judge_notes_for_authors(entry: Entry) -> list[str]:
    """The judges' comments on an entry, without their names, once the results are published."""
    from civic.contests.models import JudgeNote

    competition = db.session.get(Competition, entry.competition_id)
    if competition.results_published_at is None:
        return []
    return [
        text
        for text in db.session.scalars(
            select(JudgeNote.text).where(JudgeNote.entry_id == entry.id).order_by(JudgeNote.id)
        )
        if text
    ]
