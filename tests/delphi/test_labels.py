"""Item status wording: a ranking closed by Schmidt's rule says why, instead of claiming a stability test."""

from types import SimpleNamespace

import pytest

from civic.delphi.labels import status_label, status_note, verdict_label


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("ranking", "closed_consensus:consensus", "Kendall's W strong and significant"),
        ("ranking", "closed_stable_dissensus", "Kendall's W plateau"),
        ("likert", "closed_stable_dissensus", "Closed: stable disagreement"),
    ],
)
def test_status_words_depend_on_the_item_kind(app, kind, status, expected):
    with app.test_request_context():
        assert expected in status_label(status, SimpleNamespace(kind=kind))


@pytest.mark.parametrize(
    ("verdict", "status"),
    [
        ("no_consensus", "open"),
        ("consensus_agree", "open:consensus_agree"),
        ("no_consensus", "closed_stable_dissensus"),
        ("consensus_agree", "closed_consensus:consensus_agree"),
        ("insufficient", "insufficient_data"),
    ],
)
def test_the_status_after_a_verdict_does_not_say_the_verdict_again(app, verdict, status):
    """Feedback shows "verdict · status": "No consensus · Open: no consensus yet" said the same twice."""
    item = SimpleNamespace(kind="likert")
    with app.test_request_context():
        said, note = verdict_label(verdict, item).lower(), status_note(status, item).lower()
        assert said not in note
        assert "consensus" not in note
        assert note or status == "insufficient_data"  # too few answers: the verdict says it all


def test_the_status_note_knows_the_end_of_the_study(app):
    with app.test_request_context():
        assert status_note("open") == "Still open"
        assert status_note("open", final=True) == "Not confirmed: not stable when the study ended"
        assert "Kendall's W" in status_note("closed_consensus:consensus", SimpleNamespace(kind="ranking"))
