"""Hackathon pages for everyone and for participants: the list, a hackathon with its tracks and agenda, the
iCalendar feed, datasets, registration, the open-mic board, teams, progress and submissions."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from civic import db
from civic.contests import hackathons as hk
from civic.contests.models import (
    AGENDA_LABELS,
    HACKATHON_PHASE_LABELS,
    REVIEW_LABELS,
    SKILL_LABELS,
    Dataset,
    Hackathon,
    HackathonAgendaItem,
    HackathonPhase,
    JoinRequest,
    ProgressPost,
    Track,
)
from civic.contests.permissions import TALENT
from civic.contests.views.common import bp
from civic.contests.views.hackathon_common import act, load_hackathon, load_team, load_track
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import get_or_404
from civic.core.richtext import render_markdown
from civic.db import utc_now


@bp.get("/hackathons/")
def hackathons():
    rows = db.session.scalars(
        select(Hackathon).where(Hackathon.published.is_(True)).order_by(Hackathon.starts_at.desc())
    ).all()
    now = utc_now()
    return render_template(
        "contests/hackathons/index.html",
        hackathons=rows,
        phases={h.id: HACKATHON_PHASE_LABELS[h.phase_at(now)] for h in rows},
        can_create=current_user.is_authenticated and bool(_organiser_anywhere()),
    )


def _organiser_anywhere() -> bool:
    from civic.identity.permissions import scopes

    return bool(scopes(current_user, "contests.organise"))


def _agenda(hackathon: Hackathon) -> list[HackathonAgendaItem]:
    return list(
        db.session.scalars(
            select(HackathonAgendaItem)
            .where(HackathonAgendaItem.hackathon_id == hackathon.id)
            .order_by(HackathonAgendaItem.starts_at)
        )
    )


@bp.get("/hackathons/<int:hackathon_id>")
def hackathon(hackathon_id: int):
    hackathon = load_hackathon(hackathon_id)
    now = utc_now()
    participant = hk.participant_of(hackathon, current_user)
    team = hk.team_of(hackathon, current_user)
    teams = hk.teams(hackathon)
    return render_template(
        "contests/hackathons/detail.html",
        hackathon=hackathon,
        phase=hackathon.phase_at(now),
        phase_label=HACKATHON_PHASE_LABELS[hackathon.phase_at(now)],
        text_html=render_markdown(hackathon.text),
        regulation_html=render_markdown(hackathon.regulation),
        agenda=_agenda(hackathon),
        agenda_labels=AGENDA_LABELS,
        checkpoints=hk.checkpoints(hackathon),
        participant=participant,
        team=team,
        teams=teams,
        sizes={t.id: len(t.members) for t in teams},
        skill_labels=SKILL_LABELS,
        organiser=hk.can_organise(current_user, hackathon),
        hr=current_user.is_authenticated and current_user.has_permission(TALENT, territory=hackathon.territory),
        mentored=hk.mentored_track_ids(current_user, hackathon),
        implementations=hk.implementations(hackathon),
        open_phase=hackathon.phase_at(now) in (HackathonPhase.REGISTRATION, HackathonPhase.HACKING),
    )


@bp.get("/hackathons/<int:hackathon_id>/calendar.ics")
def hackathon_calendar(hackathon_id: int):
    """The agenda and checkpoints as an iCalendar feed (times in UTC; calendars show them locally)."""
    from icalendar import Calendar, Event

    hackathon = load_hackathon(hackathon_id)
    cal = Calendar()
    cal.add("prodid", "-//Civic//hackathons//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", hackathon.title)
    cal.add("x-wr-timezone", "Asia/Almaty")
    host = request.host.split(":")[0] or "civic"
    events = [
        (
            f"h{hackathon.id}-start",
            _("Hackathon: %(title)s", title=hackathon.title),
            hackathon.starts_at,
            hackathon.submission_deadline,
        ),
        *(
            (
                f"a{i.id}",
                f"{i.kind_label}: {i.title}" + (f" ({i.speaker})" if i.speaker else ""),
                i.starts_at,
                i.ends_at,
            )
            for i in _agenda(hackathon)
        ),
        *(
            (f"c{c.id}", _("Checkpoint: %(title)s", title=c.title), c.due_at, c.due_at)
            for c in hk.checkpoints(hackathon)
        ),
    ]
    for uid, summary, start, end in events:
        event = Event()
        event.add("uid", f"{uid}@{host}")
        event.add("summary", summary)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("dtstamp", hackathon.created_at)
        if hackathon.venue:
            event.add("location", hackathon.venue)
        cal.add_component(event)
    return Response(
        cal.to_ical(),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="hackathon-{hackathon.id}.ics"'},
    )


def _sees_team_datasets(hackathon: Hackathon) -> bool:
    return (
        hk.participant_of(hackathon, current_user) is not None
        or hk.can_organise(current_user, hackathon)
        or bool(hk.mentored_track_ids(current_user, hackathon))
    )


@bp.get("/hackathons/<int:hackathon_id>/tracks/<int:track_id>")
def hackathon_track(hackathon_id: int, track_id: int):
    hackathon = load_hackathon(hackathon_id)
    track = load_track(hackathon, track_id)
    from civic.contests.models import Mentor

    mentors = db.session.scalars(select(Mentor).where(Mentor.track_id == track.id).order_by(Mentor.id)).all()
    from civic.contests import jury

    return render_template(
        "contests/hackathons/track.html",
        hackathon=hackathon,
        track=track,
        problem_html=render_markdown(track.problem),
        regulation_html=render_markdown(track.regulation),
        datasets=[d for d in track.datasets if not d.teams_only or _sees_team_datasets(hackathon)],
        hidden_datasets=sum(1 for d in track.datasets if d.teams_only) if not _sees_team_datasets(hackathon) else 0,
        mentors=mentors,
        criteria=jury.criteria(track.competition),
        published=track.competition.results_published_at is not None,
        judge=jury.judge_of(track.competition, current_user),
        reviewer=hk.can_review(current_user, track),
    )


@bp.get("/hackathons/<int:hackathon_id>/datasets/<int:dataset_id>")
def hackathon_dataset(hackathon_id: int, dataset_id: int):
    hackathon = load_hackathon(hackathon_id)
    dataset = get_or_404(Dataset, dataset_id)
    track = db.session.get(Track, dataset.track_id)
    if track.hackathon_id != hackathon.id or dataset.stored_name is None:
        abort(404)
    if dataset.teams_only and not _sees_team_datasets(hackathon):
        abort(403)
    path = hk.dataset_path(dataset)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, as_attachment=True, download_name=dataset.file_name or path.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


# --------------------------------------------------------------------------- registration and the open-mic board


def _register_page(hackathon, skills=(), talent_consent=False, error=None, skills_error=None, status=200):
    return (
        render_template(
            "contests/hackathons/register.html",
            hackathon=hackathon,
            skill_labels=SKILL_LABELS,
            participant=hk.participant_of(hackathon, current_user),
            chosen=set(skills),
            talent_consent=talent_consent,
            skills_error=skills_error,
            error=error,
        ),
        status,
    )


@bp.route("/hackathons/<int:hackathon_id>/register", methods=["GET", "POST"])
@login_required
def hackathon_register(hackathon_id: int):
    """The registration form; a refusal shows it again with the message (next to the skills when it is theirs) and
    what the person ticked."""
    hackathon = load_hackathon(hackathon_id)
    if request.method == "GET":
        return _register_page(hackathon)
    skills, consent = request.form.getlist("skills"), request.form.get("talent_consent") == "y"
    if not EmptyForm().validate_on_submit():
        return _register_page(hackathon, skills, consent, error=str(DomainError()), status=400)
    try:
        hk.register(hackathon, current_user, skills, consent)
    except DomainError as exc:
        db.session.rollback()
        message = {"skills_error" if exc.field == "skills" else "error": str(exc)}
        return _register_page(hackathon, skills, consent, status=exc.status_code, **message)
    db.session.commit()
    flash(_("You are registered. Create a team, join one, or post on the open-mic board."), "success")
    return redirect(url_for("contests.hackathon", hackathon_id=hackathon.id), 303)


@bp.post("/hackathons/<int:hackathon_id>/talent")
@login_required
def hackathon_talent_consent(hackathon_id: int):
    hackathon = load_hackathon(hackathon_id)
    participant = hk.participant_of(hackathon, current_user)
    if participant is None:
        abort(404)
    consent = request.form.get("consent") == "y"
    return act(
        lambda: hk.set_talent_consent(participant, current_user, consent),
        url_for("contests.hackathon", hackathon_id=hackathon.id),
        _("You joined the talent pool.") if consent else _("You left the talent pool."),
    )


@bp.route("/hackathons/<int:hackathon_id>/open-mic", methods=["GET", "POST"])
def hackathon_open_mic(hackathon_id: int):
    hackathon = load_hackathon(hackathon_id)
    back = url_for("contests.hackathon_open_mic", hackathon_id=hackathon.id)
    if request.method == "GET":
        return render_template(
            "contests/hackathons/open_mic.html",
            hackathon=hackathon,
            posts=hk.open_mic(hackathon),
            skill_labels=SKILL_LABELS,
            participant=hk.participant_of(hackathon, current_user),
            team=hk.team_of(hackathon, current_user),
        )
    if not current_user.is_authenticated:
        return login_required(lambda: None)()
    track_id = request.form.get("track", type=int)
    return act(
        lambda: hk.post_open_mic(
            hackathon,
            current_user,
            request.form.get("task", ""),
            request.form.get("experience", ""),
            request.form.get("idea", ""),
            request.form.getlist("needs"),
            track_id,
        ),
        back,
        _("Your post is on the board."),
    )


# --------------------------------------------------------------------------- teams


@bp.post("/hackathons/<int:hackathon_id>/teams")
@login_required
def hackathon_create_team(hackathon_id: int):
    hackathon = load_hackathon(hackathon_id)
    track = db.session.get(Track, request.form.get("track", type=int) or 0)
    created = {}

    def create():
        created["team"] = hk.create_team(hackathon, current_user, track, request.form.get("name", ""))

    response = act(create, url_for("contests.hackathon", hackathon_id=hackathon.id), _("Your team is created."))
    if response.status_code == 303 and "team" in created:
        response.location = url_for("contests.hackathon_team", hackathon_id=hackathon.id, team_id=created["team"].id)
    return response


@bp.post("/hackathons/<int:hackathon_id>/join")
@login_required
def hackathon_join(hackathon_id: int):
    hackathon = load_hackathon(hackathon_id)
    return act(
        lambda: hk.join_by_code(hackathon, current_user, request.form.get("code", "")),
        url_for("contests.hackathon", hackathon_id=hackathon.id),
        _("You joined the team."),
    )


def _team_insider(hackathon, team) -> bool:
    return current_user.is_authenticated and (
        current_user.id in team.member_ids()
        or hk.is_mentor(current_user, team.track_id)
        or hk.can_organise(current_user, hackathon)
    )


@bp.get("/hackathons/<int:hackathon_id>/teams/<int:team_id>")
def hackathon_team(hackathon_id: int, team_id: int):
    hackathon = load_hackathon(hackathon_id)
    team = load_team(hackathon, team_id)
    member = current_user.is_authenticated and current_user.id in team.member_ids()
    insider = _team_insider(hackathon, team)
    now = utc_now()
    submission = hk.submission_of(team)
    requests = []
    if member:
        requests = db.session.scalars(
            select(JoinRequest).where(JoinRequest.team_id == team.id, JoinRequest.state == "pending")
        ).all()
    return render_template(
        "contests/hackathons/team.html",
        hackathon=hackathon,
        team=team,
        member=member,
        insider=insider,
        mentor=hk.is_mentor(current_user, team.track_id),
        coverage=hk.coverage(team),
        skill_labels=SKILL_LABELS,
        requests=requests,
        progress=hk.progress_of(team) if insider else [],
        checkpoints=hk.checkpoints(hackathon),
        submission=submission if (insider or (submission and submission.entry_id)) else None,
        submission_open=hackathon.starts_at <= now < hackathon.submission_deadline and hackathon.published,
        hacking=hackathon.phase_at(now) == HackathonPhase.HACKING,
        deadline_passed=now >= hackathon.submission_deadline,
        open_phase=hackathon.phase_at(now) in (HackathonPhase.REGISTRATION, HackathonPhase.HACKING),
        participant=hk.participant_of(hackathon, current_user),
        my_team=hk.team_of(hackathon, current_user),
        review_labels=REVIEW_LABELS,
        track_change=hk.can_change_track(team, current_user)
        and submission is None
        and now < hackathon.submission_deadline
        and len(hackathon.tracks) > 1,
    )


def _team_back(hackathon, team) -> str:
    return url_for("contests.hackathon_team", hackathon_id=hackathon.id, team_id=team.id)


@bp.post("/hackathons/<int:hackathon_id>/teams/<int:team_id>/requests")
@login_required
def hackathon_request_join(hackathon_id: int, team_id: int):
    hackathon = load_hackathon(hackathon_id)
    team = load_team(hackathon, team_id)
    return act(
        lambda: hk.request_to_join(team, current_user, request.form.get("message", "")),
        _team_back(hackathon, team),
        _("Your request was sent to the team."),
    )


@bp.post("/hackathons/<int:hackathon_id>/teams/<int:team_id>/requests/<int:request_id>")
@login_required
def hackathon_answer_request(hackathon_id: int, team_id: int, request_id: int):
    hackathon = load_hackathon(hackathon_id)
    team = load_team(hackathon, team_id)
    row = get_or_404(JoinRequest, request_id)
    if row.team_id != team.id:
        abort(404)
    if current_user.id not in team.member_ids():
        abort(403)
    accept = request.form.get("decision") == "accept"
    return act(
        lambda: hk.answer_request(row, current_user, accept),
        _team_back(hackathon, team),
        _("The request was accepted.") if accept else _("The request was declined."),
    )


@bp.post("/hackathons/<int:hackathon_id>/teams/<int:team_id>/leave")
@login_required
def hackathon_leave_team(hackathon_id: int, team_id: int):
    hackathon = load_hackathon(hackathon_id)
    team = load_team(hackathon, team_id)
    if current_user.id not in team.member_ids():
        abort(403)
    return act(
        lambda: hk.leave_team(team, current_user),
        url_for("contests.hackathon", hackathon_id=hackathon.id),
        _("You left the team."),
    )


@bp.post("/hackathons/<int:hackathon_id>/teams/<int:team_id>/progress")
@login_required
def hackathon_progress(hackathon_id: int, team_id: int):
    hackathon = load_hackathon(hackathon_id)
    team = load_team(hackathon, team_id)
    if current_user.id not in team.member_ids():
        abort(403)
    return act(
        lambda: hk.post_progress(
            team, current_user, request.form.get("text", ""), request.form.get("checkpoint", type=int)
        ),
        _team_back(hackathon, team),
        _("Progress posted."),
    )


@bp.post("/hackathons/<int:hackathon_id>/progress/<int:post_id>/comments")
@login_required
def hackathon_mentor_comment(hackathon_id: int, post_id: int):
    hackathon = load_hackathon(hackathon_id)
    post = get_or_404(ProgressPost, post_id)
    team = load_team(hackathon, post.team_id)
    if not hk.is_mentor(current_user, team.track_id):
        abort(403)
    return act(
        lambda: hk.comment_progress(post, current_user, request.form.get("text", "")),
        _team_back(hackathon, team),
        _("Your comment was posted."),
    )


@bp.post("/hackathons/<int:hackathon_id>/teams/<int:team_id>/submission")
@login_required
def hackathon_submit(hackathon_id: int, team_id: int):
    hackathon = load_hackathon(hackathon_id)
    team = load_team(hackathon, team_id)
    if current_user.id not in team.member_ids():
        abort(403)
    form = request.form
    return act(
        lambda: hk.submit(
            team,
            current_user,
            repo_url=form.get("repo_url", ""),
            demo_url=form.get("demo_url", ""),
            slides_url=form.get("slides_url", ""),
            description=form.get("description", ""),
        ),
        _team_back(hackathon, team),
        _("Your submission is saved. You can change it until the deadline."),
    )


@bp.post("/hackathons/<int:hackathon_id>/teams/<int:team_id>/track")
@login_required
def hackathon_team_track(hackathon_id: int, team_id: int):
    hackathon = load_hackathon(hackathon_id)
    team = load_team(hackathon, team_id)
    if not hk.can_change_track(team, current_user):
        abort(403)
    new_track = db.session.get(Track, request.form.get("track", type=int) or 0)
    return act(
        lambda: hk.change_track(team, current_user, new_track),
        _team_back(hackathon, team),
        _("The team's track is changed."),
    )
