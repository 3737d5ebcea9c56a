"""The site's shell: grouped navigation declared by modules, the home page's feed, and one date format."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from civic.core import i18n, shell


@pytest.fixture
def language():
    """These tests read English (see ``language`` in tests/conftest.py); one test runs in all three languages."""
    return "en"


def _fake_collect(declarations):
    def collect(part, attribute):
        return declarations.get((part, attribute), [])

    return collect


def test_navigation_groups_items_by_declared_group_in_core_order(app, monkeypatch):
    monkeypatch.setattr(
        shell,
        "collect",
        _fake_collect(
            {
                ("views", "NAV_ITEMS"): [
                    (("petitions.index", "Petitions", "take_part"),),
                    (("delphi.index", "Expert panels", "councils"),),
                    (("bureau.index", "Advice bureau", "help"),),
                    (("petitions.mine", "Contests", "take_part"),),
                    (("identity.account", "Dashboards", "open_data"),),
                    (("identity.notifications", "Legacy"),),
                ],
                ("views", "NAV_GROUPS"): [{"open_data": "Open data"}],
            }
        ),
    )
    with app.test_request_context("/petitions/"):
        groups = shell.navigation()
    assert [g["key"] for g in groups] == ["take_part", "councils", "help", "open_data", "more"]
    take_part = groups[0]
    assert [i["label"] for i in take_part["items"]] == ["Petitions", "Contests"]
    assert take_part["current"] is True
    assert groups[3]["label"] == "Open data"
    assert str(groups[4]["label"]) == "More"


def test_header_shows_a_group_with_several_modules_as_a_disclosure(app, client, monkeypatch):
    monkeypatch.setattr(
        shell,
        "collect",
        _fake_collect(
            {
                ("views", "NAV_ITEMS"): [
                    (("petitions.index", "Petitions", "take_part"), ("delphi.index", "Contests", "take_part")),
                    (("bureau.index", "Advice bureau", "help"),),
                ]
            }
        ),
    )
    html = client.get("/bureau/").text
    group = re.search(r'<details class="dropdown" name="site-nav">(.*?)</details>', html, re.S).group(1)
    assert "<summary>Take part</summary>" in group
    assert 'href="/petitions/"' in group
    assert 'href="/delphi/"' in group
    assert '<a href="/bureau/" aria-current="page">Advice bureau</a>' in html  # a group of one is a plain link
    assert "<script>" not in html  # CSP: script only from files
    assert '<script src="/static/js/nav.js" defer></script>' in html


def test_the_real_modules_declare_their_groups(app, client):
    html = client.get("/").text
    for href in ("/petitions/", "/delphi/", "/bureau/"):
        assert f'href="{href}"' in html
    with app.test_request_context("/"):
        keys = {group["key"] for group in shell.navigation()}
    assert {"take_part", "councils", "help"} <= keys


def test_a_failing_feed_provider_does_not_break_the_home_page(app, client, monkeypatch):
    def broken(territory, user, limit):
        raise RuntimeError("boom")

    def working(territory, user, limit):
        return [shell.FeedItem(title="Budget hearing", url="/x", kind="Hearing", status="Tomorrow")]

    monkeypatch.setattr(shell, "collect", _fake_collect({("home", "HOME_FEED"): [broken, working]}))
    response = client.get("/")
    assert response.status_code == 200
    assert "Budget hearing" in response.text
    assert "Happening across Kazakhstan" in response.text


def test_home_page_follows_the_chosen_territory(app, client, directory):
    almaty = directory.territories["KZ-ALA"]
    html = client.get(f"/?territory={almaty}").text
    assert "Happening in Almaty City" in html
    assert f'<option value="{almaty}" selected>' in html


def test_home_page_starts_from_the_residents_home_territory(app, client, auth, make_user, directory):
    auth.login(make_user(home="KZ-ALA-ALM"))
    assert "Happening in Almaly District" in client.get("/").text
    assert "Happening across Kazakhstan" in client.get("/?territory=0").text


SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_one_date_format_and_no_seconds(app, language):
    moment = datetime(2026, 3, 6, 12, 34, 56, tzinfo=UTC)  # 17:34:56 in Almaty
    with app.test_request_context("/"):
        when = i18n.format_when(moment)
        day = i18n.format_day(moment)
        assert not SECONDS.search(when)
        assert re.search(r"\b(17:34|5:34\s?PM)", when)
        assert when.startswith(day) or day in when
        # whatever a template asks for, the house format comes out
        assert i18n.format_when(moment, "medium") == i18n.format_when(moment, "short") == when
        assert i18n.format_day(moment, "long") == day
        assert i18n.format_when(date(2026, 3, 6)) == i18n.format_day(date(2026, 3, 6))
    assert {"en": "Mar 6, 2026", "ru": "6 мар. 2026\u202fг."}.get(language, day) == day
