"""Results: the scoring engine's input from the database, the published breakdown, publication and the CSV.

The arithmetic is ``civic.contests.scoring.score_contest``; this module only gathers its input and lays out what the
results page shows: for every entry its rank, public and jury scores and, per judge (shown as "Judge 1…n"), the raw
criterion scores, the judge's raw total and the normalised total the jury score averages.
"""

from __future__ import annotations

import io
import statistics
from collections import OrderedDict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.contests import jury, voting
from civic.contests.models import (
    Competition,
    CompetitionKind,
    Contest,
    Entry,
    EntryState,
    Normalise,
    Phase,
    PublishState,
    Recusal,
    ResultNotice,
    Score,
    Submission,
    Team,
)
from civic.contests.scoring import ScoringError, score_contest
from civic.contests.services import PhaseClosed, active_judges
from civic.core import jobs
from civic.core.csv_export import SafeWriter
from civic.core.errors import DomainError
from civic.core.http import path_for
from civic.db import utc_now
from civic.identity import audit
from civic.identity.models import User
from civic.identity.notifications import notify


def accepted_entries(competition: Competition) -> list[Entry]:
    return list(
        db.session.scalars(
            select(Entry)
            .where(Entry.competition_id == competition.id, Entry.state == EntryState.ACCEPTED)
            .order_by(Entry.id)
        )
    )


def scoring_input(competition: Competition, entries: list[Entry], judges, criteria) -> dict:
    entry_ids, judge_ids = {e.id for e in entries}, {j.id for j in judges}
    scores: dict[str, dict] = {}
    if entry_ids and judge_ids:
        rows = db.session.execute(  # plain tuples: 180,000 ORM objects would cost seconds
            select(Score.judge_id, Score.entry_id, Score.criterion_id, Score.value).where(
                Score.judge_id.in_(judge_ids), Score.entry_id.in_(entry_ids)
            )
        )
        for judge_id, entry_id, criterion_id, value in rows:
            scores.setdefault(f"J{judge_id}", {}).setdefault(f"E{entry_id}", {})[f"C{criterion_id}"] = value
    recusals = []
    if entry_ids and judge_ids:
        recusals = [
            [f"J{r.judge_id}", f"E{r.entry_id}"]
            for r in db.session.scalars(
                select(Recusal).where(Recusal.judge_id.in_(judge_ids), Recusal.entry_id.in_(entry_ids))
            )
        ]
    counts = voting.vote_counts(competition.id)
    return {
        "criteria": [{"id": f"C{c.id}", "weight": c.weight, "scale": [c.scale_min, c.scale_max]} for c in criteria],
        "entries": [f"E{e.id}" for e in entries],
        "judges": [f"J{j.id}" for j in judges],
        "scores": scores,
        "recusals": recusals,
        "votes": {f"E{e.id}": counts.get(e.id, 0) for e in entries},
        "weights": {"jury": competition.jury_weight, "public": competition.public_weight},
        "normalise": competition.normalise,
        "min_judges": competition.min_judges,
    }


def _raw_total(scores: dict, criteria) -> float | None:
    """The judge's weighted total on 0..1 (``criteria``: ORM rows or (key, weight, lo, hi) tuples)."""
    plain = [c if isinstance(c, tuple) else (f"C{c.id}", c.weight, c.scale_min, c.scale_max) for c in criteria]
    if any(scores.get(key) is None for key, *_rest in plain):
        return None
    weights = sum(weight for _key, weight, _lo, _hi in plain)
    return sum(weight * (scores[key] - lo) / (hi - lo) for key, weight, lo, hi in plain) / weights


def authors_of(entries) -> dict[int, list[User]]:
    """entry id -> its author and accepted co-authors (ordered by id), in two queries for any number of entries."""
    from civic.contests.models import Coauthor

    ids = {e.id: {e.author_id} - {None} for e in entries}
    if ids:
        for entry_id, user_id in db.session.execute(
            select(Coauthor.entry_id, Coauthor.user_id).where(
                Coauthor.entry_id.in_(list(ids)), Coauthor.user_id.is_not(None)
            )
        ):
            ids[entry_id].add(user_id)
    wanted = set().union(*ids.values()) if ids else set()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
    return {eid: [users[uid] for uid in sorted(uids) if uid in users] for eid, uids in ids.items()}


def build(contest: Contest, now: datetime | None = None) -> dict:
    """Score the contest now and lay out the full breakdown (plain JSON types, ready to freeze on publication)."""
    now = now or utc_now()
    competition = contest.competition
    criteria = jury.criteria(competition)
    if not criteria:
        raise DomainError(_l("Add the jury's criteria first."))
    entries = accepted_entries(competition)
    judges = active_judges(competition)
    data = scoring_input(competition, entries, judges, criteria)
    try:
        result = score_contest(data)
    except ScoringError as exc:  # the services keep the input valid; this is a safety net with a clear message
        raise DomainError(_l("The scores cannot be computed: %(reason)s", reason=str(exc))) from exc
    labels = {f"J{j.id}": str(_("Judge %(n)s", n=k)) for k, j in enumerate(judges, start=1)}
    plain = [(f"C{c.id}", c.weight, c.scale_min, c.scale_max) for c in criteria]
    people = authors_of(entries)
    raw = {
        (jid, eid): _raw_total(data["scores"].get(jid, {}).get(eid) or {}, plain)
        for jid in data["judges"]
        for eid in data["entries"]
    }
    pooled = [t for t in raw.values() if t is not None]
    g_mean = statistics.fmean(pooled) if pooled else None
    g_sd = statistics.pstdev(pooled) if len(pooled) > 1 else 0.0

    def normalised(jid: str, t: float | None) -> float | None:
        if t is None or competition.normalise == Normalise.NONE:
            return t
        stats = result["judges"][jid]
        if stats["complete"] < 2 or not stats["sd"]:
            return g_mean
        return g_mean + g_sd * (t - stats["mean"]) / stats["sd"]

    recused = {tuple(pair) for pair in data["recusals"]}
    by_key = {f"E{e.id}": e for e in entries}
    rows = []
    for eid in result["order"]:
        entry, figures = by_key[eid], result["entries"][eid]
        per_judge = []
        for jid in data["judges"]:
            given = data["scores"].get(jid, {}).get(eid) or {}
            per_judge.append(
                {
                    "judge": labels[jid],
                    "recused": (jid, eid) in recused,
                    "scores": [given.get(key) for key, *_rest in plain],
                    "raw_total": raw[(jid, eid)],
                    "normalised": normalised(jid, raw[(jid, eid)]),
                }
            )
        authors = [u.public_name for u in people[entry.id]]
        rows.append({"id": entry.id, "title": entry.title, "authors": authors, **figures, "per_judge": per_judge})
    winners = [row["id"] for row in rows if row["rank"] is not None and row["rank"] <= competition.winner_count]
    return {
        "computed_at": now.isoformat(),
        "settings": {
            "jury_weight": competition.jury_weight,
            "public_weight": competition.public_weight,
            "normalise": competition.normalise,
            "min_judges": competition.min_judges,
            "winner_count": competition.winner_count,
        },
        "criteria": [{"name": c.name, "weight": c.weight, "scale": [c.scale_min, c.scale_max]} for c in criteria],
        "judges": [{"label": labels[jid], **result["judges"][jid]} for jid in data["judges"]],
        "entries": rows,
        "incomplete": [[labels[jid], int(eid[1:])] for jid, eid in result["incomplete"]],
        "districts": [list(row) for row in voting.votes_by_territory(competition.id)],  # names when shown
        "winners": winners,
    }


#: Authors told per notification job (each batch is one short transaction; the next batch is queued after it).
NOTIFY_BATCH = 200
#: A request still "publishing" after this long lost its job (a worker killed mid-way): the organiser may ask again.
STALE_AFTER = timedelta(minutes=30)


def _check_publishable(contest: Contest, now: datetime) -> Phase:
    phase = contest.phase_at(now)
    if phase not in (Phase.JURY, Phase.RESULTS, Phase.IMPLEMENTATION):
        raise PhaseClosed(contest, "publish", _l("Results can be published once voting has closed."))
    if contest.competition.results_published_at is not None:
        raise PhaseClosed(contest, "publish", _l("The results are already published."))
    return phase


def can_retry(competition: Competition, now: datetime | None = None) -> bool:
    """The organiser may ask again: the last job failed, or a "publishing" request has been stuck too long."""
    now = now or utc_now()
    if competition.results_published_at is not None:
        return False
    if competition.results_state == PublishState.FAILED:
        return True
    return (
        competition.results_state == PublishState.PUBLISHING
        and competition.results_requested_at is not None
        and competition.results_requested_at < now - STALE_AFTER
    )


def request_publication(contest: Contest, actor: User, now: datetime | None = None) -> None:
    """Record the organiser's decision to publish and queue the job that does it (``publish_job``).

    The request itself is cheap: a guarded UPDATE moves the competition to "publishing" only from "not asked" or
    "failed" (or a stuck request), so a double click or two organisers at once publish once; the second is refused.
    The public sees nothing until the job has frozen the breakdown."""
    now = now or utc_now()
    competition = contest.competition
    _check_publishable(contest, now)
    if not jury.criteria(competition):
        raise DomainError(_l("Add the jury's criteria first."))
    retry = competition.results_state is not None
    stuck = sa.and_(
        Competition.results_state == PublishState.PUBLISHING, Competition.results_requested_at < now - STALE_AFTER
    )
    claimed = db.session.execute(
        sa.update(Competition)
        .where(
            Competition.id == competition.id,
            Competition.results_published_at.is_(None),
            sa.or_(Competition.results_state.is_(None), Competition.results_state == PublishState.FAILED, stuck),
        )
        .values(
            results_state=PublishState.PUBLISHING,
            results_requested_at=now,
            results_requested_by_id=actor.id,
            results_error=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(competition)
        if competition.results_published_at is not None:
            raise PhaseClosed(contest, "publish", _l("The results are already published."))
        raise PhaseClosed(contest, "publish", _l("The results are already being published."))
    db.session.refresh(competition)
    audit.record("contests.request_results", contest, actor=actor, after={"retry": retry})
    jobs.enqueue("civic.contests.results:publish_job", competition.id)


def _awaiting(competition: Competition | None) -> bool:
    return (
        competition is not None
        and competition.results_published_at is None
        and competition.results_state in (PublishState.PUBLISHING, PublishState.FAILED)
    )


def publish_job(competition_id: int) -> int:
    """Job: score the contest, freeze and publish the breakdown, then queue the authors' notifications.

    Scoring only reads; the writes then run in a short transaction of their own (``db.transaction``: on SQLite a
    ``BEGIN IMMEDIATE``, so seconds of scoring never hold the write lock nor fail to upgrade a stale read
    snapshot), which re-checks the state under a row lock: a duplicate job finds the results out and does nothing.
    Returns how many authors are to be told. On an error the competition is marked "failed" (with the reason, for
    the organiser, who is told) in a transaction of its own and the error is raised again, so a queue retries it
    and, when the retries are spent, lists it among the failed jobs."""
    competition = db.session.get(Competition, competition_id)
    if not _awaiting(competition):
        return 0  # already done by an earlier run, or never asked for
    contest = db.session.scalar(select(Contest).where(Contest.competition_id == competition_id))
    actor = db.session.get(User, competition.results_requested_by_id) if competition.results_requested_by_id else None
    language = (actor.preferred_locale if actor else None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    try:
        with force_locale(language):  # the judges' labels in the organiser's language, as when published in the request
            now = utc_now()
            breakdown = build(contest, now)
            with db.transaction():
                if not _awaiting(db.session.get(Competition, competition_id, with_for_update=True)):
                    return 0
                return _publish(contest, actor, breakdown, now)
    except Exception as exc:
        db.session.rollback()
        _mark_failed(competition_id, exc)
        raise


def _publish(contest: Contest, actor: User | None, breakdown: dict, now: datetime) -> int:
    competition = contest.competition
    phase = contest.phase_at(now)
    competition.results, competition.results_published_at = breakdown, now
    competition.results_state, competition.results_error = PublishState.PUBLISHED, None
    if phase == Phase.JURY:
        contest.results_at = now
        contest.implementation_at = max(contest.implementation_at, now)
    contest.announced_phase = contest.phase_at(now)
    winners = set(breakdown["winners"])
    won: dict[int, bool] = {}
    for entry_id, people in authors_of(accepted_entries(competition)).items():
        for user in people:
            won[user.id] = won.get(user.id, False) or entry_id in winners
    if won:
        db.session.execute(
            sa.insert(ResultNotice),
            [{"competition_id": competition.id, "user_id": uid, "won": flag} for uid, flag in won.items()],
        )
    db.session.flush()
    audit.record("contests.publish_results", contest, actor=actor, after={"winners": breakdown["winners"]})
    if actor is not None:
        title = contest.title
        notify(
            actor,
            "contests.results_published",
            lambda: _("The results of “%(title)s” are published", title=title),
            lambda: ngettext("%(num)s author is being told.", "%(num)s authors are being told.", len(won)),
            path_for("contests.manage", contest_id=contest.id),
        )
    if won:  # batches on a queue; in-process (no worker) one job tells everyone, as publication in the request did
        jobs.enqueue("civic.contests.results:notify_job", competition.id, NOTIFY_BATCH if jobs.runs_on_queue() else 0)
    return len(won)


def _mark_failed(competition_id: int, exc: Exception) -> None:
    """Record the failure in a transaction of its own (the job's work was rolled back) and tell the organiser once."""
    reason = str(exc) if isinstance(exc, DomainError) else _("An unexpected error (%(kind)s).", kind=type(exc).__name__)
    with db.transaction():
        competition = db.session.get(Competition, competition_id)
        if competition is None or competition.results_published_at is not None:
            return
        first = competition.results_state != PublishState.FAILED
        competition.results_state, competition.results_error = PublishState.FAILED, reason[:1000]
        actor = (
            db.session.get(User, competition.results_requested_by_id) if competition.results_requested_by_id else None
        )
        contest = db.session.scalar(select(Contest).where(Contest.competition_id == competition_id))
        if first and actor is not None and contest is not None:
            title = contest.title
            notify(
                actor,
                "contests.results_failed",
                lambda: _("The results of “%(title)s” could not be published", title=title),
                lambda: _("Open the contest's page to see why and try again."),
                path_for("contests.manage", contest_id=contest.id),
            )


def notify_job(competition_id: int, batch: int = NOTIFY_BATCH) -> int:
    """Job: tell the next ``batch`` authors not yet told (winners first; ``0``: all of them), then queue the next.

    Each author's row is stamped in the same transaction as their notification (and the mail goes out only after
    that commit), and a row is claimed by a guarded UPDATE: running a batch twice, or two batches at once, tells no
    one twice. Returns how many were told."""
    contest = db.session.scalar(select(Contest).where(Contest.competition_id == competition_id))
    competition = contest.competition if contest is not None else None
    if competition is None or competition.results_published_at is None:
        return 0
    pending = (
        select(ResultNotice.user_id)
        .where(ResultNotice.competition_id == competition_id, ResultNotice.notified_at.is_(None))
        .order_by(ResultNotice.won.desc(), ResultNotice.user_id)
        .with_for_update(skip_locked=True)  # PostgreSQL: a concurrent batch skips the rows this one holds
    )
    candidates = db.session.scalars(pending.limit(batch) if batch else pending).all()
    if not candidates:
        return 0
    now = utc_now()
    winners = set(
        db.session.scalars(
            select(ResultNotice.user_id).where(
                ResultNotice.competition_id == competition_id,
                ResultNotice.user_id.in_(candidates),
                ResultNotice.won.is_(True),
            )
        )
    )
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(candidates)))}
    link = path_for("contests.results", contest_id=contest.id)
    title = contest.title
    told = 0
    for uid in candidates:
        claimed = db.session.execute(
            sa.update(ResultNotice)
            .where(
                ResultNotice.competition_id == competition_id,
                ResultNotice.user_id == uid,
                ResultNotice.notified_at.is_(None),
            )
            .values(notified_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1 or uid not in users:
            continue
        if uid in winners:
            notify(
                users[uid],
                "contests.winner",
                lambda: _("Your idea won in “%(title)s”", title=title),
                lambda: _("Congratulations! The organiser will contact you about what comes next."),
                link,
            )
        else:
            notify(
                users[uid],
                "contests.results",
                lambda: _("The results of “%(title)s” are published", title=title),
                "",
                link,
            )
        told += 1
    if batch and len(candidates) == batch:
        jobs.enqueue("civic.contests.results:notify_job", competition_id, batch)  # after this batch commits
    return told


def notification_progress(competition: Competition) -> tuple[int, int]:
    """(authors told, authors to tell) of published results."""
    told, total = db.session.execute(
        select(sa.func.count(ResultNotice.notified_at), sa.func.count()).where(
            ResultNotice.competition_id == competition.id
        )
    ).one()
    return int(told or 0), int(total or 0)


def resume_notifications(contest: Contest, actor: User) -> None:
    """Queue the notifications again (after a failed batch): only authors not yet told are told."""
    competition = contest.competition
    if competition.results_published_at is None:
        raise PhaseClosed(contest, "notify", _l("The results are not published yet."))
    told, total = notification_progress(competition)
    if told >= total:
        raise PhaseClosed(contest, "notify", _l("Every author has been told already."))
    audit.record("contests.resume_result_notices", contest, actor=actor, after={"told": told, "total": total})
    jobs.enqueue("civic.contests.results:notify_job", competition.id, NOTIFY_BATCH if jobs.runs_on_queue() else 0)


def winners_pledges(contest: Contest) -> dict[int, list]:
    from civic.contests.services import pledges_of

    results = contest.competition.results or {}
    winners = results.get("winners", [])
    grouped: dict[int, list] = {eid: [] for eid in winners}
    for pledge in pledges_of(winners):
        grouped[pledge.entry_id].append(pledge)
    return grouped


# --------------------------------------------------------------------------- CSV


def _number(value):
    """A figure as a number (the shared writer leaves numbers alone, so a negative score is not quoted)."""
    return "" if value is None else value


def csv_text(results: dict) -> str:
    """One row per entry and judge: rank and scores of the entry, then that judge's raw and normalised figures.

    Without a public vote (a hackathon track: ``public_vote`` false) the always-zero votes and public score are left
    out."""
    out = io.StringIO()
    writer = SafeWriter(out)  # the platform's CSV writer: text cells cannot start a formula
    criteria = [c["name"] for c in results["criteria"]]
    vote = results.get("public_vote", True)
    writer.writerow(
        [
            "rank",
            "entry_id",
            "title",
            "authors",
            *(["votes", "public_score"] if vote else []),
            "jury_score",
            "combined",
            "eligible",
            "judge",
            "recused",
            *criteria,
            "raw_total",
            "normalised_total",
        ]
    )
    for row in results["entries"]:
        head = [
            _number(row["rank"]),
            row["id"],
            row["title"],
            "; ".join(row["authors"]),
            *([row["votes"], _number(row["public_score"])] if vote else []),
            _number(row["jury_score"]),
            _number(row["combined"]),
            "yes" if row["eligible"] else "no",
        ]
        for judge in row["per_judge"] or [None]:
            if judge is None:
                writer.writerow([*head, "", "", *([""] * len(criteria)), "", ""])
                continue
            writer.writerow(
                [
                    *head,
                    judge["judge"],
                    "yes" if judge["recused"] else "no",
                    *(_number(v) for v in judge["scores"]),
                    _number(judge["raw_total"]),
                    _number(judge["normalised"]),
                ]
            )
    return out.getvalue()


# --------------------------------------------------------------------------- the published results, served fast

#: How many entries' per-judge breakdown the page shows (in rank order); the CSV has every one.
BREAKDOWN_SHOWN = 60
_CACHE_SIZE = 16
_frozen: OrderedDict = OrderedDict()
_fragments: OrderedDict = OrderedDict()


def _remember(cache: OrderedDict, key, make):
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    value = make()
    cache[key] = value
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return value


def has_public_vote(competition: Competition) -> bool:
    """Idea contests have a public vote; a hackathon track is ranked by its jury alone."""
    return competition.kind != CompetitionKind.HACKATHON_TRACK


def entry_pages(competition: Competition, entry_ids) -> dict[int, str]:
    """entry id -> the public page of a ranked entry: the idea's page in a contest (accepted ideas are public), the
    team's page in a hackathon track (public, and it shows the team's judged solution)."""
    ids = list(entry_ids)
    if not ids:
        return {}
    if competition.kind == CompetitionKind.HACKATHON_TRACK:
        rows = db.session.execute(
            select(Submission.entry_id, Team.hackathon_id, Team.id)
            .join(Team, Team.id == Submission.team_id)
            .where(Submission.entry_id.in_(ids))
        )
        return {eid: path_for("contests.hackathon_team", hackathon_id=hid, team_id=tid) for eid, hid, tid in rows}
    contest_id = db.session.scalar(select(Contest.id).where(Contest.competition_id == competition.id))
    if contest_id is None:
        return {}
    shown = db.session.scalars(select(Entry.id).where(Entry.id.in_(ids), Entry.state == EntryState.ACCEPTED))
    return {eid: path_for("contests.entry", contest_id=contest_id, entry_id=eid) for eid in shown}


def published(competition: Competition) -> dict | None:
    """The frozen breakdown of a published competition, parsed once per process, with what the pages need to show
    it and that publication did not freeze: ``public_vote`` (``has_public_vote``), ``kind`` (the competition's) and
    ``pages`` (``entry_pages`` of the ranked entries).

    Published results never change (``publish`` freezes them), nor do the pages of their entries, so the key (id,
    publication time) is safe to keep; the JSON column is deferred and read only on a miss (a contest with 2,000
    entries and 30 judges holds ~10 MB)."""
    if competition.results_published_at is None:
        return None
    key = (competition.id, competition.results_published_at.isoformat())

    def load() -> dict:
        frozen = db.session.scalar(select(Competition.results).where(Competition.id == competition.id))
        return {
            **frozen,
            "kind": competition.kind,
            "public_vote": has_public_vote(competition),
            "pages": entry_pages(competition, (row["id"] for row in frozen["entries"])),
        }

    return _remember(_frozen, key, load)


def ranking_fragment(competition: Competition, language: str, render) -> str:
    """The rendered ranking of published results for one language, rendered once per process."""
    key = (competition.id, competition.results_published_at.isoformat(), language)
    return _remember(_fragments, key, render)
