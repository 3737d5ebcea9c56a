"""The axe-core check itself: it passes on the home page and fails on a page with a serious violation."""

from __future__ import annotations

import pytest

from tests.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_public_pages_have_no_serious_violations(page):
    for path in ("/", "/petitions/", "/login", "/register", "/delphi/", "/contests/", "/bureau/"):
        response = page.goto(path)
        assert response.status < 500


def test_the_check_fails_on_a_serious_violation(page):
    page.goto("/")
    page.evaluate(
        "() => { const b = document.createElement('button'); b.id = 'empty-button'; document.querySelector('main').append(b); }"
    )
    with pytest.raises(AssertionError, match="button-name"):
        assert_accessible(page)
    page.evaluate("() => document.getElementById('empty-button').remove()")
