"""Open data: published contests, their accepted entries with live vote counts, and published results with the
full scoring breakdown (judges appear as "Judge 1…n", as on the results page). No personal data beyond the
authors' public names that the contest pages show."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _
from sqlalchemy import select

from civic import db
from civic.contests import voting
from civic.contests.models import Contest, Entry
from civic.contests.models.contest import PHASE_STARTS, ContestState, Phase
from civic.contests.models.entries import EntryState
from civic.core import opendata
from civic.core.opendata import choice, parse_args, serve_list, subtree, text
from civic.db import utc_now
from civic.identity.models import Category, StateBody, User

bp = Blueprint("contests_api", __name__, url_prefix="/api/v1")
MAX_ID = 2**31 - 1
PHASES = tuple(p.value for p in Phase if p != Phase.DRAFT)


def _code(obj) -> str | None:
    return obj.code if obj is not None else None


def contest_item(contest: Contest) -> dict:
    now = utc_now()
    return {
        "id": contest.id,
        "title": contest.title,
        "phase": str(contest.phase_at(now)),
        "territory_code": contest.territory.code,
        "category_code": _code(contest.category),
        "body_code": _code(contest.body),
        "reward_kind": contest.reward_kind,
        "reward": contest.reward_text,
        "votes_per_voter": contest.votes_per_voter,
        "phases": [
            {"phase": str(phase), "starts_at": opendata.iso(getattr(contest, column))} for phase, column in PHASE_STARTS
        ],
        "results_published_at": opendata.iso(contest.competition.results_published_at),
        "url": opendata.external("contests.detail", contest_id=contest.id),
        "api_url": opendata.external("contests_api.contest", contest_id=contest.id),
    }


def _published_or_404(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id) if contest_id <= MAX_ID else None
    if contest is None or not contest.is_public:
        abort(404, description=_("There is no published contest with this number."))
    return contest


def _list_args() -> dict:
    return parse_args(
        {
            **opendata.PAGING,
            "territory": text(40),
            "category": text(40),
            "body": text(40),
            "phase": choice(*PHASES),
        }
    )


@bp.get("/contests")
@bp.get("/contests.csv", endpoint="contests_csv")
def contests():
    """Published contests: the problem, its phases with dates, the reward (filter by territory, category, body, phase)."""
    args = _list_args()
    stmt = select(Contest).where(Contest.state == ContestState.PUBLISHED)
    if (inside := subtree(Contest.territory_id, args.get("territory"))) is not None:
        stmt = stmt.where(inside)
    if "category" in args:
        stmt = stmt.where(Contest.category_id == opendata.id_for(Category, "category", args["category"]))
    if "body" in args:
        stmt = stmt.where(Contest.body_id == opendata.id_for(StateBody, "body", args["body"]))
    if "phase" in args:
        stmt = stmt.where(_in_phase(Phase(args["phase"])))
    return serve_list(
        stmt,
        Contest.id,
        args,
        contest_item,
        csv_columns=(
            "id",
            "title",
            "phase",
            "territory_code",
            "category_code",
            "body_code",
            "reward_kind",
            "reward",
            "votes_per_voter",
            "results_published_at",
            "url",
        ),
        filename="contests.csv",
    )


def _in_phase(phase: Phase):
    """Contests standing in ``phase`` now, computed from their dates in the database."""
    from sqlalchemy import and_

    now = utc_now()
    columns = [getattr(Contest, column) for _p, column in PHASE_STARTS]
    if phase == Phase.ANNOUNCED:
        return columns[0] > now
    index = [p for p, _c in PHASE_STARTS].index(phase)
    started = columns[index] <= now
    return and_(started, columns[index + 1] > now) if index + 1 < len(columns) else started


@bp.get("/contests/<int:contest_id>")
def contest(contest_id: int):
    """One published contest with its text, rules and figures."""
    parse_args({})
    item = _published_or_404(contest_id)
    counts = voting.vote_counts(item.competition_id)
    accepted = db.session.scalar(
        select(db.func.count()).where(Entry.competition_id == item.competition_id, Entry.state == EntryState.ACCEPTED)
    )
    return opendata.cached(
        {
            **contest_item(item),
            "text": item.text,
            "rules": item.rules,
            "entries": accepted or 0,
            "votes": sum(counts.values()),
            "implementation_report": item.implementation_report or None,
        }
    )


def entry_item(entry: Entry, votes: int) -> dict:
    return {
        "id": entry.id,
        "title": entry.title,
        "text": entry.text,
        "authors": [user.public_name for uid in sorted(entry.author_ids()) if (user := db.session.get(User, uid))],
        "links": list(entry.links or []),
        "votes": votes,
        "submitted_at": opendata.iso(entry.created_at),
    }


@bp.get("/contests/<int:contest_id>/entries")
def entries(contest_id: int):
    """A published contest's accepted entries with their live vote counts (ordered by id)."""
    args = parse_args(opendata.PAGING)
    item = _published_or_404(contest_id)
    counts = voting.vote_counts(item.competition_id)
    stmt = select(Entry).where(Entry.competition_id == item.competition_id, Entry.state == EntryState.ACCEPTED)
    return serve_list(stmt, Entry.id, args, lambda e: entry_item(e, counts.get(e.id, 0)))


@bp.get("/contests/<int:contest_id>/results")
def contest_results(contest_id: int):
    """Published results: ranking with the breakdown per criterion and per judge, normalised and raw, public score."""
    parse_args({})
    item = _published_or_404(contest_id)
    competition = item.competition
    if competition.results_published_at is None or not competition.results:
        abort(404, description=_("The results of this contest are not published yet."))
    frozen = competition.results
    return opendata.cached(
        {
            "contest_id": item.id,
            "published_at": opendata.iso(competition.results_published_at),
            "settings": frozen["settings"],
            "criteria": frozen["criteria"],
            "judges": frozen["judges"],
            "entries": frozen["entries"],
            "winners": frozen["winners"],
        },
        competition.results_published_at,
    )
