"""Permission matrix for hackathons: every hackathon page and the main actions against every kind of user.

A draft answers 404 to those who may not see it; staff pages answer 403 to signed-in users without the permission
and send visitors to the login page. ``mentor`` mentors the track, ``author`` is in the team, ``hr`` holds the
talent-pool permission (the akimat's personnel officer)."""

from __future__ import annotations

import pytest

from civic import db
from civic.contests import hackathons as hk
from civic.contests.models import Hackathon, Mentor, Track
from civic.identity.models import AssuranceLevel, StateBody, Territory
from tests.contests.conftest import user
from tests.contests.test_permissions import _seen, _staff

ROLES = [
    "anonymous",
    "registered",
    "unverified",
    "resident",
    "author",
    "mentor",
    "moderator",
    "organiser",
    "other_official",
    "judge",
    "hr",
    "admin",
]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
REVIEWERS = {"organiser", "admin", "mentor"}

PAGES = [
    ("/contests/hackathons/", lambda r: 200),
    ("/contests/hackathons/{hack}", lambda r: 200),
    ("/contests/hackathons/{hack}/tracks/{hack_track}", lambda r: 200),
    ("/contests/hackathons/{hack}/calendar.ics", lambda r: 200),
    ("/contests/hackathons/{hack}/open-mic", lambda r: 200),
    ("/contests/hackathons/{hack}/teams/{team}", lambda r: 200),
    ("/contests/hackathons/{draft}", lambda r: _seen({"organiser", "admin"}, r)),
    ("/contests/hackathons/{draft}/tracks/{draft_track}", lambda r: _seen({"organiser", "admin"}, r)),
    ("/contests/hackathons/{hack}/register", lambda r: _staff(SIGNED_IN, r)),
    ("/contests/hackathons/new", lambda r: _staff({"organiser", "other_official", "admin"}, r)),
    ("/contests/hackathons/{hack}/manage", lambda r: _staff({"organiser", "admin"}, r)),
    ("/contests/hackathons/{draft}/manage", lambda r: _staff({"organiser", "admin"}, r, refused=404)),
    ("/contests/hackathons/{hack}/review", lambda r: _staff(REVIEWERS, r)),
    ("/contests/hackathons/{jury}/tracks/{jury_track}/jury", lambda r: _staff({"judge"}, r)),
    ("/contests/hackathons/{jury}/tracks/{jury_track}/jury/entries/{jury_entry}", lambda r: _staff({"judge"}, r)),
    ("/contests/hackathons/{done}/tracks/{done_track}/results", lambda r: 200),
    ("/contests/hackathons/{hack}/tracks/{hack_track}/results", lambda r: 404),
    ("/contests/hackathons/{done}/tracks/{done_track}/results.csv", lambda r: 200),
    ("/contests/hackathons/{hack}/tracks/{hack_track}/results.csv", lambda r: 404),
    ("/contests/hackathons/{hack}/talent", lambda r: _staff({"hr", "admin"}, r)),
    ("/contests/hackathons/{hack}/sponsors/{sponsor}/edit", lambda r: _staff({"organiser", "admin"}, r)),
    ("/contests/hackathons/{hack}/metrics/{metric}/edit", lambda r: _staff({"organiser", "admin"}, r)),
    ("/contests/hackathons/{hack}/datasets/{dataset}/edit", lambda r: _staff({"organiser", "admin"}, r)),
    ("/contests/hackathons/{hack}/agenda/{agenda}/edit", lambda r: _staff({"organiser", "admin"}, r)),
    ("/contests/hackathons/{hack}/mentors/{mentor}/edit", lambda r: _staff({"organiser", "admin"}, r)),
    # another hackathon's sponsor under this hackathon's address: not found, even for its organiser
    ("/contests/hackathons/{hack}/sponsors/{jury_sponsor}/edit", lambda r: _staff({"organiser", "admin"}, r, ok=404)),
    (
        "/contests/hackathons/{draft}/sponsors/{draft_sponsor}/edit",
        lambda r: _staff({"organiser", "admin"}, r, refused=404),
    ),
]


@pytest.fixture
def scene(app, cast, hackathons, make_user):
    cast.mentor = cast.coauthor
    cast.registered = make_user(level=AssuranceLevel.REGISTERED, home="KZ-ALA-ALM")
    cast.hr = make_user(roles=[("hr_officer", "KZ-ALA", None)], home="KZ-ALA-ALM")
    hack = hackathons.make("hacking", team=True)
    jury_ids = hackathons.make("jury", team=True, reviewed=True, judges=1)
    done = hackathons.make("jury", team=True, reviewed=True)
    with app.app_context():
        from sqlalchemy import select

        organiser = user(cast.organiser)
        hk.publish_results(db.session.get(Track, done["track"]), organiser)
        draft = hk.create_hackathon(
            organiser,
            title="Draft hackathon",
            text="",
            regulation="",
            territory=db.session.scalar(select(Territory).where(Territory.code == "KZ-ALA")),
            body=db.session.scalar(select(StateBody).where(StateBody.code == "KZ-ALA.MOBILITY")),
        )
        draft_track = hk.add_track(draft, organiser, "Hidden track", "A problem", None)
        draft_sponsor = hk.add_sponsor(draft_track, organiser, "Hidden sponsor")
        track = db.session.get(Track, hack["track"])
        hk.add_track(track.hackathon, organiser, "Clean air", "Smog in winter.", None)
        extras = {
            "sponsor": hk.add_sponsor(track, organiser, "KazTransCom").id,
            "metric": hk.add_metric(track, organiser, "objective", "Delay", 5, "min").id,
            "dataset": hk.add_dataset(track, organiser, "Stops", url="https://data.example.kz/stops").id,
            "agenda": hk.add_agenda_item(
                track.hackathon,
                organiser,
                "lecture",
                "Pitching",
                "",
                track.hackathon.starts_at,
                track.hackathon.submission_deadline,
            ).id,
            "mentor": db.session.scalar(select(Mentor.id).where(Mentor.track_id == track.id)),
            "air_track": track.hackathon.tracks[-1].id,
            "jury_sponsor": hk.add_sponsor(db.session.get(Track, jury_ids["track"]), organiser, "Other").id,
            "draft_sponsor": draft_sponsor.id,
        }
        db.session.commit()
        assert not db.session.get(Hackathon, draft.id).published
        return {
            "hack": hack["hackathon"],
            "hack_track": hack["track"],
            "team": hack["team"],
            "draft": draft.id,
            "draft_track": draft_track.id,
            "jury": jury_ids["hackathon"],
            "jury_track": jury_ids["track"],
            "jury_entry": jury_ids["entry"],
            "jury_submission": jury_ids["submission"],
            "done": done["hackathon"],
            "done_track": done["track"],
            **extras,
        }


@pytest.mark.parametrize("role", ROLES)
def test_hackathon_permission_matrix_for_every_page(app, client, auth, cast, scene, role):
    auth.login_as(cast, role)
    wrong = {}
    for template, rule in PAGES:
        path = template.format(**scene)
        status = client.get(path).status_code
        if status != rule(role):
            wrong[path] = (status, rule(role))
    assert wrong == {}, f"{role}: path -> (got, expected)"


def _register(r):
    if r == "anonymous":
        return 302
    if r == "registered":
        return 403  # no confirmed email
    return 409 if r == "author" else 303  # the author registered already


POSTS = [
    ("/contests/hackathons/{hack}/register", {"skills": ["design"]}, _register),
    (
        "/contests/hackathons/{hack}/teams",
        {"name": "New team", "track": "{hack_track}"},
        lambda r: _staff(set(), r, refused=409 if r == "author" else 403),  # not registered (the author has a team)
    ),
    (
        "/contests/hackathons/{hack}/teams/{team}/submission",
        {"repo_url": "https://git.example.kz/x", "description": "Update"},
        lambda r: _staff({"author"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{jury}/submissions/{jury_submission}/review",
        {"verdict": "works", "note": ""},
        lambda r: _staff(REVIEWERS, r, ok=303),
    ),
    (
        "/contests/hackathons/{jury}/tracks/{jury_track}/jury/entries/{jury_entry}/recuse",
        {"reason": "My brother"},
        lambda r: _staff({"judge"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{jury}/tracks/{jury_track}/results/publish",
        {},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{hack}/tracks",
        {"title": "Ecology", "problem": "Air in Oskemen"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{draft}/publish",
        {},
        lambda r: _staff({"organiser", "admin"}, r, ok=303, refused=404),
    ),
    (
        "/contests/hackathons/{hack}/sponsors/{sponsor}/edit",
        {"name": "KTC", "url": ""},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{hack}/sponsors/{sponsor}/remove",
        {"confirm": "y"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{hack}/metrics/{metric}/edit",
        {"kind": "objective", "name": "Delay", "target": "4", "unit": "min"},
        lambda r: _staff({"organiser", "admin"}, r, ok=409),  # Team Alpha submitted: the metrics are frozen
    ),
    (
        "/contests/hackathons/{hack}/metrics/{metric}/remove",
        {"confirm": "y"},
        lambda r: _staff({"organiser", "admin"}, r, ok=409),
    ),
    (
        "/contests/hackathons/{hack}/datasets/{dataset}/edit",
        {"title": "Stops 2", "url": "https://data.example.kz/stops2"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{hack}/datasets/{dataset}/remove",
        {"confirm": "y"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{hack}/agenda/{agenda}/edit",
        {"kind": "lecture", "title": "Pitching", "starts_at": "2030-01-02T10:00", "ends_at": "2030-01-02T11:00"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{hack}/agenda/{agenda}/remove",
        {"confirm": "y"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{hack}/mentors/{mentor}/edit",
        {"expertise": "GIS"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{hack}/mentors/{mentor}/remove",
        {"confirm": "y"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/hackathons/{hack}/sponsors/{jury_sponsor}/remove",
        {"confirm": "y"},
        lambda r: _staff({"organiser", "admin"}, r, ok=404),
    ),
    (
        "/contests/hackathons/{hack}/teams/{team}/track",
        {"track": "{air_track}"},
        lambda r: _staff({"author"}, r, ok=409),  # the captain, but the team has submitted
    ),
    (
        "/contests/hackathons/{hack}/talent",
        {"consent": "y"},
        lambda r: _staff({"author"}, r, ok=303, refused=404),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("template", "data", "rule"), POSTS, ids=[p[0] for p in POSTS])
def test_hackathon_permission_matrix_for_actions(app, client, auth, cast, scene, role, template, data, rule):
    auth.login_as(cast, role)
    data = {k: (v.format(**scene) if isinstance(v, str) else v) for k, v in data.items()}
    response = client.post(template.format(**scene), data=data)
    assert response.status_code == rule(role)
    if role == "anonymous":
        assert "/login" in response.headers["Location"]
