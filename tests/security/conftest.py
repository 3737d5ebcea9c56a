"""Fixtures of the security-finding tests: English messages, as their assertions read English."""

import pytest


@pytest.fixture
def language():
    """See ``language`` in tests/conftest.py."""
    return "en"
