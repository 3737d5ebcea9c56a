"""The bridge to the engine: parts per item type, input building, redaction; and answer parsing."""

from __future__ import annotations

import pytest

from civic.delphi.analysis import build_parts, redact_report
from civic.delphi.items import AnswerProblem, parse_ranking, parse_value
from civic.delphi.models import DelphiItem, ItemKind


def _item(code, kind, **fields):
    return DelphiItem(code=code, kind=kind, ratio_scale=fields.pop("ratio_scale", True), **fields)


def test_items_are_grouped_into_engine_parts():
    options = [{"id": "o1", "en": "A"}, {"id": "o2", "en": "B"}]
    parts = build_parts(
        [
            _item("Q1", ItemKind.LIKERT, scale_points=5),
            _item("Q2", ItemKind.LIKERT, scale_points=9),
            _item("Q3", ItemKind.LIKERT, scale_points=5),
            _item("Q4", ItemKind.NUMERIC, ratio_scale=False),
            _item("Q5", ItemKind.NUMERIC),
            _item("Q6", ItemKind.YES_NO),
            _item("Q7", ItemKind.RANKING, options=options),
            _item("Q8", ItemKind.CATEGORICAL, options=options),
        ]
    )
    by_id = {p["id"]: p for p in parts}
    assert by_id["likert5"]["items"] == ["Q1", "Q3"]
    assert by_id["likert9"]["scale"] == [1, 9]
    assert by_id["numeric"] == {"id": "numeric", "type": "numeric", "items": ["Q4", "Q5"], "ratio_scale": ["Q5"]}
    assert by_id["yes_no"]["categories"] == ["no", "yes"]
    assert by_id["yes_no"]["yes_category"] == "yes"
    assert by_id["Q7"] == {"id": "Q7", "type": "ranking", "input_kind": "ranks", "options": ["Q7:o1", "Q7:o2"]}
    assert by_id["Q8"]["categories"] == ["o1", "o2"]


def test_redaction_removes_small_cells_and_attrition_comparisons():
    report = {
        "per_round": [
            {
                "round": 1,
                "items": {
                    "Q1": {"n": 4, "median": 3.0, "display_suppressed": True},
                    "Q2": {"n": 7, "median": 4.0, "display_suppressed": False},
                },
                "parts": {
                    "Q3": {
                        "type": "ranking",
                        "display_suppressed": True,
                        "options": {"a": {}},
                        "kendall_w": {"m": 3, "W": 0.9, "display_suppressed": True},
                    }
                },
            }
        ],
        "stability": [
            {
                "from_round": 1,
                "to_round": 2,
                "items": {
                    "Q2": {"n_pairs": 6, "tvd": 0.1, "attrition_mwu": {"U": 3}, "stable": True},
                    "Q1": {"n_pairs": 3, "tvd": 0.5, "stable": False},
                },
                "parts": {},
            }
        ],
    }
    out = redact_report(report, n_min=5)
    assert out["per_round"][0]["items"]["Q1"] == {"display_suppressed": True, "verdict": "insufficient", "n": None}
    assert out["per_round"][0]["items"]["Q2"]["median"] == 4.0
    assert "options" not in out["per_round"][0]["parts"]["Q3"]
    assert "attrition_mwu" not in out["stability"][0]["items"]["Q2"]
    assert out["stability"][0]["items"]["Q1"] == {"n_pairs": None, "display_suppressed": True, "stable": False}
    assert report["per_round"][0]["items"]["Q1"]["median"] == 3.0  # the stored report is untouched


@pytest.mark.parametrize(
    ("kind", "fields", "raw", "expected"),
    [
        (ItemKind.LIKERT, {"scale_points": 7}, "7", 7),
        (ItemKind.NUMERIC, {"min_value": 0, "max_value": 100}, "12,5", 12.5),
        (ItemKind.NUMERIC, {}, " 1 200 ", 1200.0),
        (ItemKind.YES_NO, {}, "no", "no"),
        (ItemKind.CATEGORICAL, {"options": [{"id": "o1"}, {"id": "o2"}]}, "o2", "o2"),
        (ItemKind.LIKERT, {"scale_points": 5}, "", None),
    ],
)
def test_parse_value_accepts_valid_answers(app, kind, fields, raw, expected):
    with app.test_request_context():
        assert parse_value(_item("Q1", kind, **fields), raw) == expected


def test_parse_ranking_needs_each_rank_once(app):
    item = _item("Q1", ItemKind.RANKING, options=[{"id": f"o{i}"} for i in range(1, 4)])
    with app.test_request_context():
        assert parse_ranking(item, {"o1": "2", "o2": "1", "o3": "3"}) == {"o1": 2, "o2": 1, "o3": 3}
        assert parse_ranking(item, {}) is None
        for bad in ({"o1": "1", "o2": "1", "o3": "3"}, {"o1": "1", "o2": "2", "o3": "4"}, {"o1": "1", "o2": "2"}):
            with pytest.raises(AnswerProblem):
                parse_ranking(item, bad)


def test_missing_csrf_token_is_refused(plain_client, make_user):
    from tests.factories import AuthActions

    AuthActions(plain_client).login(make_user(roles=["council_member"]))
    response = plain_client.post("/delphi/new", data={"base_language": "en", "title_en": "No token"})
    assert response.status_code == 400
