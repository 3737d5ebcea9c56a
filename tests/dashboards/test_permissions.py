"""Permission matrix: every dashboard page against every kind of user. Staff pages send visitors to the login
page and answer 403 outside the viewer's territories; the accountability page and its exports are public."""

from __future__ import annotations

import pytest

from tests.dashboards.conftest import run_refresh

ROLES = ["anonymous", "resident", "moderator", "district_official", "oblast_official", "inspector", "admin"]
#: Where each role's dashboards reach (None: nowhere).
REACH = {
    "district_official": {"KZ-VOS-GLU", "KZ-VOS-GLU-BOB"},
    "oblast_official": {"KZ-VOS", "KZ-VOS-GLU", "KZ-VOS-GLU-BOB"},
    "inspector": {"KZ-ALA"},
    "admin": {"KZ", "KZ-VOS", "KZ-VOS-GLU", "KZ-VOS-GLU-BOB", "KZ-ALA"},
}


def staff(role: str, code: str | None = None) -> int:
    if role == "anonymous":
        return 302
    if role not in REACH:
        return 403
    return 200 if code is None or code in REACH[role] else 403


PAGES = [
    ("/dashboards/", lambda r: staff(r)),
    ("/dashboards/?period=week", lambda r: staff(r)),
    ("/dashboards/?t=KZ&period=quarter", lambda r: staff(r, "KZ")),
    ("/dashboards/?t=KZ-VOS", lambda r: staff(r, "KZ-VOS")),
    ("/dashboards/?t=KZ-VOS-GLU", lambda r: staff(r, "KZ-VOS-GLU")),
    ("/dashboards/?t=KZ-VOS-GLU-BOB", lambda r: staff(r, "KZ-VOS-GLU-BOB")),
    ("/dashboards/?t=KZ-ALA", lambda r: staff(r, "KZ-ALA")),
    ("/dashboards/export.csv?t=KZ-VOS-GLU&table=petitions-compare", lambda r: staff(r, "KZ-VOS-GLU")),
    ("/dashboards/export.csv?t=KZ-VOS&table=bureau-trend&period=week", lambda r: staff(r, "KZ-VOS")),
    (
        "/dashboards/export.csv?t=KZ-ALA&table=no-such-table",
        lambda r: 404 if staff(r, "KZ-ALA") == 200 else staff(r, "KZ-ALA"),
    ),
    ("/dashboards/?t=KZ-NOWHERE", lambda r: 404 if r in REACH else staff(r)),
    ("/dashboards/?period=decade", lambda r: 400 if r in REACH else staff(r)),
    ("/dashboards/accountability", lambda r: 200),
    ("/dashboards/accountability?t=KZ-VOS-GLU-BOB", lambda r: 200),
    ("/dashboards/accountability.csv?t=KZ-VOS&table=petitions-territories", lambda r: 200),
    ("/dashboards/accountability.csv?t=KZ-VOS&table=appeals-territories", lambda r: 200),
    ("/dashboards/accountability?t=KZ-NOWHERE", lambda r: 404),
    ("/account", lambda r: 302 if r == "anonymous" else 200),
]


@pytest.fixture
def people(app, directory, make_user):
    return {
        "anonymous": None,
        "resident": make_user(home="KZ-VOS-GLU-BOB"),
        "moderator": make_user(roles=[("moderator", "KZ-VOS", None)]),
        "district_official": make_user(roles=[("official", None, "KZ-VOS-GLU.AKIMAT")]),
        "oblast_official": make_user(roles=[("official", None, "KZ-VOS.AKIMAT")]),
        "inspector": make_user(roles=[("inspector", None, "KZ-ALA.AKIMAT")]),
        "admin": make_user(roles=["admin"]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(app, client, auth, people, role):
    assert run_refresh(app) == ""
    if people[role] is not None:
        auth.login(people[role])
    problems = []
    for url, expected in PAGES:
        status = client.get(url).status_code
        if status != expected(role):
            problems.append(f"{role} GET {url}: {status}, expected {expected(role)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_digest_choice_needs_an_account(app, client, auth, people, role):
    if people[role] is not None:
        auth.login(people[role])
    response = client.post("/dashboards/digest", data={"receive": "y"})
    assert response.status_code == 302
    if role == "anonymous":
        assert "/login" in response.headers["Location"]
    else:
        assert response.headers["Location"].endswith("/account#weekly-digest")


def test_a_district_official_starts_at_the_district_and_sees_no_ancestor_link(app, client, auth, people):
    assert run_refresh(app) == ""
    auth.login(people["district_official"])
    page = client.get("/dashboards/").get_data(as_text=True)
    assert 'data-code="KZ-VOS-GLU"' in page
    assert 'href="/dashboards/?t=KZ-VOS&amp;' not in page  # the oblast is not theirs
    assert 'data-code="KZ-VOS-GLU-BOB"' in page  # drill down to the rural districts
