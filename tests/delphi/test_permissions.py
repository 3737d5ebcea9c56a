"""Permission matrix: every Delphi view against every kind of visitor."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from civic import db
from civic.delphi import services
from civic.identity.models import AuditEvent
from tests.delphi.conftest import converging_values

ROLES = ("anonymous", "resident", "panelist", "other_organiser", "organiser", "admin")


@pytest.fixture
def setting(app, world, make_user):
    """Round 1 published, round 2 open; results not public."""
    organiser, panel = world.organiser(), world.panel(5)
    study_id = world.study(organiser, panel=panel)
    world.open(study_id, organiser)
    for index, user in enumerate(panel):
        world.answer(study_id, 1, user, converging_values(index, 1))
    world.close(study_id, 1, organiser)
    world.publish(study_id, 1, organiser)
    world.open(study_id, organiser)
    users = {
        "resident": make_user(),
        "panelist": panel[0],
        "other_organiser": world.organiser(),
        "organiser": organiser,
        "admin": make_user(roles=["admin"]),
    }
    return study_id, users


def _visit(client, auth, setting, role, method, path):
    study_id, users = setting
    if role != "anonymous":
        auth.login(users[role])
    path = path.format(id=study_id)
    return client.get(path) if method == "GET" else client.post(path, data={})


def _expect(codes: str) -> list:
    return [int(code) for code in codes.split()]


#: path -> expected status for anonymous, resident, panelist, other organiser, organiser, admin
GET_MATRIX = {
    "/delphi/": "200 200 200 200 200 200",
    "/delphi/new": "302 403 200 200 200 200",
    "/delphi/{id}": "302 403 200 403 200 200",
    "/delphi/{id}/manage": "302 403 403 403 200 200",
    "/delphi/{id}/edit": "302 403 403 403 200 200",
    "/delphi/{id}/configuration": "302 403 403 403 200 200",
    "/delphi/{id}/panel": "302 403 403 403 200 200",
    "/delphi/{id}/items/new/likert": "302 403 403 403 200 200",
    "/delphi/{id}/rounds/1/justifications": "302 403 403 403 200 200",
    "/delphi/{id}/rounds/1/feedback": "302 403 200 403 200 200",
    "/delphi/{id}/rounds/2/answer": "302 403 200 403 403 403",
    "/delphi/{id}/results": "302 403 200 403 200 200",
    "/delphi/{id}/results/print": "302 403 200 403 200 200",
    "/delphi/{id}/export/report.json": "302 403 200 403 200 200",
    "/delphi/{id}/export/statistics.csv": "302 403 200 403 200 200",
    # confirmation steps of what cannot be undone (the POST does it)
    "/delphi/{id}/rounds/2/close": "302 403 403 403 200 200",
    "/delphi/{id}/finish": "302 403 403 403 200 200",
    "/delphi/{id}/publish-results": "302 403 403 403 200 200",
    "/delphi/{id}/destroy-key": "302 403 403 403 200 200",
}
#: POSTs with a CSRF token but no other data: outsiders are refused and nothing happens; the organiser and an
#: administrator get the action's own answer (done, or refused by the rules of the method). Round 2 has no answer
#: yet, so closing it needs the "I understand" box of its confirmation page (400 without it).
POST_MATRIX = {
    "/delphi/{id}/rounds/2/close": "302 403 403 403 400 400",
    "/delphi/{id}/rounds/2/remind": "302 403 403 403 302 302",
    "/delphi/{id}/rounds/1/publish": "302 403 403 403 409 409",
    "/delphi/{id}/rounds/open": "302 403 403 403 400 400",
    "/delphi/{id}/finish": "302 403 403 403 409 409",
    "/delphi/{id}/publish-results": "302 403 403 403 409 409",
    "/delphi/{id}/panel/add": "302 403 403 403 409 409",
    "/delphi/{id}/items/1/delete": "302 403 403 403 409 409",
}


@pytest.mark.parametrize(
    ("path", "role", "expected"),
    [(p, r, c) for p, codes in GET_MATRIX.items() for r, c in zip(ROLES, _expect(codes), strict=True)],
)
def test_get_matrix(client, auth, setting, path, role, expected):
    assert _visit(client, auth, setting, role, "GET", path).status_code == expected


@pytest.mark.parametrize(
    ("path", "role", "expected"),
    [(p, r, c) for p, codes in POST_MATRIX.items() for r, c in zip(ROLES, _expect(codes), strict=True)],
)
def test_post_matrix(app, client, auth, setting, path, role, expected):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert _visit(client, auth, setting, role, "POST", path).status_code == expected
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert (after > before) == (expected == 302 and role in ("organiser", "admin"))


def test_published_results_are_public(app, client, setting, world):
    study_id, users = setting
    organiser = users["organiser"]
    world.close(study_id, 2, organiser)
    world.publish(study_id, 2, organiser)
    world.run(lambda s: services.finish_study(s, world.actor(organiser)), study_id=study_id)
    assert client.get(f"/delphi/{study_id}/results").status_code == 302
    world.run(lambda s: services.publish_results(s, world.actor(organiser)), study_id=study_id)
    for path in ("", "/results", "/results/print", "/export/report.json", "/export/statistics.csv"):
        assert client.get(f"/delphi/{study_id}{path}").status_code == 200, path
    assert client.get(f"/delphi/{study_id}/rounds/2/feedback").status_code == 302  # feedback is for the panel
    listing = client.get("/delphi/").get_data(as_text=True)
    assert "Kindergarten places" in listing
    # linking a study to a petition, and the petition page listing it: tests/petitions/test_links.py
    assert client.get("/delphi/linked/unknown/1").status_code == 404
