"""Judges: accepting the invitation, the list of entries to score, the scoring form and conflicts of interest."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.contests import jury, results
from civic.contests.forms import RecuseForm
from civic.contests.models import Contest, Entry, Judge, Phase
from civic.contests.views.common import bp, load_contest
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import form_page, get_or_404
from civic.db import utc_now


@bp.route("/judges/<token>", methods=["GET", "POST"])
@login_required
def accept_judge(token: str):
    try:
        judge = jury.judge_for_token(token)
    except DomainError:
        abort(404)
    contest = db.session.scalar(select(Contest).where(Contest.competition_id == judge.competition_id))
    if contest is None:
        return _accept_track_judge(token, judge)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            jury.accept_judge(token, current_user)
        except DomainError as exc:
            db.session.rollback()
            return form_page(
                "contests/accept.html", form, status=exc.status_code, error=str(exc), what=contest.title, kind="judge"
            )
        db.session.commit()
        flash(_("You are on the jury. Scoring opens with the jury phase."), "success")
        return redirect(url_for("contests.jury", contest_id=contest.id), 303)
    return form_page("contests/accept.html", form, error=None, what=contest.title, kind="judge")


def _accept_track_judge(token: str, judge: Judge):
    """The same invitation for a hackathon track's jury (the track owns the competition)."""
    from civic.contests.hackathons import track_for_competition

    track = track_for_competition(judge.competition_id)
    if track is None:
        abort(404)
    what = f"{track.hackathon.title}: {track.title}"
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            jury.accept_judge(token, current_user)
        except DomainError as exc:
            db.session.rollback()
            return form_page(
                "contests/accept.html", form, status=exc.status_code, error=str(exc), what=what, kind="judge"
            )
        db.session.commit()
        flash(_("You are on the jury. Scoring opens with the jury phase."), "success")
        return redirect(url_for("contests.hackathon_jury", hackathon_id=track.hackathon_id, track_id=track.id), 303)
    return form_page("contests/accept.html", form, error=None, what=what, kind="judge")


def _judge(contest: Contest) -> Judge:
    judge = jury.judge_of(contest.competition, current_user)
    if judge is None:
        abort(403)
    return judge


@login_required
def jury_page(contest_id: int):
    contest = load_contest(contest_id)
    judge = _judge(contest)
    return render_template(
        "contests/jury.html",
        contest=contest,
        judge=judge,
        entries=results.accepted_entries(contest.competition),
        progress=jury.progress(judge),
        jury_open=contest.phase_at(utc_now()) == Phase.JURY,
        criteria=jury.criteria(contest.competition),
    )


bp.add_url_rule("/<int:contest_id>/jury", endpoint="jury", view_func=jury_page, methods=["GET"])


def _jury_entry(contest: Contest, entry_id: int) -> Entry:
    entry = get_or_404(Entry, entry_id)
    if entry.competition_id != contest.competition_id or entry.state != "accepted":
        abort(404)
    return entry


def render_score(contest: Contest, judge: Judge, entry: Entry, status: int = 200, error=None, values=None, note=None):
    from civic.core.richtext import render_markdown

    return (
        render_template(
            "contests/score.html",
            contest=contest,
            judge=judge,
            entry=entry,
            text_html=render_markdown(entry.text),
            criteria=jury.criteria(contest.competition),
            values=values if values is not None else jury.scores_of(judge, entry.id),
            note=note if note is not None else jury.note_of(judge, entry.id),
            recused=jury.is_recused(judge, entry.id),
            jury_open=contest.phase_at(utc_now()) == Phase.JURY,
            published=contest.competition.results_published_at is not None,
            error=error,
            form=EmptyForm(),
            recuse_form=RecuseForm(formdata=None),
        ),
        status,
    )


@bp.route("/<int:contest_id>/jury/entries/<int:entry_id>", methods=["GET", "POST"])
@login_required
def score(contest_id: int, entry_id: int):
    contest = load_contest(contest_id)
    judge = _judge(contest)
    entry = _jury_entry(contest, entry_id)
    if request.method == "GET":
        return render_score(contest, judge, entry)
    if not EmptyForm().validate_on_submit():
        abort(400)
    values: dict[int, float | None] = {}
    raw_values: dict[int, str] = {}
    for criterion in jury.criteria(contest.competition):
        raw = (request.form.get(f"c{criterion.id}") or "").strip()
        raw_values[criterion.id] = raw
        if not raw:
            values[criterion.id] = None
            continue
        try:
            values[criterion.id] = float(raw.replace(",", "."))
        except ValueError:
            return render_score(
                contest, judge, entry, 400, _("Scores must be numbers."), raw_values, request.form.get("note", "")
            )
    try:
        jury.save_scores(judge, entry, values, request.form.get("note", ""), contest.phase_at(utc_now()) == Phase.JURY)
    except DomainError as exc:
        db.session.rollback()
        return render_score(contest, judge, entry, exc.status_code, str(exc), raw_values, request.form.get("note", ""))
    db.session.commit()
    flash(_("Your scores were saved."), "success")
    return redirect(url_for("contests.jury", contest_id=contest.id), 303)


@bp.post("/<int:contest_id>/jury/entries/<int:entry_id>/recuse")
@login_required
def recuse(contest_id: int, entry_id: int):
    contest = load_contest(contest_id)
    judge = _judge(contest)
    entry = _jury_entry(contest, entry_id)
    form = RecuseForm()
    if not form.validate_on_submit():
        return render_score(contest, judge, entry, 400, _("Say briefly what the conflict of interest is."))
    try:
        jury.recuse(judge, entry, form.reason.data)
    except DomainError as exc:
        db.session.rollback()
        return render_score(contest, judge, entry, exc.status_code, str(exc))
    db.session.commit()
    flash(_("Your conflict of interest was recorded; you will not score this entry."), "info")
    return redirect(url_for("contests.jury", contest_id=contest.id), 303)
