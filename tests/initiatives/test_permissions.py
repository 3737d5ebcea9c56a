"""Permission matrix: every initiative and stakeholder page and the main actions against every kind of user.

Hidden initiatives (not shown to residents) answer 404 to those who may not see them; staff pages answer 403 to
signed-in users without the permission and send visitors to the login page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic import db
from civic.identity.models import AssuranceLevel
from civic.initiatives import services, values
from civic.initiatives.models import Initiative
from civic.stakeholders import services as sh
from civic.stakeholders.models import MapEntry
from tests.factories import wrong_statuses
from tests.initiatives.conftest import territory, user

ROLES = ["anonymous", "registered", "resident", "member", "owner", "district", "other_official", "admin"]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
TEAM = {"owner", "member", "admin"}
OFFICIALS = {"owner", "district", "other_official", "admin"}


def _staff(allowed: set, role: str, refused: int = 403, ok: int = 200) -> int:
    if role == "anonymous":
        return 302
    return ok if role in allowed else refused


def _seen(allowed: set, role: str) -> int:
    return 200 if role in allowed else 404


def _team_page(role: str, hidden: bool = False, ok: int = 200) -> int:
    if role == "anonymous":
        return 302
    if role in TEAM:
        return ok
    return 404 if hidden else 403


PAGES = [
    ("/initiatives/", lambda r: 200),
    ("/initiatives/templates", lambda r: 200),
    ("/initiatives/{pub}", lambda r: 200),
    ("/initiatives/{pub}/indicators/{pub_ind}", lambda r: 200),
    ("/initiatives/{pub}/indicators/{pub_ind}?territory=KZ-VOS-GLU", lambda r: 200),
    ("/initiatives/{hidden}", lambda r: _seen(TEAM, r)),
    ("/initiatives/{hidden}/indicators/{hidden_ind}", lambda r: _seen(TEAM, r)),
    ("/initiatives/{pub}/indicators/{hidden_ind}", lambda r: 404),
    ("/initiatives/mine", lambda r: _staff(OFFICIALS, r)),
    ("/initiatives/new", lambda r: _staff(OFFICIALS, r)),
    ("/initiatives/new?template=17", lambda r: _staff(OFFICIALS, r)),
    ("/initiatives/{pub}/manage", lambda r: _team_page(r)),
    ("/initiatives/{pub}/edit", lambda r: _team_page(r)),
    ("/initiatives/{pub}/upload", lambda r: _team_page(r)),
    ("/initiatives/{pub}/indicators/new", lambda r: _team_page(r)),
    ("/initiatives/{hidden}/manage", lambda r: _team_page(r, hidden=True)),
    ("/initiatives/weak-spots", lambda r: _staff(OFFICIALS, r)),
    ("/initiatives/weak-spots/new", lambda r: _staff(OFFICIALS, r)),
    ("/stakeholders/initiative/{pub}", lambda r: 200),
    ("/stakeholders/initiative/{hidden}", lambda r: _seen(TEAM, r)),
    ("/stakeholders/initiative/999999", lambda r: 404),
    ("/stakeholders/unknown/{pub}", lambda r: 404),
    ("/stakeholders/registers", lambda r: _staff(OFFICIALS, r)),
    ("/stakeholders/registers/KZ-VOS", lambda r: _staff({"owner", "admin"}, r)),
    ("/stakeholders/registers/KZ-VOS/{stakeholder}", lambda r: _staff({"owner", "admin"}, r)),
    ("/stakeholders/registers/KZ-VOS-GLU", lambda r: _staff({"owner", "district", "admin"}, r)),
]


@pytest.fixture
def scene(app, cast, initiatives, make_user):
    pub = initiatives.make(with_values=True)
    hidden = initiatives.make(public=False)
    with app.app_context():
        owner = user(cast.owner)
        for initiative_id in (pub, hidden):
            initiative = db.session.get(Initiative, initiative_id)
            services.add_team_member(initiative, owner, user(cast.member).email)
            sh.open_map("initiative", initiative_id, owner)
        stakeholder = sh.register_stakeholder(territory("KZ-VOS"), sh.StakeholderData("Union", "ngo"), owner)
        entry = sh.add_to_map(sh.map_of("initiative", pub), stakeholder, owner)
        ids = {
            "pub": pub,
            "hidden": hidden,
            "pub_ind": values.indicators_of(db.session.get(Initiative, pub))[0].id,
            "hidden_ind": values.indicators_of(db.session.get(Initiative, hidden))[0].id,
            "stakeholder": stakeholder.id,
            "entry": entry.id,
        }
        db.session.commit()
    cast.registered = make_user(level=AssuranceLevel.REGISTERED, home="KZ-VOS-OSK")
    return ids


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_every_page(app, client, auth, cast, scene, role):
    auth.login_as(cast, role)
    assert wrong_statuses(client, PAGES, scene, role) == {}, f"{role}: path -> (got, expected)"


POSTS = [
    ("/initiatives/{pub}/advance", {"note": "Done"}, lambda r: _team_page(r, ok=303)),
    ("/initiatives/{hidden}/advance", {"note": "Done"}, lambda r: _team_page(r, hidden=True, ok=303)),
    ("/initiatives/{pub}/decisions", {"text": "We decided"}, lambda r: _team_page(r, ok=303)),
    ("/initiatives/{pub}/subscribe", {}, lambda r: 302 if r == "anonymous" else 303),
    ("/initiatives/{hidden}/subscribe", {}, lambda r: 302 if r == "anonymous" else (403 if r in TEAM else 404)),
    (
        "/initiatives/{pub}/indicators/{pub_ind}/values",
        {"value{pub_ind}-territory": "KZ-VOS-GLU", "value{pub_ind}-period": "2025", "value{pub_ind}-value": "5"},
        lambda r: _team_page(r, ok=303),
    ),
    ("/stakeholders/entries/{entry}/score", {"interest": 4, "influence": 4}, lambda r: _team_page(r, ok=303)),
    (
        "/stakeholders/entries/{entry}/engage",
        {"level": "consultation", "summary": "Met"},
        lambda r: _team_page(r, ok=303),
    ),
    ("/stakeholders/initiative/{pub}/threshold", {"threshold": "3.5"}, lambda r: _team_page(r, ok=303)),
    (
        "/stakeholders/registers/KZ-VOS",
        {"name": "Akimat youth council", "kind": "group"},
        lambda r: _staff({"owner", "admin"}, r, ok=303),
    ),
]


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_for_actions(app, client, auth, cast, scene, role):
    auth.login_as(cast, role)
    wrong = {}
    for template, data, rule in POSTS:
        path = template.format(**scene)
        status = client.post(path, data={k.format(**scene): v for k, v in data.items()}).status_code
        if status != rule(role):
            wrong[path] = (status, rule(role))
    assert wrong == {}, f"{role}: path -> (got, expected)"
    if role not in TEAM:
        with app.app_context():
            assert db.session.scalar(select(MapEntry.group).where(MapEntry.id == scene["entry"])) is None
