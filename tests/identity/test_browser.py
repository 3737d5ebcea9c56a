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
