"""A person in a real browser: register, confirm by the emailed link, sign in, switch to Russian."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_register_verify_login_and_switch_language(page, outbox, directory):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "kk"
    page.goto("/register")
    page.fill("#email", "dana@example.kz")
    page.fill("#display_name", "Дана")
    page.fill("#password", "a long pass phrase")
    page.fill("#confirm", "a long pass phrase")
    page.select_option("#home_territory", value=str(directory.territories["KZ-ALA-ALM"]))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/login")  # registration does not sign in: the same answer for a taken email

    link = re.search(r"http://localhost(/verify/\S+)", outbox()[-1].get_content()).group(1)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/login")

    page.fill("#email", "dana@example.kz")
    page.fill("#password", "a long pass phrase")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/account")
    assert page.locator(".level-1").count() == 1  # email verified

    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ru"


@pytest.mark.parametrize(("chosen", "profile"), [("en", "kk"), ("kk", "en")])
def test_the_language_chosen_before_signing_in_is_kept_and_offered(page, make_user, chosen, profile):
    import os

    from tests.factories import DEFAULT_PASSWORD

    user = make_user(locale=profile, home="KZ-ALA-ALM")
    page.goto("/login")
    page.locator(f"form.language-switcher button[value={chosen}]").click()
    page.wait_for_load_state()
    page.fill("#email", user.email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/account")  # a resident who follows nothing yet
    assert page.locator("html").get_attribute("lang") == chosen  # not replaced by the profile's language
    assert page.is_visible("[data-language-offer]")
    if os.environ.get("CIVIC_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['CIVIC_SCREENSHOTS']}/identity-language-offer-{chosen}.png")
    page.click("[data-language-offer] button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == chosen
    assert page.locator("[data-language-offer]").count() == 0
    assert page.locator("#locale").input_value() == chosen  # saved to the profile
