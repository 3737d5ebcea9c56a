"""A hackathon end to end in a real browser, in English and in Kazakh: two residents register and form a team with
the invitation code, submit their solution before the deadline, the organiser's technical review passes it, the
judge (invited by email) scores it, and the organiser publishes the track's results.

Selectors use ids and form actions, not visible text, so the test holds in every interface language; the clock
moves by editing the hackathon's dates in the database (what the organiser's schedule would do)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from civic import db
from civic.contests.models import Team
from civic.identity.models import User
from tests.contests.test_browser import _link
from tests.factories import browser_login, browser_logout


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "kk"])
def test_hackathon_journey_in_the_browser(page, app, cast, hackathons, outbox, language):
    with app.app_context():
        for u in db.session.scalars(select(User)):
            u.preferred_locale = language
        db.session.commit()
    ids = hackathons.make("hacking")
    base = f"/contests/hackathons/{ids['hackathon']}"

    # The organiser invites a judge for the track; the judge accepts the emailed link.
    browser_login(page, cast.organiser)
    page.goto(base + "/manage")
    page.fill(f"#j-email-{ids['track']}", cast.judge.email)
    page.click(f"form[action$='/tracks/{ids['track']}/judges'] button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))
    browser_logout(page)
    browser_login(page, cast.judge)
    page.goto(_link(outbox, cast.judge.email))
    page.click("form.accept-form button[type=submit]")
    page.wait_for_url(re.compile(r"/jury$"))
    browser_logout(page)

    # A resident registers with skills and creates a team.
    browser_login(page, cast.author)
    page.goto(base)
    assert page.get_attribute("html", "lang") == language
    page.click("#register-link")
    page.check("#skill-backend")
    page.check("#skill-data")
    page.check("#talent_consent")
    page.click("#register-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}$"))
    page.fill("#team-name", "Oskemen Movers")
    page.click("#create-team button[type=submit]")
    page.wait_for_url(re.compile(r"/teams/\d+$"))
    code = page.inner_text("#invite-code").strip()
    assert "business" in page.get_attribute("#coverage", "data-missing")
    browser_logout(page)

    # A second resident registers and joins with the code.
    browser_login(page, cast.voter2)
    page.goto(base + "/register")
    page.check("#skill-frontend")
    page.click("#register-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}$"))
    page.fill("#join-code", code)
    page.click("#join-team button[type=submit]")
    page.wait_for_url(re.compile(rf"{base}$"))
    assert page.is_visible("#my-team")
    browser_logout(page)

    # The team submits before the deadline.
    with app.app_context():
        team_id = db.session.scalar(select(Team.id).where(Team.name == "Oskemen Movers"))
    browser_login(page, cast.author)
    page.goto(f"{base}/teams/{team_id}")
    page.fill("#repo_url", "https://git.example.kz/oskemen-movers")
    page.fill("#demo_url", "https://movers.example.kz")
    page.fill("#description", "Live bus arrival times for Oskemen.")
    page.click("#submission-form button[type=submit]")
    page.wait_for_url(re.compile(r"/teams/\d+$"))
    assert page.get_attribute("#submission", "data-review") == "pending"
    browser_logout(page)

    # The deadline passes: the submission is locked; the organiser's technical review passes it.
    hackathons.move(ids["hackathon"], "review")
    browser_login(page, cast.author)
    page.goto(f"{base}/teams/{team_id}")
    assert page.is_visible("#submission-locked")
    browser_logout(page)
    browser_login(page, cast.organiser)
    page.goto(base + "/review")
    page.click("form.review-form button[value=works]")
    page.wait_for_url(re.compile(r"/review$"))
    assert page.get_attribute("#review-list li", "data-review") == "works"
    browser_logout(page)

    # Pitching: the judge scores the working solution.
    hackathons.move(ids["hackathon"], "jury")
    browser_login(page, cast.judge)
    page.goto(f"{base}/tracks/{ids['track']}/jury")
    page.click("#jury-entries a")
    inputs = page.locator("form.score-form input[type=number]")
    for k in range(inputs.count()):
        inputs.nth(k).fill("4")
    page.click("form.score-form button[type=submit]")
    page.wait_for_url(re.compile(r"/jury$"))
    browser_logout(page)

    # The organiser publishes the track's results; everyone sees the winner.
    browser_login(page, cast.organiser)
    page.goto(base + "/manage")
    page.click(f"#publish-results-{ids['track']}")
    page.wait_for_url(re.compile(r"/results$"))
    browser_logout(page)
    page.goto(f"{base}/tracks/{ids['track']}/results")
    assert page.get_attribute("html", "lang") in {language, "kk"}
    row = page.locator("#ranking tbody tr").first
    assert "Oskemen Movers" in row.inner_text()
    assert "winner" in (row.get_attribute("class") or "")
