"""Administration pages speak people's language: readable audit changes, translated category names."""

from __future__ import annotations

import re

import pytest

from civic.identity.audit import Change, changes


def test_changes_lists_the_fields_that_changed():
    rows = changes({"head": None, "categories": ["energy"]}, {"head": 7, "categories": ["energy"]})
    assert rows == [Change("head", "\u2014", "7")]
    assert rows[0].changed


def test_changes_of_a_creation_and_of_lists():
    rows = changes(None, {"role": "official", "territory": None, "categories": ["energy", "housing"]})
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("role", "\u2014", "official"),
        ("categories", "\u2014", "energy, housing"),
    ]


def test_changes_when_nothing_changed_still_lists_the_fields():
    assert changes({"level": 2}, {"level": 2}) == [Change("level", "2", "2")]
    assert not changes({"level": 2}, {"level": 2})[0].changed
    assert changes(None, None) == []


def test_audit_log_shows_a_readable_change_not_json(client, make_user, auth, directory):
    admin, user = make_user(roles=["admin"]), make_user()
    auth.login(admin)
    body_id = directory.bodies["KZ-ALA.ENERGY"]
    response = client.post(
        f"/admin/users/{user.id}/roles", data={"role": "official", "territory": "0", "state_body": str(body_id)}
    )
    assert response.status_code == 302
    page = client.get("/admin/audit?action=identity.assign_role").text
    assert "identity.assign_role" in page
    assert re.search(r'<th scope="row">role</th>\s*<td><del>\u2014</del> → <ins>official</ins></td>', page)
    assert re.search(r'<th scope="row">body</th>\s*<td><del>\u2014</del> → <ins>KZ-ALA.ENERGY</ins></td>', page)
    assert "&#34;role&#34;" not in page
    assert '{"role"' not in page


@pytest.mark.parametrize("language", ["ru"])
def test_petition_categories_page_shows_names_not_codes(client, make_user, auth, directory):
    auth.login(make_user(roles=["admin"]))
    page = client.get("/petitions/admin/categories").text
    legends = re.findall(r"<legend>(.*?)</legend>", page, re.S)
    assert legends
    assert "<code>" not in "".join(legends)
    assert "Экология и окружающая среда" in [legend.strip() for legend in legends]
    assert "ecology" not in "".join(legends)
