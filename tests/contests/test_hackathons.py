"""Hackathons: the services and their refusals, over HTTP where a person meets them (clear message, nothing changed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from civic import db
from civic.contests import hackathons as hk
from civic.contests import jury
from civic.contests.models import (
    Entry,
    EntryState,
    Hackathon,
    HackathonTeamMember,
    Implementation,
    Participant,
    Submission,
    Team,
    Track,
)
from civic.db import utc_now
from tests.contests.conftest import user


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_default_schedule_is_friday_evening_to_sunday_morning_in_almaty():
    from datetime import UTC, datetime

    starts, deadline, pitching = hk.default_schedule(datetime(2026, 12, 7, 6, 0, tzinfo=UTC))  # a Monday
    local = [d.astimezone(hk.ALMATY) for d in (starts, deadline, pitching)]
    assert (local[0].weekday(), local[0].hour, local[0].minute) == (4, 21, 0)
    assert (local[1].weekday(), local[1].hour) == (6, 10)
    assert (local[2].weekday(), local[2].hour) == (6, 12)
    assert local[1] - local[0] == timedelta(hours=37)


def test_register_team_join_and_coverage(app, cast, hackathons):
    ids = hackathons.make("hacking", team=True)
    with app.app_context():
        team = db.session.get(Team, ids["team"])
        assert team.member_ids() == {cast.author.id, cast.voter2.id}
        cov = hk.coverage(team)
        assert cov["have"] == ["frontend", "backend", "data"]
        assert cov["missing"] == ["business", "design"]


def test_team_above_the_size_limit_is_refused_by_the_guarded_insert(app, cast, hackathons, make_user):
    ids = hackathons.make("hacking", team=True, max_team_size=2, recommended_team_size=2)
    with app.app_context():
        hackathon = db.session.get(Hackathon, ids["hackathon"])
        third = make_user(home="KZ-ALA-ALM")
        hk.register(hackathon, db.session.get(type(third), third.id), ["design"])
        db.session.commit()
        with pytest.raises(hk.TeamFull):
            hk.join_by_code(hackathon, user(third), ids["code"])
        db.session.rollback()
        assert _count(HackathonTeamMember) == 2


def test_the_database_refuses_a_seat_above_the_maximum(app, cast, hackathons, make_user):
    """Even a raw INSERT cannot put a third member into a team of at most two: the guarded statement finds no seat."""
    ids = hackathons.make("hacking", team=True, max_team_size=2, recommended_team_size=2)
    with app.app_context():
        third = make_user(home="KZ-ALA-ALM")
        new_id = db.session.execute(hk._JOIN, {"team_id": ids["team"], "user_id": third.id, "now": utc_now()}).scalar()
        assert new_id is None
        from sqlalchemy.exc import IntegrityError

        db.session.add(
            HackathonTeamMember(team_id=ids["team"], hackathon_id=ids["hackathon"], user_id=third.id, slot=1)
        )
        with pytest.raises(IntegrityError):  # the same seat twice
            db.session.flush()
        db.session.rollback()


def test_http_team_above_limit_gives_a_message_and_changes_nothing(app, client, auth, cast, hackathons, make_user):
    ids = hackathons.make("hacking", team=True, max_team_size=2, recommended_team_size=2)
    third = make_user(home="KZ-ALA-ALM")
    auth.login(third)
    assert (
        client.post(f"/contests/hackathons/{ids['hackathon']}/register", data={"skills": ["design"]}).status_code == 303
    )
    response = client.post(f"/contests/hackathons/{ids['hackathon']}/join", data={"code": ids["code"]})
    assert response.status_code == 409
    assert "This team is full: at most 2 members." in response.get_data(as_text=True)
    with app.app_context():
        assert _count(HackathonTeamMember) == 2


def test_submission_after_the_deadline_is_refused(app, client, auth, cast, hackathons):
    ids = hackathons.make("hacking", team=True)
    hackathons.move(ids["hackathon"], "review")
    auth.login(cast.author)
    response = client.post(
        f"/contests/hackathons/{ids['hackathon']}/teams/{ids['team']}/submission",
        data={"repo_url": "https://git.example.kz/late", "description": "Late change"},
    )
    assert response.status_code == 409
    assert "Submissions are closed: the deadline has passed." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Submission, ids["submission"]).repo_url == "https://git.example.kz/alpha"


def test_submission_needs_an_http_repository_link(app, client, auth, cast, hackathons):
    ids = hackathons.make("hacking", team=True)
    auth.login(cast.author)
    response = client.post(
        f"/contests/hackathons/{ids['hackathon']}/teams/{ids['team']}/submission",
        data={"repo_url": "javascript:alert(1)", "description": "x"},
    )
    assert response.status_code == 400
    assert "Links must start with http:// or https://" in response.get_data(as_text=True)


def test_only_working_submissions_reach_the_jury(app, cast, hackathons, make_user):
    ids = hackathons.make("review", team=True)
    with app.app_context():
        submission = db.session.get(Submission, ids["submission"])
        with pytest.raises(hk.PermissionDenied):
            hk.review(submission, user(cast.author), True, "")  # a participant is not a reviewer
        db.session.rollback()
        with pytest.raises(hk.DomainError):
            hk.review(submission, user(cast.organiser), False, "")  # a failure needs a note
        db.session.rollback()
        hk.review(submission, user(cast.coauthor), False, "The demo returns 500.")  # a mentor of the track
        assert submission.entry_id is None
        hk.review(submission, user(cast.organiser), True, "Fixed and runs.")
        entry = db.session.get(Entry, submission.entry_id)
        assert entry.state == EntryState.ACCEPTED
        assert entry.author_ids() == {cast.author.id, cast.voter2.id}
        hk.review(submission, user(cast.organiser), False, "Broke again.")
        assert entry.state == EntryState.REJECTED


def test_review_before_the_deadline_is_refused(app, cast, hackathons):
    ids = hackathons.make("hacking", team=True)
    with app.app_context(), pytest.raises(hk.PhaseClosed):
        hk.review(db.session.get(Submission, ids["submission"]), user(cast.organiser), True, "")


def test_jury_scoring_reuses_the_competition_and_a_recused_judge_cannot_score(app, client, auth, cast, hackathons):
    ids = hackathons.make("jury", team=True, reviewed=True, judges=2)
    base = f"/contests/hackathons/{ids['hackathon']}/tracks/{ids['track']}"
    with app.app_context():
        criteria = jury.criteria(db.session.get(Track, ids["track"]).competition)
    auth.login(cast.judge)
    assert client.get(f"{base}/jury").status_code == 200
    assert client.post(f"{base}/jury/entries/{ids['entry']}/recuse", data={"reason": "My cousin"}).status_code == 303
    response = client.post(f"{base}/jury/entries/{ids['entry']}", data={f"c{c.id}": "3" for c in criteria})
    assert response.status_code == 403
    assert "You declared a conflict of interest" in response.get_data(as_text=True)
    auth.logout()
    auth.login(cast.judge2)
    assert (
        client.post(f"{base}/jury/entries/{ids['entry']}", data={f"c{c.id}": "4" for c in criteria}).status_code == 303
    )
    auth.logout()
    auth.login(cast.organiser)
    assert client.post(f"{base}/results/publish").status_code == 303
    page = client.get(f"{base}/results")
    assert page.status_code == 200
    assert "Team Alpha" in page.get_data(as_text=True)
    with app.app_context():
        results = db.session.get(Track, ids["track"]).competition.results
        assert results["winners"] == [ids["entry"]]
        assert results["entries"][0]["judges"] == 1


def test_a_track_is_published_once_even_when_two_organisers_race(app, cast, hackathons):
    """The second publisher read the track before the first one's commit: the guarded UPDATE still refuses it."""
    from sqlalchemy import update

    from civic.contests.models import Competition

    ids = hackathons.make("jury", team=True, reviewed=True, judges=1)
    with app.app_context():
        track = db.session.get(Track, ids["track"])
        entry = db.session.get(Entry, ids["entry"])
        for c in jury.criteria(track.competition):
            jury.save_scores(jury.judge_of(track.competition, user(cast.judge)), entry, {c.id: c.scale_max}, "", True)
        db.session.commit()
        competition = track.competition
        assert competition.results_published_at is None  # what the second organiser's request has read
        db.session.execute(  # meanwhile the first organiser's request publishes and commits
            update(Competition)
            .where(Competition.id == competition.id)
            .values(results_published_at=utc_now())
            .execution_options(synchronize_session=False)
        )
        with pytest.raises(hk.PhaseClosed, match="already published"):
            hk.publish_results(track, user(cast.organiser))


def test_implementation_record_and_talent_pool(app, client, auth, cast, hackathons, make_user):
    ids = hackathons.make("jury", team=True, reviewed=True, judges=1)
    with app.app_context():
        track = db.session.get(Track, ids["track"])
        entry = db.session.get(Entry, ids["entry"])
        for c in jury.criteria(track.competition):
            jury.save_scores(jury.judge_of(track.competition, user(cast.judge)), entry, {c.id: c.scale_max}, "", True)
        hk.publish_results(track, user(cast.organiser))
        db.session.commit()
    auth.login(cast.organiser)
    response = client.post(
        f"/contests/hackathons/{ids['hackathon']}/submissions/{ids['submission']}/implementation",
        data={"status": "pilot", "started_on": "2026-12-20", "finished_on": "2026-12-01", "note": ""},
    )
    assert response.status_code == 400
    assert "The end cannot come before the start." in response.get_data(as_text=True)
    response = client.post(
        f"/contests/hackathons/{ids['hackathon']}/submissions/{ids['submission']}/implementation",
        data={"status": "pilot", "started_on": "2026-12-20", "note": "Pilot on route 12"},
    )
    assert response.status_code == 303
    auth.logout()
    page = client.get(f"/contests/hackathons/{ids['hackathon']}").get_data(as_text=True)
    assert "Pilot on route 12" in page
    assert "Team Alpha" in page
    with app.app_context():
        assert _count(Implementation) == 1
    # the talent pool: consent, seen by HR, revoked
    auth.login(cast.author)
    assert client.post(f"/contests/hackathons/{ids['hackathon']}/talent", data={"consent": "y"}).status_code == 303
    auth.logout()
    hr = make_user(roles=[("hr_officer", "KZ-ALA", None)], home="KZ-ALA-ALM")
    auth.login(hr)
    assert cast.author.email in client.get(f"/contests/hackathons/{ids['hackathon']}/talent").get_data(as_text=True)
    auth.logout()
    auth.login(cast.author)
    assert client.post(f"/contests/hackathons/{ids['hackathon']}/talent", data={"consent": "n"}).status_code == 303
    auth.logout()
    auth.login(hr)
    assert cast.author.email not in client.get(f"/contests/hackathons/{ids['hackathon']}/talent").get_data(as_text=True)
    with app.app_context():
        p = db.session.scalar(select(Participant).where(Participant.user_id == cast.author.id))
        assert p.talent_consent_at is not None
        assert p.talent_revoked_at is not None


def test_open_mic_requests_and_progress(app, client, auth, cast, hackathons, make_user):
    ids = hackathons.make("hacking", team=True)
    solo = make_user(home="KZ-ALA-ALM", display_name="Solo Dev")
    auth.login(solo)
    client.post(f"/contests/hackathons/{ids['hackathon']}/register", data={"skills": ["design"]})
    response = client.post(
        f"/contests/hackathons/{ids['hackathon']}/open-mic",
        data={"task": "Bus stop UX", "experience": "3 years", "idea": "Live boards", "needs": ["backend"]},
    )
    assert response.status_code == 303
    assert "Bus stop UX" in client.get(f"/contests/hackathons/{ids['hackathon']}/open-mic").get_data(as_text=True)
    assert (
        client.post(
            f"/contests/hackathons/{ids['hackathon']}/teams/{ids['team']}/requests", data={"message": "Hi"}
        ).status_code
        == 303
    )
    auth.logout()
    auth.login(cast.author)
    with app.app_context():
        from civic.contests.models import JoinRequest

        rid = db.session.scalar(select(JoinRequest.id))
    assert (
        client.post(
            f"/contests/hackathons/{ids['hackathon']}/teams/{ids['team']}/requests/{rid}", data={"decision": "accept"}
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/contests/hackathons/{ids['hackathon']}/teams/{ids['team']}/progress", data={"text": "Prototype runs"}
        ).status_code
        == 303
    )
    auth.logout()
    auth.login(cast.coauthor)  # the mentor
    with app.app_context():
        from civic.contests.models import ProgressPost

        pid = db.session.scalar(select(ProgressPost.id))
    assert (
        client.post(
            f"/contests/hackathons/{ids['hackathon']}/progress/{pid}/comments", data={"text": "Add tests"}
        ).status_code
        == 303
    )
    page = client.get(f"/contests/hackathons/{ids['hackathon']}/teams/{ids['team']}").get_data(as_text=True)
    assert "Add tests" in page
    assert "Solo Dev" in page
    # the open-mic board lists only solo participants
    assert "Bus stop UX" not in client.get(f"/contests/hackathons/{ids['hackathon']}/open-mic").get_data(as_text=True)


def test_calendar_feed(app, client, hackathons):
    ids = hackathons.make("registration")
    response = client.get(f"/contests/hackathons/{ids['hackathon']}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    from icalendar import Calendar

    cal = Calendar.from_ical(response.data)
    summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert any("East Kazakhstan hackathon" in s for s in summaries)


def test_teams_only_datasets(app, client, auth, cast, hackathons, tmp_path):
    import io

    app.config["CONTESTS_UPLOAD_DIR"] = str(tmp_path)
    ids = hackathons.make("hacking", team=True)
    auth.login(cast.organiser)
    response = client.post(
        f"/contests/hackathons/{ids['hackathon']}/tracks/{ids['track']}/datasets",
        data={"title": "Bus GPS", "teams_only": "y", "file": (io.BytesIO(b"id,lat,lon\n1,49.9,82.6\n"), "gps.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    bad = client.post(
        f"/contests/hackathons/{ids['hackathon']}/tracks/{ids['track']}/datasets",
        data={"title": "Virus", "file": (io.BytesIO(b"MZ"), "x.exe")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    auth.logout()
    with app.app_context():
        from civic.contests.models import Dataset

        assert _count(Dataset) == 1
        did = db.session.scalar(select(Dataset.id))
    page = client.get(f"/contests/hackathons/{ids['hackathon']}/tracks/{ids['track']}").get_data(as_text=True)
    assert "Bus GPS" not in page
    assert client.get(f"/contests/hackathons/{ids['hackathon']}/datasets/{did}").status_code == 403
    auth.login(cast.author)
    assert client.get(f"/contests/hackathons/{ids['hackathon']}/datasets/{did}").data.startswith(b"id,lat")


def test_organiser_adds_criteria_and_metrics_per_track(app, client, auth, cast, hackathons):
    ids = hackathons.make("registration")
    base = f"/contests/hackathons/{ids['hackathon']}/tracks/{ids['track']}"
    auth.login(cast.organiser)
    assert client.get(f"/contests/hackathons/{ids['hackathon']}/manage").status_code == 200
    data = {
        f"c{ids['track']}-{k}": v
        for k, v in {"name": "Pitch", "weight": "1", "scale_min": "1", "scale_max": "5"}.items()
    }
    assert client.post(f"{base}/criteria", data=data).status_code == 303
    bad = client.post(f"{base}/metrics", data={"kind": "objective", "name": "Delay", "target": "", "unit": "min"})
    assert bad.status_code == 400
    assert "An objective metric needs a target and its unit." in bad.get_data(as_text=True)
    assert (
        client.post(
            f"{base}/metrics", data={"kind": "objective", "name": "Delay", "target": "5", "unit": "min"}
        ).status_code
        == 303
    )
    with app.app_context():
        track = db.session.get(Track, ids["track"])
        assert [c.name for c in jury.criteria(track.competition)] == ["Impact", "Quality", "Pitch"]
        assert [(m.name, m.target, m.unit) for m in track.metrics] == [("Delay", 5.0, "min")]


def test_link_type_hackathon_resolves_for_those_who_may_see_it(app, cast, hackathons):
    from flask_login import AnonymousUserMixin

    from civic.core import links

    ids = hackathons.make("registration")
    with app.test_request_context():
        link = links.resolve("hackathon", ids["hackathon"], AnonymousUserMixin())
        assert link is not None
        assert link.url == f"/contests/hackathons/{ids['hackathon']}"
        db.session.get(Hackathon, ids["hackathon"]).published = False
        assert links.resolve("hackathon", ids["hackathon"], AnonymousUserMixin()) is None
        assert links.resolve("hackathon", ids["hackathon"], user(cast.organiser)) is not None
