"""Open data for contests: published contests only, accepted entries with live votes, the frozen results with the
full breakdown (judges numbered, never named), and the whole contests part of the OpenAPI document (schemathesis)."""

from __future__ import annotations

from civic import db
from civic.contests import services
from civic.contests.models import Phase
from tests.api_contract import check_operations
from tests.contests.conftest import user
from tests.contests.test_jury_results import _scored_contest


def test_published_results_carry_the_breakdown_without_judges_names(app, client, auth, cast, contests):
    cid, (e1, e2, e3) = _scored_contest(app, cast, contests)
    assert client.get(f"/api/v1/contests/{cid}/results").status_code == 404  # not published yet
    auth.login(cast.organiser)
    client.post(f"/contests/{cid}/results/publish")
    auth.logout()
    results = client.get(f"/api/v1/contests/{cid}/results")
    assert results.status_code == 200
    body = results.get_json()
    page = client.get(f"/contests/{cid}/results").get_data(as_text=True)
    assert [row["id"] for row in body["entries"]][0] == body["winners"][0]
    assert {j["judge"] for row in body["entries"] for j in row["per_judge"]} == {"Judge 1", "Judge 2"}
    text = results.get_data(as_text=True)
    assert cast.judge.display_name not in text
    assert cast.judge.email not in text
    assert body["entries"][0]["title"] in page
    again = client.get(f"/api/v1/contests/{cid}/results", headers={"If-None-Match": results.headers["ETag"]})
    assert again.status_code == 304


def test_lists_show_published_contests_and_accepted_entries_only(app, client, cast, contests):
    live = contests.make(Phase.VOTING, entries=3)
    with app.app_context():
        draft = services.create_contest(user(cast.organiser), contests.data()).id  # never published
        db.session.commit()
    listing = client.get("/api/v1/contests").get_json()["data"]
    assert [c["id"] for c in listing] == [live]
    assert listing[0]["phase"] == "voting"
    assert client.get(f"/api/v1/contests/{draft}").status_code == 404
    assert client.get("/api/v1/contests?phase=voting").get_json()["data"][0]["id"] == live
    assert client.get("/api/v1/contests?phase=jury").get_json()["data"] == []
    entries = client.get(f"/api/v1/contests/{live}/entries").get_json()["data"]
    assert len(entries) == 3
    assert all(e["votes"] == 0 for e in entries)
    assert cast.author.email not in str(entries)
    csv_body = client.get("/api/v1/contests.csv").data.decode("utf-8-sig")
    assert csv_body.splitlines()[0].startswith("id,title,phase")
    assert len(csv_body.splitlines()) == 2


def test_contests_api_matches_its_document(app, cast, contests):
    contests.make(Phase.VOTING, entries=2)
    assert {"/api/v1/contests", "/api/v1/contests.csv"} <= check_operations(app, "/api/v1/contests")
