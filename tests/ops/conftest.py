"""Fixtures of the operations tests."""

import pytest


@pytest.fixture
def language():
    """These tests read English messages (see ``language`` in tests/conftest.py)."""
    return "en"
