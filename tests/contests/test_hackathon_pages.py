"""Hackathon pages as a newcomer meets them: the organiser's implementation form shows what is saved, a refused
registration keeps the form, the results button is offered only when publishing is allowed, and a visitor is led to
the login page and back."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from civic import db
from civic.contests import hackathons as hk
from civic.contests import jury
from civic.contests.models import Entry, Participant, Submission, Track
from civic.identity.models import StateBody
from tests.contests.conftest import user


def _published_track(app, cast, hackathons) -> dict:
    """A track in pitching whose one working solution was scored and published (Team Alpha wins)."""
    ids = hackathons.make("jury", team=True, reviewed=True, judges=1)
    with app.app_context():
        track = db.session.get(Track, ids["track"])
        entry = db.session.get(Entry, ids["entry"])
        judge = jury.judge_of(track.competition, user(cast.judge))
        jury.save_scores(judge, entry, {c.id: c.scale_max for c in jury.criteria(track.competition)}, "", True)
        hk.publish_results(track, user(cast.organiser))
        db.session.commit()
    return ids


def _implementation_form(page: str, submission_id: int) -> str:
    match = re.search(
        rf'<form method="post" action="[^"]*/submissions/{submission_id}/implementation".*?</form>', page, re.S
    )
    assert match, "the winning solution's implementation form"
    return match.group(0)


def test_the_implementation_form_shows_the_saved_record(app, client, auth, cast, hackathons):
    ids = _published_track(app, cast, hackathons)
    with app.app_context():
        body = db.session.scalar(select(StateBody).where(StateBody.code == "KZ-AST.AKIMAT"))
        body_id = body.id
        hk.set_implementation(
            db.session.get(Submission, ids["submission"]),
            user(cast.organiser),
            body,
            "pilot",
            datetime(2026, 12, 19, 19, 0, tzinfo=UTC),  # 20 December in Almaty: the form shows the local day
            None,
            "Pilot on route 12",
        )
        db.session.commit()
    auth.login(cast.organiser)
    form = html.unescape(
        _implementation_form(
            client.get(f"/contests/hackathons/{ids['hackathon']}/manage").get_data(as_text=True), ids["submission"]
        )
    )
    assert re.search(r'<option value="pilot"\s+selected>', form)
    assert not re.search(r'<option value="planned"\s+selected>', form)
    assert re.search(rf'<option value="{body_id}"\s+selected>', form)
    assert 'name="started_on" type="date" value="2026-12-20"' in form
    assert 'name="finished_on" type="date" value=""' in form
    assert ">Pilot on route 12</textarea>" in form


def test_a_new_implementation_form_proposes_planned_and_the_tracks_problem_owner(app, client, auth, cast, hackathons):
    ids = _published_track(app, cast, hackathons)
    with app.app_context():
        owner_id = db.session.get(Track, ids["track"]).owner_body_id
    auth.login(cast.organiser)
    form = _implementation_form(
        client.get(f"/contests/hackathons/{ids['hackathon']}/manage").get_data(as_text=True), ids["submission"]
    )
    assert re.search(r'<option value="planned"\s+selected>', form)
    assert re.search(rf'<option value="{owner_id}"\s+selected>', form)


def test_registration_without_a_skill_shows_the_form_again_with_the_error_and_the_ticks(
    app, client, auth, hackathons, make_user
):
    ids = hackathons.make("registration")
    newcomer = make_user(home="KZ-ALA-ALM")
    auth.login(newcomer)
    response = client.post(f"/contests/hackathons/{ids['hackathon']}/register", data={"talent_consent": "y"})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert 'id="register-form"' in page
    assert re.search(r'id="skills-error"[^>]*>Choose at least one skill\.</small>', page)
    assert re.search(r'id="talent_consent" name="talent_consent" value="y"\s+checked', page)
    with app.app_context():
        assert db.session.scalar(select(Participant.id)) is None


def test_a_refused_registration_keeps_the_skills_ticked_and_says_why(app, client, auth, hackathons, make_user):
    ids = hackathons.make("jury")  # registration has closed
    newcomer = make_user(home="KZ-ALA-ALM")
    auth.login(newcomer)
    response = client.post(f"/contests/hackathons/{ids['hackathon']}/register", data={"skills": ["design", "data"]})
    assert response.status_code == 409
    page = html.unescape(response.get_data(as_text=True))
    assert "Registration is closed." in page
    assert 'id="skills-error"' not in page  # not the skills' fault
    assert re.search(r'id="skill-design" name="skills" value="design"\s+checked', page)
    assert re.search(r'id="skill-data" name="skills" value="data"\s+checked', page)
    assert not re.search(r'id="skill-backend" name="skills" value="backend"\s+checked', page)


def test_registration_still_registers_and_redirects(app, client, auth, hackathons, make_user):
    ids = hackathons.make("registration")
    newcomer = make_user(home="KZ-ALA-ALM")
    auth.login(newcomer)
    response = client.post(
        f"/contests/hackathons/{ids['hackathon']}/register", data={"skills": ["design"], "talent_consent": "y"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/contests/hackathons/{ids['hackathon']}")
    with app.app_context():
        participant = db.session.scalar(select(Participant))
        assert participant.skills == ["design"]
        assert participant.in_talent_pool


@pytest.mark.parametrize(("phase", "offered"), [("registration", False), ("hacking", False), ("jury", True)])
def test_publishing_the_results_is_offered_only_when_the_service_allows_it(
    app, client, auth, cast, hackathons, phase, offered
):
    ids = hackathons.make(phase)
    auth.login(cast.organiser)
    page = client.get(f"/contests/hackathons/{ids['hackathon']}/manage").get_data(as_text=True)
    assert (f'id="publish-results-{ids["track"]}"' in page) is offered
    assert (f'id="publish-results-later-{ids["track"]}"' in page) is not offered
    with app.app_context():
        assert hk.jury_open(db.session.get(Track, ids["track"])) is offered
    if not offered:  # the rule the page follows is the service's: a POST anyway is refused
        assert (
            client.post(f"/contests/hackathons/{ids['hackathon']}/tracks/{ids['track']}/results/publish").status_code
            == 409
        )


def test_published_results_are_not_offered_again(app, client, auth, cast, hackathons):
    ids = _published_track(app, cast, hackathons)
    with app.app_context():
        assert hk.jury_open(db.session.get(Track, ids["track"])) is False
    auth.login(cast.organiser)
    page = client.get(f"/contests/hackathons/{ids['hackathon']}/manage").get_data(as_text=True)
    assert f'id="publish-results-{ids["track"]}"' not in page


def test_a_signed_out_visitor_is_led_to_the_login_page_and_back(app, client, hackathons):
    ids = hackathons.make("registration")
    path = f"/contests/hackathons/{ids['hackathon']}"
    page = html.unescape(client.get(path).get_data(as_text=True))
    match = re.search(r'<a href="([^"]+)" id="sign-in-to-register">Sign in to register\.</a>', page)
    assert match
    link = urlsplit(match.group(1))
    assert link.path == "/login"
    assert parse_qs(link.query) == {"next": [path]}
    assert client.get(match.group(1)).status_code == 200


def test_a_signed_out_visitor_is_not_invited_to_register_once_registration_closed(app, client, hackathons):
    ids = hackathons.make("jury")
    page = client.get(f"/contests/hackathons/{ids['hackathon']}").get_data(as_text=True)
    assert 'id="sign-in-to-register"' not in page
    assert "Registration is closed." in page


def test_the_phase_badge_is_a_neutral_status_not_the_red_alert_counter(app, client, auth, cast, hackathons):
    ids = hackathons.make("jury", team=True, reviewed=True, judges=1)
    hackathon_id = ids["hackathon"]
    detail = client.get(f"/contests/hackathons/{hackathon_id}").get_data(as_text=True)
    assert re.search(
        r'<span class="contest-status contest-status-jury" id="hackathon-phase" data-phase="jury">', detail
    )
    auth.login(cast.organiser)
    manage = client.get(f"/contests/hackathons/{hackathon_id}/manage").get_data(as_text=True)
    assert 'class="contest-status contest-status-jury"' in manage
    assert '<span class="badge">' not in manage
