"""Item status wording: a ranking closed by Schmidt's rule says why, instead of claiming a stability test."""

from types import SimpleNamespace

import pytest

from civic.delphi.labels import status_label


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("ranking", "closed_consensus:consensus", "Kendall's W strong and significant"),
        ("ranking", "closed_stable_dissensus", "Kendall's W plateau"),
        ("likert", "closed_stable_dissensus", "Closed: stable disagreement"),
    ],
)
def test_status_words_depend_on_the_item_kind(app, kind, status, expected):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert expected in status_label(status, SimpleNamespace(kind=kind))
