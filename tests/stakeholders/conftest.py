from tests.initiatives.conftest import _english_messages, cast, initiatives  # noqa: F401  (shared fixtures)
