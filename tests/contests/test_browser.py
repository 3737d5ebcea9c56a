"""An idea contest end to end in a real browser: the organiser poses the problem and sets up the jury, a resident
submits an idea, the moderator screens it, residents vote, the judges score and the organiser publishes the results.

Selectors use ids and form actions, not visible text, so the test holds in every interface language.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from civic import db
from civic.contests.models import Contest
from civic.identity.models import StateBody, Territory
from tests.factories import browser_login, browser_logout, local_input


def _advance(page, contest_url):
    page.goto(contest_url + "/manage")
    page.check("#confirm")
    page.click("#advance-phase")
    page.wait_for_url(re.compile(r"/manage$"))


def _link(outbox, address: str) -> str:
    message = next(m for m in reversed(outbox()) if m["To"] == address)
    return re.search(r"http://localhost(/contests/\S+)", message.get_content()).group(1)


@pytest.mark.browser
def test_idea_contest_journey_in_the_browser(page, app, cast, outbox):
    with app.app_context():
        almaty = db.session.scalar(select(Territory.id).where(Territory.code == "KZ-ALA"))
        body = db.session.scalar(select(StateBody.id).where(StateBody.code == "KZ-ALA.MOBILITY"))

    # The organiser poses the problem, adds two criteria, invites two judges and publishes.
    browser_login(page, cast.organiser)
    page.goto("/contests/new")
    page.fill("#title", "How should Almaty's courtyards handle parking?")
    page.fill("#text", "Courtyards are full of cars and ambulances cannot pass. Propose a solution for one district.")
    page.select_option("#body", str(body))
    page.select_option("#territory", str(almaty))
    page.select_option("#reward_kind", "grant")
    page.fill("#reward_text", "A grant of 5,000,000 tenge")
    page.fill("#votes_per_voter", "2")
    for field, days in (
        ("submission_opens_at", -0.1),
        ("submission_closes_at", 5),
        ("voting_opens_at", 6),
        ("voting_closes_at", 10),
        ("results_at", 15),
        ("implementation_at", 40),
    ):
        page.fill(f"#{field}", local_input(days))
    page.click("form.contest-form button[type=submit]")
    page.wait_for_url(re.compile(r"/contests/\d+/manage$"))
    contest_url = page.url.removesuffix("/manage")
    for name, weight in (("Impact", "2"), ("Feasibility", "1")):
        page.click("details:has(form.criterion-form) summary")
        page.fill("form.criterion-form #name", name)
        page.fill("form.criterion-form #weight", weight)
        page.click("form.criterion-form button[type=submit]")
        page.wait_for_url(re.compile(r"/manage$"))
    for judge in (cast.judge, cast.judge2):
        page.fill("form.invite-judge-form #email", judge.email)
        page.click("form.invite-judge-form button[type=submit]")
        page.wait_for_url(re.compile(r"/manage$"))
    page.click("#publish-contest")
    page.wait_for_url(re.compile(r"/manage$"))
    assert page.get_attribute("#manage-phase", "data-phase") == "submission"
    browser_logout(page)

    # The judges accept their invitations.
    for judge in (cast.judge, cast.judge2):
        browser_login(page, judge)
        page.goto(_link(outbox, judge.email))
        page.click("form.accept-form button[type=submit]")
        page.wait_for_url(re.compile(r"/jury$"))
        browser_logout(page)

    # A resident submits an idea; so does another one.
    entry_urls = []
    for author, title in ((cast.author, "Night parking at school stadiums"), (cast.voter2, "Garages into car parks")):
        browser_login(page, author)
        page.goto(contest_url)
        page.click("#submit-idea")
        page.fill("#title", title)
        page.fill("#text", "Residents park from 20:00 to 7:00 on *fenced* school grounds; the fee goes to the school.")
        page.fill("#links", "https://example.kz/plan")
        page.click("form.entry-form button[type=submit]")
        page.wait_for_url(re.compile(r"/entries/\d+$"))
        entry_urls.append(page.url)
        assert page.get_attribute("#entry-state", "data-state") == "submitted"
        browser_logout(page)

    # The moderator accepts both.
    browser_login(page, cast.moderator)
    for url in entry_urls:
        page.goto(url)
        page.select_option("#decision", "accept")
        page.click("#screening-panel button[type=submit]")
        page.wait_for_url(re.compile(r"/screening$"))
    browser_logout(page)

    # The organiser ends submission and screening early: voting opens.
    browser_login(page, cast.organiser)
    _advance(page, contest_url)
    _advance(page, contest_url)
    assert page.get_attribute("#manage-phase", "data-phase") == "voting"
    browser_logout(page)

    # Residents vote; the author cannot vote for their own idea.
    for voter, targets in ((cast.voter, entry_urls), (cast.resident, entry_urls[:1]), (cast.author, entry_urls[1:])):
        browser_login(page, voter)
        for url in targets:
            page.goto(url)
            page.click("form[data-vote-form] button[type=submit]")
            page.wait_for_url(url)
        browser_logout(page)
    page.goto(entry_urls[0])
    assert page.get_attribute("#vote-count", "data-vote-count") == "2"
    browser_login(page, cast.author)
    page.goto(entry_urls[0])
    assert page.locator("form[data-vote-form]").count() == 0  # no button for one's own idea
    browser_logout(page)

    # The organiser closes voting: the jury scores.
    browser_login(page, cast.organiser)
    _advance(page, contest_url)
    assert page.get_attribute("#manage-phase", "data-phase") == "jury"
    browser_logout(page)
    for judge, marks in ((cast.judge, (("9", "8"), ("5", "6"))), (cast.judge2, (("7", "9"), ("6", "4")))):
        browser_login(page, judge)
        for url, (impact, feasibility) in zip(entry_urls, marks, strict=True):
            entry_id = url.rsplit("/", 1)[1]
            page.goto(f"{contest_url}/jury/entries/{entry_id}")
            inputs = page.locator("form.score-form input[type=number]")
            inputs.nth(0).fill(impact)
            inputs.nth(1).fill(feasibility)
            page.click("form.score-form button[type=submit]")
            page.wait_for_url(re.compile(r"/jury$"))
        browser_logout(page)

    # The organiser publishes the results: the first idea wins, with its breakdown.
    browser_login(page, cast.organiser)
    page.goto(contest_url + "/manage")
    page.click("#publish-results")
    page.wait_for_url(re.compile(r"/manage$"))  # the publication is a job; in-process it is done before the answer
    told = re.search(r"Authors told: (\d+) of (\d+)\.", page.inner_text("#results-notices"))
    assert told is not None
    assert told.group(1) == told.group(2) != "0"
    browser_logout(page)
    page.goto(contest_url + "/results")
    first_row = page.locator("#ranking tbody tr").first
    assert first_row.get_attribute("data-entry") == entry_urls[0].rsplit("/", 1)[1]
    assert "winner" in (first_row.get_attribute("class") or "")
    assert page.locator(".contest-chart svg rect").count() == 2
    with app.app_context():
        contest = db.session.scalar(select(Contest))
        assert contest.competition.results["winners"] == [int(entry_urls[0].rsplit("/", 1)[1])]
