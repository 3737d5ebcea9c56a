"""Browsing contests, the contest and entry pages, and the published results (page and CSV)."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from civic import db
from civic.contests import jury, services, voting
from civic.contests.forms import CommentForm, InviteForm, PledgeForm, RecuseForm, ReportForm, ScreenForm
from civic.contests.models import (
    NORMALISE_LABELS,
    PHASE_LABELS,
    Contest,
    ContestState,
    Entry,
    EntryState,
    Phase,
)
from civic.contests.permissions import can_moderate, can_organise
from civic.contests.results import BREAKDOWN_SHOWN, csv_text, published, ranking_fragment
from civic.contests.views.common import bp, load_contest, load_entry
from civic.core import charts, links
from civic.core.forms import EmptyForm
from civic.core.richtext import render_markdown
from civic.db import utc_now

#: Phases after voting: the per-district breakdown of votes is shown.
AFTER_VOTING = (Phase.JURY, Phase.RESULTS, Phase.IMPLEMENTATION)


@bp.get("/")
def index():
    """Published contests, those taking part now first; the viewer's drafts if they organise."""
    now = utc_now()
    contests = list(
        db.session.scalars(
            select(Contest).where(Contest.state == ContestState.PUBLISHED).order_by(Contest.submission_opens_at.desc())
        )
    )
    drafts = [
        c
        for c in db.session.scalars(select(Contest).where(Contest.state == ContestState.DRAFT).order_by(Contest.id))
        if can_organise(current_user, c)
    ]
    return render_template(
        "contests/index.html",
        contests=contests,
        drafts=drafts,
        now=now,
        phase_labels=PHASE_LABELS,
        can_organise_any=current_user.is_authenticated and current_user.has_permission("contests.organise"),
        can_moderate_any=current_user.is_authenticated and current_user.has_permission("contests.moderate"),
    )


#: Refusals the voter fixes on their account page, and where on it.
ACCOUNT_FIXES = {voting.NotVerified: "verification-heading", voting.NoHome: "profile-heading"}
#: Refusals about the voter, not about one idea: the contest's page says them instead of "votes left".
VOTER_REFUSALS = (voting.NotVerified, voting.NoHome, voting.OutsideTerritory)


def _voter_standing(contest: Contest, entries: list, phase: Phase, now) -> dict | None:
    """Why a signed-in viewer may not vote in this contest at all (no verified IIN, no home, another territory), with
    the account page's section that fixes it; None when they may vote. The voting INSERT's own rules
    (``voting.refusal``) asked about any accepted idea: these rules do not depend on which."""
    if not current_user.is_authenticated or phase != Phase.VOTING or not entries:
        return None
    facts = voting.refusal_facts(contest.id, entries[0].id, current_user.id)
    refusal = voting.refusal(facts, now) if facts is not None else None
    if not isinstance(refusal, VOTER_REFUSALS):
        return None
    return {"refusal": refusal, "fix": ACCOUNT_FIXES.get(type(refusal))}


def render_detail(contest: Contest, status: int = 200, error: str | None = None):
    now = utc_now()
    phase = contest.phase_at(now)
    organiser, moderator = can_organise(current_user, contest), can_moderate(current_user, contest)
    query = select(Entry).where(Entry.competition_id == contest.competition_id).order_by(Entry.id)
    everything = list(db.session.scalars(query))
    entries = [e for e in everything if e.state == EntryState.ACCEPTED]
    mine = [e for e in everything if e.is_author(current_user) and e.state != EntryState.ACCEPTED]
    counts = voting.vote_counts(contest.competition_id)
    voted_for = voting.my_votes(contest, current_user)  # one vote per idea: their number is the votes used
    standing = _voter_standing(contest, entries, phase, now)
    judge = jury.judge_of(contest.competition, current_user)
    districts = voting.votes_by_district(contest.competition_id) if phase in AFTER_VOTING else None
    return (
        render_template(
            "contests/detail.html",
            contest=contest,
            linked=links.resolve(contest.linked_object_type, contest.linked_object_id, current_user),
            phase=phase,
            phase_labels=PHASE_LABELS,
            timeline=contest.timeline(now),
            text_html=render_markdown(contest.text),
            rules_html=render_markdown(contest.rules),
            entries=entries,
            mine=mine,
            counts=counts,
            my_votes=voted_for,
            votes_left=max(contest.votes_per_voter - len(voted_for), 0),
            standing=standing,
            districts=districts,
            district_chart=charts.horizontal_bars(districts or []),
            organiser=organiser,
            moderator=moderator,
            judge=judge,
            pending=sum(1 for e in everything if e.state == EntryState.SUBMITTED) if moderator else 0,
            published=contest.competition.results_published_at is not None,
            error=error,
            vote_form=EmptyForm(),
        ),
        status,
    )


@bp.get("/<int:contest_id>")
def detail(contest_id: int):
    return render_detail(load_contest(contest_id))


def _ballot(contest: Contest, entry: Entry, phase: Phase, now) -> dict:
    """The vote box of a signed-in viewer of an accepted idea in the voting phase: whether they voted for it, their
    votes left, and why the voting INSERT would refuse their vote (None: they may vote), from its own rules and facts
    (``voting.refusal_facts`` and ``voting.refusal``): one query, which also replaces counting the viewer's votes."""
    ballot = {"voted": False, "votes_left": 0, "refusal": None, "fix": None, "alert": False}
    if not current_user.is_authenticated or phase != Phase.VOTING or entry.state != EntryState.ACCEPTED:
        return ballot
    facts = voting.refusal_facts(contest.id, entry.id, current_user.id)
    if facts is None:
        return ballot
    refusal = voting.refusal(facts, now)
    ballot.update(
        voted=facts.voted,
        votes_left=max(facts.votes_per_voter - facts.used, 0),
        refusal=refusal,
        fix=ACCOUNT_FIXES.get(type(refusal)),
    )
    return ballot


def render_entry(contest: Contest, entry: Entry, status: int = 200, error: str | None = None, **forms):
    now = utc_now()
    phase = contest.phase_at(now)
    counts = voting.vote_counts(contest.competition_id)
    ballot = _ballot(contest, entry, phase, now)
    if not ballot["voted"] and ballot["refusal"] is not None and error == str(ballot["refusal"]):
        error, ballot["alert"] = None, True  # a refused vote: the vote box says why (once), with the way to fix it
    author = entry.is_author(current_user)
    is_main_author = current_user.is_authenticated and entry.author_id == current_user.id
    moderator = can_moderate(current_user, contest)
    can_edit = author and phase == Phase.SUBMISSION and entry.state != EntryState.WITHDRAWN
    can_invite = is_main_author and phase == Phase.SUBMISSION
    can_withdraw = (
        is_main_author
        and entry.state != EntryState.WITHDRAWN
        and phase in (Phase.SUBMISSION, Phase.SCREENING, Phase.VOTING)
    )
    return (
        render_template(
            "contests/entry.html",
            contest=contest,
            entry=entry,
            phase=phase,
            phase_labels=PHASE_LABELS,
            text_html=render_markdown(entry.text),
            votes=counts.get(entry.id, 0),
            ballot=ballot,
            threads=services.comment_threads(entry, current_user),
            pledges=services.pledges_of([entry.id]),
            judge_notes=services.judge_notes_for_authors(entry) if author else [],
            author=author,
            is_main_author=is_main_author,
            moderator=moderator,
            organiser=can_organise(current_user, contest),
            can_edit=can_edit,
            can_invite=can_invite,
            can_withdraw=can_withdraw,
            author_actions=can_edit or can_invite or can_withdraw,
            can_screen=moderator
            and phase in (Phase.SUBMISSION, Phase.SCREENING)
            and entry.state != EntryState.WITHDRAWN,
            error=error,
            empty_form=EmptyForm(),
            comment_form=forms.get("comment_form") or CommentForm(formdata=None),
            report_form=ReportForm(formdata=None),
            pledge_form=forms.get("pledge_form") or PledgeForm(formdata=None),
            invite_form=forms.get("invite_form") or InviteForm(formdata=None),
            screen_form=forms.get("screen_form") or ScreenForm(formdata=None),
            recuse_form=RecuseForm(formdata=None),
        ),
        status,
    )


@bp.get("/<int:contest_id>/entries/<int:entry_id>")
def entry(contest_id: int, entry_id: int):
    contest = load_contest(contest_id)
    return render_entry(contest, load_entry(contest, entry_id))


#: The chart shows the leading entries; the table beside it has every one.
CHART_ENTRIES = 30


def ranking_chart(data: dict):
    """The combined score of the leading ranked entries, as a chart beside the ranking table."""
    ranked = [(row["title"], round(row["combined"], 3)) for row in data["entries"] if row["combined"] is not None]
    return charts.horizontal_bars(ranked[:CHART_ENTRIES], limit=None)


def _published_results(contest: Contest) -> dict:
    data = published(contest.competition)
    if data is None:
        abort(404)
    return data


def ranking_html(competition, data: dict) -> Markup:
    """The ranking, chart and breakdown of published results: rendered once per process and language (frozen)."""
    from civic.core.i18n import current_language

    def render() -> str:
        return render_template(
            "contests/_ranking.html",
            results=data,
            districts=voting.district_names(data.get("districts", [])),
            normalise_labels=NORMALISE_LABELS,
            ranking_chart=ranking_chart(data),
            breakdown_shown=BREAKDOWN_SHOWN,
        )

    return Markup(ranking_fragment(competition, current_language(), render))


@bp.get("/<int:contest_id>/results")
def results(contest_id: int):
    contest = load_contest(contest_id)
    data = _published_results(contest)
    return render_template(
        "contests/results.html",
        contest=contest,
        ranking_html=ranking_html(contest.competition, data),
        preview=False,
        organiser=can_organise(current_user, contest),
        implementation_html=render_markdown(contest.implementation_report),
    )


@bp.get("/<int:contest_id>/results.csv")
def results_csv(contest_id: int):
    contest = load_contest(contest_id)
    text = csv_text(_published_results(contest))
    return Response(
        "\ufeff" + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="contest-{contest.id}-results.csv"'},
    )
