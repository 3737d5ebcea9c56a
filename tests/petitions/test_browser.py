"""The whole journey in a real browser, in Kazakh and in English: a resident starts a petition → supporters →
moderation with the suggested body confirmed → signatures (signed and withdrawn) → threshold → the official
publishes an answer after a confirmation step → residents read it.

It asserts what a newcomer tripped over (issue 14): one live number in the total, the threshold line and the
progress bar; eligibility shown before the click, and only to signed-in people it concerns; a withdraw button after
signing; the answer page showing the petition's text; the territory warning at creation; landing on one's work after
signing in. Selectors use ids, data attributes and form actions, not visible text, so the test holds in every
language. Set ``CIVIC_SCREENSHOTS=<folder>`` to keep a screenshot of every step.
"""

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from civic import db
from civic.identity.models import User
from civic.petitions import rules
from civic.petitions.models import Petition
from tests.factories import browser_login

SHOTS = os.environ.get("CIVIC_SCREENSHOTS")


def _shot(page, language: str, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/petitions-{language}-{name}.png", full_page=True)


def _logout(page):
    page.click("form[action='/logout'] button")
    page.wait_for_load_state()


def _numbers(page) -> tuple[str, list[str], str | None]:
    """The total, every copy of the live count (threshold line), and the progress bar's value."""
    total = page.get_attribute("[data-signature-count]", "data-signature-count")
    copies = [
        text.replace("\u00a0", "").replace(" ", "").replace(",", "")
        for text in page.locator("[data-live-count]").all_inner_texts()
    ]
    bar = page.eval_on_selector("progress[data-live-progress]", "bar => String(bar.value)")
    return total, copies, bar


def _assert_one_number(page, expected: int) -> None:
    total, copies, bar = _numbers(page)
    assert total == str(expected)
    assert copies
    assert all(copy == str(expected) for copy in copies), copies
    assert bar == str(expected)


@pytest.mark.browser
@pytest.mark.parametrize("language", ["kk", "en"])
def test_petition_journey_in_the_browser(page, app, world, language):
    with app.app_context():  # small numbers so that a handful of people reach the thresholds
        actor = db.session.get(User, world.moderator.id)
        rules.save_settings(2, True, actor=actor)
        rules.save_level_rule("district", 5, 10, 90, actor=actor)
        db.session.commit()
    person = lambda **kw: world.make_user(home=kw.pop("home", "KZ-ALA-ALM"), **kw)  # noqa: E731
    author, moderator = person(display_name="Айжан Қасымова"), person(roles=[("moderator", "KZ-ALA")])
    supporters, signers = [person() for _ in range(2)], [person() for _ in range(3)]
    outsider = person(home="KZ-ALA-MED")  # lives in another district: may not sign
    body = world.body_for("KZ-ALA-ALM", "landscaping")
    official = person(roles=[("official", None, body)], home="KZ-ALA-BOS")  # may not sign: no residents-only notice
    territory = world.directory.territories["KZ-ALA-ALM"]
    elsewhere = world.directory.territories["KZ-ALA-NAU"]
    category = world.directory.categories["landscaping"]

    # The author writes a draft for a district nobody on the platform lives in: warned before submitting.
    browser_login(page, author, lands_on="/account")  # follows nothing yet
    page.goto("/petitions/new")
    page.fill("#title", "Plant trees along Tole Bi street between Baitursynov and Zheltoksan")
    page.fill("#text", "The old elms were cut in 2024.\n\nThe street has **no shade** and the pavement reaches 50 °C.")
    page.select_option("#territory", str(elsewhere))
    page.select_option("#category", str(category))
    page.click("form.petition-form button[type=submit]")
    page.wait_for_url(re.compile(r"/petitions/\d+$"))
    petition_url = page.url
    petition_id = int(petition_url.rsplit("/", 1)[1])
    assert page.is_visible("[data-territory-warning]")
    assert page.is_visible("[data-too-few='supporters']")
    assert page.inner_text(".petition-text strong") == "no shade"  # Markdown rendered, not shown as asterisks
    _shot(page, language, "01-draft-warning")
    page.goto(petition_url + "/edit")
    page.select_option("#territory", str(territory))
    page.click("form.petition-form button[type=submit]")
    page.wait_for_url(petition_url)
    assert not page.is_visible("[data-territory-warning]")

    # Withdrawing is a link to a confirmation step, apart from Submit; "keep it" leaves the draft as it was.
    assert page.locator("form[action$='/submit']").count() == 1
    assert page.locator("form[action$='/withdraw']").count() == 0
    page.click(".withdraw-petition a")
    page.wait_for_url(petition_url + "/withdraw")
    _shot(page, language, "02-withdraw-confirm")
    page.click("form.confirm-form a[role=button]")
    page.wait_for_url(petition_url)
    page.click("form[action$='/submit'] button")
    link = page.input_value("#supporter-link")
    _logout(page)

    # Supporters back it through the private link: it goes to moderation. An outsider is told before any click.
    browser_login(page, outsider)
    page.goto(link)
    assert page.is_visible("[data-eligibility='no']")
    assert page.locator("main form button[type=submit]").count() == 0
    _logout(page)
    for supporter in supporters:
        browser_login(page, supporter)
        page.goto(link)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        _logout(page)

    # The moderator lands on the queue, sees why the body is suggested, and must confirm it.
    browser_login(page, moderator, lands_on="/petitions/moderation")
    page.goto(petition_url + "/moderate")
    assert page.get_attribute("[data-suggested-body]", "data-suggested-body") == str(world.body(body).id)
    assert page.inner_text(".suggested-body").strip()  # the reason: territory and subject
    _shot(page, language, "03-moderate")
    with page.expect_navigation():
        page.click("form[action$='/approve'] button[type=submit]")  # not confirmed: refused, nothing published
    assert page.is_visible("#approve-body_confirmed-error")
    page.check("#approve-body_confirmed")
    page.click("form[action$='/approve'] button[type=submit]")
    page.wait_for_url(petition_url)
    assert page.locator("#related-heading").count() == 0  # no studies or other related items: no empty section
    _logout(page)

    # Eligibility before the click, only for those it concerns: visitors are asked to sign in, the official sees
    # no residents-only notice, the outsider is told why not.
    page.goto(petition_url)
    assert page.locator("[data-eligibility]").count() == 0
    assert page.locator(".signing-box a[href^='/login']").count() == 1
    browser_login(page, outsider)
    page.goto(petition_url)
    assert page.is_visible("[data-eligibility='no']")
    assert page.locator("form[data-sign-form]").count() == 0
    _logout(page)

    # Residents sign (petitions.js signs in place): one number everywhere; the first one withdraws and signs again.
    browser_login(page, signers[0])
    page.goto(petition_url)
    assert page.is_visible("[data-eligibility='yes']")
    _assert_one_number(page, 2)  # the two supporters' signatures
    page.click("form[data-sign-form] button[type=submit]")
    page.wait_for_selector("#sign-status .signed")
    _assert_one_number(page, 3)
    assert page.is_visible("form[action$='/unsign'] button")
    _shot(page, language, "04-signed-in-place")
    page.reload()
    _assert_one_number(page, 3)  # after a reload too: the tally has not run, the count is tally + untallied rows
    with page.expect_navigation():
        page.click("form[action$='/unsign'] button")
    _assert_one_number(page, 2)
    page.click("form[data-sign-form] button[type=submit]")
    page.wait_for_selector("#sign-status .signed")
    _logout(page)
    for signer in signers[1:]:
        browser_login(page, signer)
        page.goto(petition_url)
        page.click("form[data-sign-form] button[type=submit]")
        page.wait_for_selector("#sign-status .signed")
        _logout(page)

    # Thresholds are stamped by the periodic tally job (pages never write on GET), as cron runs it.
    result = app.test_cli_runner().invoke(args=["petitions", "update-counts"])
    assert result.exit_code == 0, result.output
    page.goto(petition_url)
    assert page.get_attribute("[data-signature-count]", "data-signature-count") == "5"
    assert page.is_visible("[data-threshold-reached='response']")
    assert page.get_attribute(".figures-as-of", "data-figures-count") == "5"

    # The official lands on the answers due, reads the petition on the answer page, previews, then publishes.
    browser_login(page, official, lands_on="/petitions/awaiting-response")
    page.goto(petition_url)
    assert page.locator("[data-eligibility]").count() == 0
    page.goto(petition_url + "/respond")
    assert "no shade" in page.inner_text(".petition-quoted .petition-text")
    page.fill("#text", "The akimat will plant **200 elms and maples** on Tole Bi street in April.")
    page.click("form.response-form button[type=submit]")
    page.wait_for_selector("[data-publish-response]")
    _shot(page, language, "05-answer-confirm")
    with app.app_context():
        assert db.session.get(Petition, petition_id).responded_at is None  # the preview publishes nothing
    page.click("[data-publish-response]")
    page.wait_for_url(petition_url)
    _logout(page)

    # A signer lands on what they follow and reads the answer.
    browser_login(page, signers[1], lands_on="/petitions/signed")
    page.goto(petition_url)
    assert "200 elms and maples" in page.inner_text(".response-text strong")
    _shot(page, language, "06-answered")
    with app.app_context():
        assert db.session.scalar(select(Petition.responded_at).where(Petition.id == petition_id)) is not None
