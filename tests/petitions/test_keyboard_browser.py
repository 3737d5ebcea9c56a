"""Keyboard only: a resident signs in and signs a petition without a mouse; the scrollable table takes focus."""

from __future__ import annotations

import re

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.keyboard import focused, tab_to

pytestmark = pytest.mark.browser


def test_signing_a_petition_with_the_keyboard_only(page, world, residents):
    pid = world.petition("open")
    (signer,) = residents(1)

    page.goto("/login")
    tab_to(page, "#email")
    page.keyboard.type(signer.email)
    tab_to(page, "#password")
    page.keyboard.type(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/account"))

    page.goto(f"/petitions/{pid}")
    tab_to(page, "form[data-sign-form] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#sign-status .signed")
    page.assert_accessible()  # the page after signing in place (petitions.js)
    assert world.count(pid) >= 1

    if page.locator(".table-scroll").count():  # wide tables scroll with the arrow keys: they must take focus
        tab_to(page, ".table-scroll")
        assert focused(page, ".table-scroll[tabindex='0']")
