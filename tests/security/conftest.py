"""Fixtures of the security-finding tests: English messages, as their assertions read English."""

import pytest


@pytest.fixture(autouse=True)
def _english_messages(app, request):
    from flask import has_request_context

    babel = app.extensions["babel"]
    original = babel.locale_selector
    babel.locale_selector = lambda: original() if has_request_context() else "en"
    if "client" in request.fixturenames:
        request.getfixturevalue("client").set_cookie("civic_lang", "en")
    yield
    babel.locale_selector = original
