"""What the hackathon views share: loading with visibility rules and the one shape of every POST action."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template
from flask_login import current_user

from civic import db
from civic.contests import hackathons as hk
from civic.contests.models import Hackathon, Team, Track
from civic.core.errors import DomainError
from civic.core.forms import EmptyForm
from civic.core.http import get_or_404


def can_view(hackathon: Hackathon, user) -> bool:
    return hackathon.published or hk.can_organise(user, hackathon)


def load_hackathon(hackathon_id: int) -> Hackathon:
    """The hackathon if the current user may see it; 404 otherwise (a draft's existence is not disclosed)."""
    hackathon = get_or_404(Hackathon, hackathon_id)
    if not can_view(hackathon, current_user):
        abort(404)
    return hackathon


def organised_hackathon(hackathon_id: int) -> Hackathon:
    hackathon = load_hackathon(hackathon_id)
    if not hk.can_organise(current_user, hackathon):
        abort(403)
    return hackathon


def load_track(hackathon: Hackathon, track_id: int) -> Track:
    track = get_or_404(Track, track_id)
    if track.hackathon_id != hackathon.id:
        abort(404)
    return track


def load_team(hackathon: Hackathon, team_id: int) -> Team:
    team = get_or_404(Team, team_id)
    if team.hackathon_id != hackathon.id:
        abort(404)
    return team


def act(action, back: str, success: str):
    """Run one POST action: CSRF, the service, one commit and a redirect (PRG); a refusal rolls everything back and
    answers with the service's message and its 4xx status."""
    if not EmptyForm().validate_on_submit():
        return refused(str(DomainError()), back, 400)
    try:
        action()
    except DomainError as exc:
        db.session.rollback()
        return refused(str(exc), back, exc.status_code)
    db.session.commit()
    flash(success, "success")
    return redirect(back, 303)


def refused(message: str, back: str, status: int):
    return make_response(render_template("contests/hackathons/refused.html", error=message, back=back), status)
