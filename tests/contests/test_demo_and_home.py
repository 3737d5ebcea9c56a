"""The demo contests (seed case 21 in its jury phase; a second one open for voting), the demo hackathons (one at
pitching, one open for registration) and the home page's feed."""

from __future__ import annotations

import random

import numpy as np
from sqlalchemy import func, select

from civic import db
from civic.contests import results
from civic.contests.models import Contest, Entry, Judge, Phase, Recusal, Score, Vote
from civic.db import utc_now
from civic.demo import DemoContext
from civic.modules import submodule


def _seed(app) -> None:
    with app.app_context():
        context = DemoContext(rng=random.Random(3), np_rng=np.random.default_rng(3), echo=lambda _line: None)
        for module in ("identity", "contests"):
            submodule(module, "demo").seed_demo(context)
        db.session.commit()


def test_the_demo_parking_contest_stands_in_the_jury_phase_with_everything(app, directory):
    _seed(app)
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.title.startswith("Алматы аулаларындағы тұрақ")))
        assert contest.phase_at(utc_now()) == Phase.JURY
        assert contest.reward_kind == "grant"
        cid = contest.competition_id
        count = lambda model: db.session.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(model.competition_id == cid)
        )
        assert count(Entry) == 6
        assert count(Vote) > 50
        assert count(Judge) == 3
        total = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert total(Recusal) == 1
        assert total(Score) > 30
        preview = results.build(contest)
        assert [row["rank"] for row in preview["entries"]][:1] == [1]
        assert len(preview["winners"]) == 1


def test_the_home_page_lists_live_contests(app, client, directory):
    _seed(app)
    page = client.get("/").get_data(as_text=True)
    assert "Алматы аулаларындағы тұрақ" in page
    assert "Шығыс Қазақстан өңірлік хакатоны" in page  # the hackathon's feed item


def test_the_demo_east_kazakhstan_hackathon_stands_at_pitching_with_three_tracks(app, client, directory):
    from civic.contests.models import Dataset, Hackathon, HackathonPhase, Implementation, Submission, Team

    _seed(app)
    with app.app_context():
        hackathon = db.session.scalar(select(Hackathon).where(Hackathon.title.startswith("Шығыс Қазақстан")))
        assert hackathon.territory.code == "KZ-VOS"
        assert hackathon.phase_at(utc_now()) == HackathonPhase.JURY
        assert len(hackathon.tracks) == 3
        assert all(t.sponsors and t.metrics and t.datasets for t in hackathon.tracks)
        assert db.session.scalar(select(func.count()).select_from(Dataset).where(Dataset.teams_only)) == 2
        assert db.session.scalar(select(func.count()).select_from(Team)) == 5
        reviews = [s.review_state for s in db.session.scalars(select(Submission))]
        assert sorted(reviews) == ["broken", "works", "works", "works", "works"]
        assert hackathon.tracks[0].competition.results_published_at is not None
        assert hackathon.tracks[1].competition.results_published_at is None
        assert db.session.scalar(select(func.count()).select_from(Implementation)) == 1
        hid = hackathon.id
    page = client.get(f"/contests/hackathons/{hid}").get_data(as_text=True)
    assert "Жылу желілері" in page
    assert "Пилот в ГКП" in page


def test_a_demo_resident_can_vote_in_the_demo_contest_open_for_voting(app, client, auth, directory):
    from civic.identity.models import User

    _seed(app)
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.title.startswith("Жарық аулалар")))
        assert contest.phase_at(utc_now()) == Phase.VOTING
        resident1 = db.session.scalar(select(User).where(User.email == "resident1@demo.civic.kz"))
        entry = db.session.scalars(select(Entry).where(Entry.competition_id == contest.competition_id)).first()
        assert not entry.is_author(resident1)
        cid, eid = contest.id, entry.id
        before = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.voter_id == resident1.id))
        auth.login(resident1)
    answer = client.post(f"/contests/{cid}/entries/{eid}/vote", headers={"Accept": "application/json"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(Vote).where(Vote.voter_id == resident1.id))
    assert after == before + 1


def test_a_demo_resident_can_register_for_the_upcoming_demo_hackathon(app, client, auth, directory):
    from civic.contests.models import Hackathon, HackathonPhase, Participant
    from civic.identity.models import User

    _seed(app)
    with app.app_context():
        hackathon = db.session.scalar(select(Hackathon).where(Hackathon.title.startswith("Семей")))
        assert hackathon.published
        assert hackathon.phase_at(utc_now()) == HackathonPhase.REGISTRATION
        track = hackathon.tracks[0]
        assert track.metrics
        assert track.datasets
        resident = db.session.scalar(select(User).where(User.email == "resident1@demo.civic.kz"))
        hid = hackathon.id
        auth.login(resident)
    page = client.get(f"/contests/hackathons/{hid}/register")
    assert page.status_code == 200
    client.post(f"/contests/hackathons/{hid}/register", data={"skills": ["backend"]})
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Participant).where(Participant.hackathon_id == hid)) == 1
        )
