"""An official drills down in a real browser, from the oblast to a rural district, and exports a table; in
English and in Kazakh. Selectors use ids and data attributes, not visible text, so the test holds in every language."""

from __future__ import annotations

import csv
import io
import re

import pytest

from civic import db
from civic.db import utc_now
from tests.dashboards.conftest import days, petition, run_refresh
from tests.factories import browser_login

NAMES = {"en": "Bobrovka Rural District", "kk": "Бобров ауылдық округі"}


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "kk"])
def test_official_drills_from_the_oblast_to_a_rural_district_and_exports(page, app, directory, make_user, language):
    now = utc_now()
    with app.app_context():
        for _ in range(3):
            petition(directory, "KZ-VOS-GLU-BOB", now - days(2), body="KZ-VOS-GLU.AKIMAT")
        petition(directory, "KZ-VOS-OSK", now - days(40))
        db.session.commit()
    assert run_refresh(app, now) == ""
    official = make_user(roles=[("official", None, "KZ-VOS.AKIMAT")])
    browser_login(page, official)

    page.goto("/dashboards/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#dashboard-title").get_attribute("data-code") == "KZ-VOS"
    page.click("#table-petitions-compare a.drill[data-code='KZ-VOS-GLU']")
    page.wait_for_url(re.compile(r"t=KZ-VOS-GLU(&|$)"))
    assert page.locator("#dashboard-title").get_attribute("data-code") == "KZ-VOS-GLU"
    page.click("#table-petitions-compare a.drill[data-code='KZ-VOS-GLU-BOB']")
    page.wait_for_url(re.compile(r"t=KZ-VOS-GLU-BOB"))
    assert page.locator("#dashboard-title").get_attribute("data-code") == "KZ-VOS-GLU-BOB"
    assert NAMES[language] in page.locator("#dashboard-title").inner_text()
    page.click("#period-week")
    page.wait_for_url(re.compile(r"period=week"))

    with page.expect_download() as download_info:
        page.click("#csv-petitions-compare")
    path = download_info.value.path()
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().lstrip("\ufeff"))))
    assert rows[1][0] == NAMES[language]
    assert rows[1][1] == "3"  # petitions opened in Bobrovka

    # the breadcrumb leads back up to the oblast
    page.click(".dash-crumbs a[href*='t=KZ-VOS&']")
    assert page.locator("#dashboard-title").get_attribute("data-code") == "KZ-VOS"
