"""Open data for the accountability figures: per territory and per state body, public measures only, the bureau's
small counts suppressed exactly as on the accountability page, filters and CSV; and the accountability part of the
OpenAPI document (schemathesis)."""

from __future__ import annotations

from civic import db
from tests.api_contract import check_operations
from tests.dashboards.conftest import NOW, case, days, petition, referral, run_refresh


def _scene(app, directory):
    with app.app_context():
        for _ in range(3):
            c = case(directory, "KZ-VOS-GLU-BOB", NOW - days(20))
            referral(directory, c, "KZ-VOS.ENERGY", NOW - days(20), state="sent", due_at=NOW - days(2))
        for _ in range(6):
            petition(
                directory, "KZ-VOS-GLU-BOB", NOW - days(3), body="KZ-VOS-GLU.AKIMAT", response_due_at=NOW - days(1)
            )
        db.session.commit()
    assert run_refresh(app) == ""


def test_accountability_figures_suppress_small_bureau_counts(app, client, directory):
    _scene(app, directory)

    def figures(query: str) -> list[dict]:
        response = client.get(f"/api/v1/accountability{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["data"]

    [appeals] = figures("?family=appeals&column=unanswered&subject=territory&territory=KZ-VOS-GLU-BOB")
    assert (appeals["value"], appeals["suppressed_below"]) == (None, 5)  # 3 overdue referrals: fewer than 5
    [petitions] = figures("?family=petitions&column=unanswered&subject=territory&territory=KZ-VOS-GLU-BOB")
    assert (petitions["value"], petitions["suppressed_below"]) == (6, None)
    by_body = figures("?family=petitions&column=unanswered&subject=body&limit=500")
    assert {(f["body_code"], f["value"]) for f in by_body} >= {("KZ-VOS-GLU.AKIMAT", 6)}
    assert all(f["subject"] == "body" and f["body_code"] for f in by_body)
    inside = figures("?territory=KZ-VOS-GLU&limit=500")
    assert inside
    assert all(f["territory_code"].startswith("KZ-VOS-GLU") for f in inside)
    page = client.get("/dashboards/accountability?t=KZ-VOS-GLU-BOB").get_data(as_text=True)
    assert "fewer than 5" in page  # the page hides the same count
    assert client.get("/api/v1/accountability?family=nope").status_code == 400
    assert client.get("/api/v1/accountability?column=everything").status_code == 400
    lines = (
        client.get(
            "/api/v1/accountability.csv?family=appeals&column=unanswered&territory=KZ-VOS-GLU-BOB&subject=territory"
        )
        .data.decode("utf-8-sig")
        .splitlines()
    )
    assert lines[0].startswith("id,family,column,subject,territory_code,body_code,value,suppressed_below")
    assert lines[1].split(",")[6:8] == ["", "5"]


def test_accountability_api_matches_its_document(app, directory):
    _scene(app, directory)
    assert {"/api/v1/accountability", "/api/v1/accountability.csv"} <= check_operations(app, "/api/v1/accountability")
