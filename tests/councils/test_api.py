"""Open data for councils: public councils with members (public figures) and experts (public bio and hours), announced
meetings only (agenda, declarations, recorded votes, minutes once published), voted recommendations with the bodies'
answers and timeliness; no e-mails, no residents' comments; and the councils part of the OpenAPI document
(schemathesis)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from civic import db
from civic.councils import services
from civic.councils.models import Expert, Meeting, Recommendation
from civic.db import utc_now
from tests.api_contract import check_operations
from tests.councils.conftest import user


def _answered_with_minutes(app, cast, councils, council_id: int) -> tuple[int, int]:
    """A recommendation adopted, answered late by the energy department; the meeting's minutes published; a
    declaration, an expert's hours and a resident's published comment on the item."""
    rec_id = councils.adopted(council_id)
    with app.app_context():
        rec = db.session.get(Recommendation, rec_id)
        meeting = rec.item.meeting
        secretary = user(cast.secretary)
        started = meeting.starts_at
        meeting.starts_at = utc_now() + timedelta(days=1)  # comments are taken before the meeting only
        note = services.comment(rec.item, user(cast.resident), "Resident remark about heating")
        meeting.starts_at = started
        services.moderate_comment(note, secretary, True)
        services.declare(rec.item, user(cast.member3), "My cousin supplies the boilers", actor=secretary)
        expert = db.session.scalar(select(Expert).where(Expert.user_id == cast.expert.id))
        services.book_hours(expert, secretary, "meeting", 2, meeting=meeting)
        services.save_minutes(meeting, secretary, "Хаттама", "Протокол")
        services.approve_minutes(meeting, secretary)
        services.publish_minutes(meeting, secretary)
        rec.due_at = utc_now() - timedelta(days=1)
        services.answer(rec, user(cast.official), "rejected", "No budget this year")
        db.session.commit()
        return rec_id, meeting.id


def test_council_meeting_and_answer_are_public_without_personal_data(app, client, cast, councils):
    council_id = councils.make()
    rec_id, meeting_id = _answered_with_minutes(app, cast, councils, council_id)
    draft_id = councils.meeting(council_id, announce=False)

    listing = client.get("/api/v1/councils?territory=KZ-ALA&sector=energy").get_json()["data"]
    assert [c["id"] for c in listing] == [council_id]
    assert listing[0]["name"]["en"] == "Almaty energy council"
    assert client.get("/api/v1/councils?sector=education").get_json()["data"] == []

    detail = client.get(f"/api/v1/councils/{council_id}").get_json()
    assert {m["name"]: m["role"] for m in detail["members"]}["Chair Chairova"] == "chair"
    [expert] = detail["experts"]
    assert (expert["name"], expert["bio"], expert["hours_used"]) == ("Expert Expertova", "PhD", 2.0)
    assert expert["hours_remaining"] == expert["hours"] - 2.0

    meetings = client.get(f"/api/v1/councils/{council_id}/meetings").get_json()["data"]
    assert meeting_id in [m["id"] for m in meetings]
    assert draft_id not in [m["id"] for m in meetings]
    assert client.get(f"/api/v1/councils/meetings/{draft_id}").status_code == 404

    response = client.get(f"/api/v1/councils/meetings/{meeting_id}")
    meeting = response.get_json()
    [item] = meeting["agenda"]
    assert item["declarations"] == [{"member": "Member Three", "text": "My cousin supplies the boilers"}]
    [rec] = item["recommendations"]
    assert rec["votes"]["for"] == 5
    assert {v["choice"] for v in rec["recorded_votes"]} == {"for"}
    assert meeting["minutes"]["text"]["ru"] == "Протокол"
    assert meeting["minutes"]["attendance"]["present"] == 5
    assert meeting["minutes"]["expert_hours"] == [{"name": "Expert Expertova", "hours": 2.0}]
    body = response.get_data(as_text=True)
    assert "Resident remark" not in body
    assert "Resident" not in body
    for person in (cast.chair, cast.expert, cast.member3, cast.official, cast.secretary):
        assert person.email not in body
        assert person.email not in client.get(f"/api/v1/councils/{council_id}").get_data(as_text=True)

    answered = client.get(f"/api/v1/councils/recommendations/{rec_id}").get_json()
    assert (answered["status"], answered["decision"], answered["answer"]) == (
        "answered_late",
        "rejected",
        "No budget this year",
    )
    assert answered["body_code"] == "KZ-ALA.ENERGY"
    assert answered["answered_late"] is True
    assert cast.official.display_name not in str(answered)  # who answered is the body, not a person
    again = client.get(
        f"/api/v1/councils/recommendations/{rec_id}",
        headers={"If-None-Match": client.get(f"/api/v1/councils/recommendations/{rec_id}").headers["ETag"]},
    )
    assert again.status_code == 304


def test_recommendations_filter_by_body_status_territory_and_dates(app, client, cast, councils):
    council_id = councils.make()
    late_id, _meeting = _answered_with_minutes(app, cast, councils, council_id)
    waiting_id = councils.adopted(council_id)
    other_id = councils.adopted(council_id, body_code="KZ-ALA.MOBILITY")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/councils/recommendations{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [r["id"] for r in response.get_json()["data"]]

    assert ids("") == [late_id, waiting_id, other_id]
    assert ids("?body=KZ-ALA.ENERGY") == [late_id, waiting_id]
    assert ids("?status=answered_late") == [late_id]
    assert ids("?status=awaiting&body=KZ-ALA.MOBILITY") == [other_id]
    assert ids(f"?council={council_id}&territory=KZ-ALA") == [late_id, waiting_id, other_id]
    today = utc_now().date()
    assert ids(f"?sent_from={today - timedelta(days=1)}&sent_to={today + timedelta(days=1)}") == [
        late_id,
        waiting_id,
        other_id,
    ]
    assert ids(f"?sent_from={today + timedelta(days=2)}") == []
    first = client.get("/api/v1/councils/recommendations?limit=2").get_json()
    assert len(first["data"]) == 2
    assert first["links"]["next"]
    assert [r["id"] for r in client.get(first["links"]["next"]).get_json()["data"]] == [other_id]
    assert client.get("/api/v1/councils/recommendations?status=bogus").status_code == 400
    assert client.get("/api/v1/councils/recommendations?body=NOPE").status_code == 400
    assert client.get("/api/v1/councils/recommendations?status=overdue&status=awaiting").status_code == 400
    csv_body = client.get("/api/v1/councils/recommendations.csv?body=KZ-ALA.ENERGY").data
    assert csv_body.startswith(b"\xef\xbb\xbf")
    lines = csv_body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,council_id,meeting_id,text,status")
    assert len(lines) == 3
    councils_csv = client.get("/api/v1/councils.csv").data.decode("utf-8-sig").splitlines()
    assert len(councils_csv) == 2
    assert "Almaty energy council" in councils_csv[1]


def test_councils_api_matches_its_document(app, cast, councils):
    council_id = councils.make()
    _answered_with_minutes(app, cast, councils, council_id)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Meeting)) >= 1
    assert {"/api/v1/councils", "/api/v1/councils/recommendations"} <= check_operations(app, "/api/v1/councils")
