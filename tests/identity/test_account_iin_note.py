"""The account page says that the IIN can be added only once the email is confirmed."""

from __future__ import annotations

import pytest

from civic.identity.models import AssuranceLevel

NOTE = "once your email is confirmed"


@pytest.fixture
def language():
    """These tests read English (see ``language`` in tests/conftest.py)."""
    return "en"


def test_unconfirmed_account_explains_when_the_iin_can_be_added(client, auth, make_user):
    auth.login(make_user(level=AssuranceLevel.REGISTERED))
    page = client.get("/account").text
    assert NOTE in page
    assert 'name="iin"' not in page


def test_confirmed_account_offers_the_iin_form_without_the_note(client, auth, make_user):
    auth.login(make_user(level=AssuranceLevel.EMAIL_VERIFIED))
    page = client.get("/account").text
    assert 'name="iin"' in page
    assert NOTE not in page
