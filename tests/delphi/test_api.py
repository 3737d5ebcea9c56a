"""Open data for Delphi: only studies with published results, and only their redacted report."""

from __future__ import annotations

from civic.delphi import services
from tests.delphi.conftest import converging_values


def _published_study(world, size=5):
    organiser, panel = world.organiser(), world.panel(size)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, converging_values(index, 1))
    world.close(study_id, 1, organiser)
    world.publish(study_id, 1, organiser)
    world.run(lambda s: services.finish_study(s, world.actor(organiser)), study_id=study_id)
    return study_id, organiser, panel


def test_only_published_reports_are_served_and_they_hold_no_panelist(app, client, world):
    study_id, organiser, panel = _published_study(world)
    assert client.get("/api/v1/delphi/studies").get_json()["data"] == []
    assert client.get(f"/api/v1/delphi/studies/{study_id}").status_code == 404  # finished, not yet published
    world.run(lambda s: services.publish_results(s, world.actor(organiser)), study_id=study_id)
    listing = client.get("/api/v1/delphi/studies").get_json()["data"]
    assert [s["id"] for s in listing] == [study_id]
    report = client.get(f"/api/v1/delphi/studies/{study_id}")
    assert report.status_code == 200
    body = report.get_json()
    assert body["rounds"][0]["responded"] == 5
    assert body["report"]
    text = report.get_data(as_text=True)
    for person in panel:
        assert person.email not in text
        assert person.display_name not in text
    assert "pseudonym" not in text
