from tests.initiatives.conftest import cast, initiatives, language  # noqa: F401  (shared fixtures)
