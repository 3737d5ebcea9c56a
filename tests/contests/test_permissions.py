"""Permission matrix: every contest page and the main actions against every kind of user.

Drafts and entries not in the contest answer 404 to those who may not see them (their existence is not disclosed);
staff pages answer 403 to signed-in users without the permission and send visitors to the login page."""

from __future__ import annotations

import pytest

from civic import db
from civic.contests import jury, results
from civic.contests.models import Contest, Phase
from civic.identity.models import AssuranceLevel
from tests.contests.conftest import user
from tests.factories import wrong_statuses

ROLES = [
    "anonymous",
    "registered",
    "unverified",
    "resident",
    "author",
    "voter",
    "moderator",
    "organiser",
    "other_official",
    "judge",
    "admin",
]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}


def _staff(allowed: set, role: str, refused: int = 403, ok: int = 200) -> int:
    if role == "anonymous":
        return 302
    return ok if role in allowed else refused


def _seen(allowed: set, role: str) -> int:
    return 200 if role in allowed else 404


PAGES = [
    ("/contests/", lambda r: 200),
    ("/contests/{vote}", lambda r: 200),
    ("/contests/{vote}/entries/{vote_entry}", lambda r: 200),
    ("/contests/{draft}", lambda r: _seen({"organiser", "admin"}, r)),
    ("/contests/{sub}/entries/{sub_entry}", lambda r: _seen({"author", "moderator", "organiser", "admin"}, r)),
    ("/contests/{done}/results", lambda r: 200),
    ("/contests/{done}/results.csv", lambda r: 200),
    ("/contests/{vote}/results", lambda r: 404),
    ("/contests/{sub}/submit", lambda r: _staff(SIGNED_IN - {"registered"}, r)),
    ("/contests/{vote}/submit", lambda r: _staff(SIGNED_IN - {"registered"}, r, ok=409)),
    (
        "/contests/{sub}/entries/{sub_entry}/edit",
        lambda r: _staff({"author"}, r, refused=404) if r not in {"moderator", "organiser", "admin"} else 403,
    ),
    ("/contests/my", lambda r: _staff(SIGNED_IN, r)),
    ("/contests/new", lambda r: _staff({"organiser", "other_official", "admin"}, r)),
    ("/contests/{vote}/manage", lambda r: _staff({"organiser", "admin"}, r)),
    ("/contests/{vote}/edit", lambda r: _staff({"organiser", "admin"}, r)),
    ("/contests/{draft}/manage", lambda r: 404 if r == "other_official" else _staff({"organiser", "admin"}, r)),
    ("/contests/screening", lambda r: _staff({"moderator", "admin"}, r)),
    ("/contests/{vote}/jury", lambda r: _staff({"judge"}, r)),
    ("/contests/{vote}/jury/entries/{vote_entry}", lambda r: _staff({"judge"}, r)),
]


@pytest.fixture
def scene(app, cast, contests, make_user):
    sub = contests.make(Phase.SUBMISSION)
    vote = contests.make(Phase.VOTING, entries=1, judges=1)
    done = contests.make(Phase.JURY, entries=1)
    with app.app_context():
        from civic.contests import services

        contest = db.session.get(Contest, sub)
        sub_entry = services.submit_entry(contest, user(cast.author), "A submitted idea", "Text", []).id
        draft = services.create_contest(user(cast.organiser), contests.data(Phase.SUBMISSION))
        jury.add_criterion(draft.competition, user(cast.organiser), "Impact", "", 1, 1, 10)  # publishable
        draft = draft.id
        results.request_publication(db.session.get(Contest, done), user(cast.organiser))
        db.session.commit()
    cast.registered = make_user(level=AssuranceLevel.REGISTERED, home="KZ-ALA-ALM")
    return {
        "sub": sub,
        "sub_entry": sub_entry,
        "vote": vote,
        "vote_entry": contests.entries(vote)[0],
        "done": done,
        "draft": draft,
    }


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_every_page(app, client, auth, cast, scene, role):
    auth.login_as(cast, role)
    assert wrong_statuses(client, PAGES, scene, role) == {}, f"{role}: path -> (got, expected)"


VOTERS = {"resident", "voter", "moderator", "organiser", "judge"}  # IIN-verified residents of Almaty, not authors
POSTS = [
    (
        "/contests/{sub}/entries/{sub_entry}/screen",
        {"decision": "accept"},
        lambda r: _staff({"moderator", "admin"}, r, ok=303),
    ),
    ("/contests/{vote}/entries/{vote_entry}/vote", {}, lambda r: _staff(VOTERS, r, ok=303)),
    ("/contests/{vote}/advance", {"confirm": "y"}, lambda r: _staff({"organiser", "admin"}, r, ok=303)),
    (
        "/contests/{vote}/judges",
        {"email": "new.judge@example.test"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    ("/contests/{vote}/jury/entries/{vote_entry}/recuse", {"reason": "Friend"}, lambda r: _staff({"judge"}, r, ok=303)),
    (
        "/contests/{sub}/entries/{sub_entry}/withdraw",
        {},
        lambda r: _staff({"author"}, r, ok=303, refused=403 if r in {"moderator", "organiser", "admin"} else 404),
    ),
    (
        "/contests/{sub}/entries/{sub_entry}/coauthors",
        {"email": "co.author@example.kz"},
        lambda r: _staff({"author"}, r, ok=303, refused=403 if r in {"moderator", "organiser", "admin"} else 404),
    ),
    (
        "/contests/{vote}/entries/{vote_entry}/pledges",
        {"kind": "hours", "hours": "3"},
        lambda r: _staff(SIGNED_IN - {"registered"}, r, ok=303),
    ),
    (
        "/contests/{vote}/criteria",
        {"name": "Cost", "weight": "1", "scale_min": "1", "scale_max": "5"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/{vote}/jury-settings",
        {"jury_weight": "1", "public_weight": "0.5", "normalise": "z", "min_judges": "1", "winner_count": "2"},
        lambda r: _staff({"organiser", "admin"}, r, ok=303),
    ),
    ("/contests/{vote}/results/publish", {}, lambda r: _staff({"organiser", "admin"}, r, ok=409)),
    (
        "/contests/{draft}/publish",
        {},
        lambda r: 404 if r == "other_official" else _staff({"organiser", "admin"}, r, ok=303),
    ),
    (
        "/contests/{vote}/entries/{vote_entry}/comments",
        {"body": "A question"},
        lambda r: _staff(SIGNED_IN - {"registered"}, r, ok=303),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("template", "data", "rule"), POSTS, ids=[p[0] for p in POSTS])
def test_permission_matrix_for_actions(app, client, auth, cast, scene, role, template, data, rule):
    auth.login_as(cast, role)
    response = client.post(template.format(**scene), data=data)
    assert response.status_code == rule(role)
    if role == "anonymous":
        assert "/login" in response.headers["Location"]
