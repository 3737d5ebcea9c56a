"""The published results pages: a hackathon track's speaks of teams, has no vote columns and offers the CSV that
contests offer; every ranked row links to its idea or team; figures follow the reader's language."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import select

from civic import db
from civic.contests import hackathons as hk
from civic.contests import jury
from civic.contests.models import Contest, Entry, Hackathon, Submission, Track
from tests.contests.conftest import user
from tests.contests.test_jury_results import _scored_contest


def _two_teams_published(app, cast, hackathons) -> dict:
    """A track with two working solutions (Team Alpha, Team Beta), scored by one judge and published."""
    ids = hackathons.make("hacking", team=True, judges=1)
    with app.app_context():
        hackathon = db.session.get(Hackathon, ids["hackathon"])
        track = db.session.get(Track, ids["track"])
        resident = user(cast.resident)
        hk.register(hackathon, resident, ["design"])
        beta = hk.create_team(hackathon, resident, track, "Team Beta")
        hk.submit(beta, resident, repo_url="https://git.example.kz/beta", demo_url="", slides_url="", description="B")
        db.session.commit()
        beta_id = beta.id
    hackathons.move(ids["hackathon"], "review")
    with app.app_context():
        for submission in db.session.scalars(select(Submission)):
            hk.review(submission, user(cast.organiser), True, "Runs.")
        db.session.commit()
    hackathons.move(ids["hackathon"], "jury")
    with app.app_context():
        track = db.session.get(Track, ids["track"])
        judge = jury.judge_of(track.competition, user(cast.judge))
        criteria = jury.criteria(track.competition)
        teams = {}
        for submission in db.session.scalars(select(Submission)):
            entry = db.session.get(Entry, submission.entry_id)
            top = submission.team_id == ids["team"]
            jury.save_scores(judge, entry, {c.id: c.scale_max if top else c.scale_min + 1 for c in criteria}, "", True)
            teams[submission.team_id] = entry.id
        hk.publish_results(track, user(cast.organiser))
        db.session.commit()
    return {**ids, "beta": beta_id, "entries": teams}


def _ranking_table(page: str) -> str:
    return re.search(r'<table id="ranking">.*?</table>', page, re.S).group(0)


def test_hackathon_results_speak_of_teams_without_vote_columns_and_link_each_team(app, client, cast, hackathons):
    ids = _two_teams_published(app, cast, hackathons)
    page = html.unescape(
        client.get(f"/contests/hackathons/{ids['hackathon']}/tracks/{ids['track']}/results").get_data(as_text=True)
    )
    table = _ranking_table(page)
    headers = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert headers == ["Rank", "Team", "Jury score", "Judges", "Combined"]
    for team_id, entry_id in ids["entries"].items():
        row = re.search(rf'<tr data-entry="{entry_id}".*?</tr>', table, re.S).group(0)
        assert f'href="/contests/hackathons/{ids["hackathon"]}/teams/{team_id}"' in row
    assert "A team is ranked when at least 1 judge scored its solution completely." in page
    assert "public score" not in page
    assert 'id="results-csv"' in page


def test_hackathon_results_csv_has_a_row_per_ranked_solution(app, client, cast, hackathons):
    ids = _two_teams_published(app, cast, hackathons)
    page = client.get(f"/contests/hackathons/{ids['hackathon']}/tracks/{ids['track']}/results").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" id="results-csv">', page).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert "votes" not in rows[0]
    assert "public_score" not in rows[0]
    assert sorted(int(r["entry_id"]) for r in rows) == sorted(ids["entries"].values())  # one judge: one row each
    assert [r["title"] for r in sorted(rows, key=lambda r: int(r["rank"]))] == ["Team Alpha", "Team Beta"]
    assert all(r["judge"] == "Judge 1" for r in rows)


def test_hackathon_results_csv_is_not_found_before_publication(app, client, hackathons):
    ids = hackathons.make("jury")
    assert client.get(f"/contests/hackathons/{ids['hackathon']}/tracks/{ids['track']}/results.csv").status_code == 404


def _published_contest(app, client, auth, cast, contests) -> tuple[int, tuple[int, int, int]]:
    cid, entries = _scored_contest(app, cast, contests)
    auth.login(cast.organiser)
    assert client.post(f"/contests/{cid}/results/publish").status_code == 303  # in-process: the job has run
    auth.logout()
    return cid, entries


def test_contest_results_link_every_ranked_idea_and_keep_the_vote_columns(app, client, auth, cast, contests):
    cid, entries = _published_contest(app, client, auth, cast, contests)
    page = html.unescape(client.get(f"/contests/{cid}/results").get_data(as_text=True))
    table = _ranking_table(page)
    headers = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert headers == ["Rank", "Idea", "Votes", "Public score", "Jury score", "Judges", "Combined"]
    for entry_id in entries:
        row = re.search(rf'<tr data-entry="{entry_id}".*?</tr>', table, re.S).group(0)
        assert f'href="/contests/{cid}/entries/{entry_id}"' in row
        assert client.get(f"/contests/{cid}/entries/{entry_id}").status_code == 200
    assert "An entry is ranked when at least 1 judge scored it completely." in page
    csv_text = client.get(f"/contests/{cid}/results.csv").get_data(as_text=True)
    assert "votes,public_score" in csv_text.splitlines()[0]


@pytest.mark.parametrize("language", ["kk"])
def test_kazakh_results_use_the_decimal_comma_in_the_table_as_in_the_chart(app, client, auth, cast, contests):
    cid, _entries = _published_contest(app, client, auth, cast, contests)
    page = client.get(f"/contests/{cid}/results").get_data(as_text=True)
    assert 'lang="kk"' in page
    chart = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    table = _ranking_table(page)
    assert re.search(r">\d,\d+<", chart)
    figures = re.findall(r"<td>(-?\d+[.,]\d+)</td>", table)
    assert figures, "the ranking table shows scores"
    assert all("," in f and "." not in f for f in figures), figures
    breakdown = page[page.index('class="breakdown"') :]
    assert not re.search(r"<td>-?\d+\.\d+</td>", breakdown)


def test_published_results_know_their_pages_and_whether_the_public_voted(app, client, auth, cast, contests):
    from civic.contests import results

    cid, entries = _published_contest(app, client, auth, cast, contests)
    with app.test_request_context():
        data = results.published(db.session.get(Contest, cid).competition)
        assert data["public_vote"] is True
        assert set(data["pages"]) == set(entries)
