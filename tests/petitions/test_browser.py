"""The whole journey in a real browser: create → supporters → moderation → three signatures → threshold → response.

Selectors use ids and form actions, not visible text, so the test holds in every interface language.
"""

import re

import pytest

from civic import db
from civic.identity.models import User
from civic.petitions import rules
from tests.factories import DEFAULT_PASSWORD


def _login(page, user):
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/account"))


def _logout(page):
    page.click("form[action='/logout'] button")
    page.wait_for_load_state()


@pytest.mark.browser
def test_petition_journey_in_the_browser(page, app, world, residents):
    with app.app_context():  # small numbers so that a handful of people reach the thresholds
        actor = db.session.get(User, world.moderator.id)
        rules.save_settings(2, True, actor=actor)
        rules.save_level_rule("district", 5, 10, 90, actor=actor)
        db.session.commit()
    signers = residents(3)
    official = world.make_user(roles=[("official", None, "KZ-ALA-ALM.AKIMAT")], home="KZ-ALA-ALM")
    territory = world.directory.territories["KZ-ALA-ALM"]
    category = world.directory.categories["landscaping"]

    # The author writes a draft and submits it.
    _login(page, world.author)
    page.goto("/petitions/new")
    page.fill("#title", "Plant trees along Tole Bi street between Baitursynov and Zheltoksan")
    page.fill("#text", "The old elms were cut in 2024. The street has no shade and the pavement reaches 50 °C.")
    page.select_option("#territory", str(territory))
    page.select_option("#category", str(category))
    page.click("form.petition-form button[type=submit]")
    page.wait_for_url(re.compile(r"/petitions/\d+$"))
    petition_url = page.url
    page.click("form[action$='/submit'] button")
    link = page.input_value("#supporter-link")
    _logout(page)

    # Two supporters back it through the private link: it goes to moderation.
    for supporter in world.supporters[:2]:
        _login(page, supporter)
        page.goto(link)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        _logout(page)

    # The moderator publishes it, routed to the district akimat.
    _login(page, world.moderator)
    page.goto(petition_url + "/moderate")
    page.click("form[action$='/approve'] button[type=submit]")
    page.wait_for_url(petition_url)
    _logout(page)

    # Three residents sign (petitions.js signs in place); 2 supporters + 3 = the threshold of 5.
    for signer in signers:
        _login(page, signer)
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

    # The official answers; everyone sees the response.
    _login(page, official)
    page.goto(petition_url + "/respond")
    page.fill("#text", "The akimat will plant 200 elms and maples on Tole Bi street in April.")
    page.click("main form button[type=submit]")
    page.wait_for_url(petition_url)
    _logout(page)
    page.goto(petition_url)
    assert "200 elms and maples" in page.inner_text(".response-text")
