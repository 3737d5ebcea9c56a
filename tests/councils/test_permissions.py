"""Permission matrix: every council page and the main actions against every kind of user.

Drafts of meetings answer 404 to those who may not see them; staff pages answer 403 to signed-in users without the
right and send visitors to the login page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civic import db
from civic.councils import services
from civic.councils.models import Council
from civic.db import utc_now
from tests.councils.conftest import user
from tests.factories import wrong_statuses

ROLES = [
    "anonymous",
    "unverified",
    "resident",
    "member3",
    "secretary",
    "chair",
    "expert",
    "office",
    "official",
    "other_official",
    "admin",
]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
RUNNERS = {"secretary", "chair", "office", "admin"}


def _staff(allowed: set, role: str, refused: int = 403, ok: int = 200) -> int:
    if role == "anonymous":
        return 302
    return ok if role in allowed else refused


PAGES = [
    ("/councils/", lambda r: 200),
    ("/councils/{council}", lambda r: 200),
    ("/councils/meetings/{meeting}", lambda r: 200),
    ("/councils/meetings/{draft}", lambda r: 200 if r in RUNNERS else 404),
    ("/councils/recommendations", lambda r: 200),
    ("/councils/recommendations?status=awaiting&council={council}&page=1", lambda r: 200),
    ("/councils/recommendations/{rec}", lambda r: 200),
    ("/councils/bodies/{body}", lambda r: 200),
    ("/councils/meetings.ics", lambda r: 200),
    ("/councils/{council}/meetings.ics", lambda r: 200),
    ("/councils/calls/{call}", lambda r: 200),
    ("/councils/{council}/apply", lambda r: _staff(SIGNED_IN, r)),
    ("/councils/new", lambda r: _staff({"office", "admin"}, r)),
    ("/councils/{council}/edit", lambda r: _staff({"office", "admin"}, r)),
    ("/councils/{council}/manage", lambda r: _staff(RUNNERS, r)),
    ("/councils/meetings/{meeting}/manage", lambda r: _staff(RUNNERS, r)),
    ("/councils/meetings/{draft}/manage", lambda r: _staff(RUNNERS, r)),
    ("/councils/{council}/calls/new", lambda r: _staff(RUNNERS, r)),
    ("/councils/agenda/propose", lambda r: _staff(RUNNERS, r)),
    ("/councils/{council}/manage?member_from_expert=1", lambda r: _staff(RUNNERS, r)),
    ("/councils/calls/{call}/signups", lambda r: _staff(RUNNERS, r)),
    ("/councils/calls/{call}/signups.csv", lambda r: _staff(RUNNERS, r)),
    ("/councils/answers", lambda r: _staff({"official", "other_official", "admin"}, r)),
]


@pytest.fixture
def scene(app, cast, councils):
    council = councils.make()
    rec = councils.adopted(council)
    meeting = councils.meeting(council)
    draft = councils.meeting(council, announce=False)
    with app.app_context():
        c = db.session.get(Council, council)
        call = services.create_call(c, user(cast.secretary), "Flood help", "Sandbags", "Left bank", utc_now(), 10)
        from civic.councils.models import Recommendation

        body = db.session.get(Recommendation, rec).body_id
        db.session.commit()
        return {"council": council, "rec": rec, "meeting": meeting, "draft": draft, "call": call.id, "body": body}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_every_page(app, client, auth, cast, scene, role):
    auth.login_as(cast, role)
    assert wrong_statuses(client, PAGES, scene, role) == {}, f"{role}: path -> (got, expected)"


def _future() -> str:
    return (utc_now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")


POSTS = [
    (
        "/councils/{council}/meetings",
        lambda: {"title": "Next", "starts_at": _future()},
        lambda r: _staff(RUNNERS, r, ok=303),
    ),
    ("/councils/meetings/{draft}/announce", dict, lambda r: _staff(RUNNERS, r, ok=303)),
    (
        "/councils/meetings/{draft}/items",
        lambda: {"item-kind": "free_text", "item-title": "More", "item-is_open": "y"},
        lambda r: _staff(RUNNERS, r, ok=303),
    ),
    (
        "/councils/{council}/seats",
        lambda: {
            "email": "resident@example.test",
            "role": "member",
            "starts_on": "2026-01-01",
            "term_ends_on": "2029-01-01",
        },
        lambda r: _staff({"office", "admin"}, r, ok=400),  # 400: no account with that email (the check comes second)
    ),
    (
        "/councils/recommendations/{rec}/answer",
        lambda: {"decision": "rejected", "text": "No budget"},
        lambda r: _staff({"official", "admin"}, r, ok=303),
    ),
    ("/councils/recommendations/{rec}/acknowledge", dict, lambda r: _staff({"official", "admin"}, r, ok=303)),
    (
        "/councils/calls/{call}/signup",
        lambda: {"contact": "+7 700 1", "consent": "y"},
        lambda r: _staff(SIGNED_IN - {"unverified"}, r, ok=303),
    ),
    ("/councils/calls/{call}/close", lambda: {"report": "Done"}, lambda r: _staff(RUNNERS, r, ok=303)),
    (
        "/councils/{council}/apply",
        lambda: {"areas": "Heating"},
        lambda r: 409 if r == "expert" else _staff(SIGNED_IN - {"unverified"}, r, ok=303),  # already on the roster
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("template", "data", "rule"), POSTS, ids=[p[0] for p in POSTS])
def test_permission_matrix_for_actions(app, client, auth, cast, scene, role, template, data, rule):
    auth.login_as(cast, role)
    response = client.post(template.format(**scene), data=data())
    assert response.status_code == rule(role)
    if role == "anonymous":
        assert "/login" in response.headers["Location"]
