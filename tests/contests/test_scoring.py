"""Unit tests of the contest scoring engine (pure: no Flask app, no database).

Expected values are worked out by hand from the rules in docs/contests-scoring.md (the arithmetic is written in the
comments); the published example of the design page is checked digit for digit. Property tests compare the engine
with a plain-Python reference of the rules, with scipy.stats.zscore, and with itself under permutations.
"""

from __future__ import annotations

import json
import math
import random
import statistics
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.contests import scoring
from civic.contests.scoring import DEFAULT_WEIGHTS, ScoringError, score_contest

FAST = settings(max_examples=60, deadline=None, database=None)


def published(**overrides: Any) -> dict[str, Any]:
    """The design page's example: criteria a (w 1, 1..5) and b (w 3, 0..10), judges J1, J2, entries X, Y."""
    contest = {
        "criteria": [{"id": "a", "weight": 1, "scale": [1, 5]}, {"id": "b", "weight": 3, "scale": [0, 10]}],
        "entries": ["X", "Y"],
        "judges": ["J1", "J2"],
        "scores": {
            "J1": {"X": {"a": 5, "b": 10}, "Y": {"a": 1, "b": 0}},
            "J2": {"X": {"a": 3, "b": 5}, "Y": {"a": 3, "b": 5}},
        },
    }
    contest.update(overrides)
    return contest


def one_criterion(scores: dict, entries: list[str], judges: list[str] | None = None, **overrides: Any) -> dict:
    """A contest with one criterion "q" on 0..10 (weight 1), so a judge's total is score / 10."""
    contest = {
        "criteria": [{"id": "q", "weight": 1, "scale": [0, 10]}],
        "entries": entries,
        "judges": judges or sorted(scores),
        "scores": {j: {e: {"q": s} for e, s in row.items()} for j, row in scores.items()},
    }
    contest.update(overrides)
    return contest


def field(result: dict, name: str) -> dict[str, Any]:
    return {eid: row[name] for eid, row in result["entries"].items()}


def no_nan(result: dict) -> str:
    return json.dumps(result, allow_nan=False)


# --------------------------------------------------------------------------- the published example


def test_published_example_none_jury_only() -> None:
    # J1: X t = (1·(5−1)/4 + 3·(10−0)/10)/4 = 1.0, Y t = 0.0; J2: X = Y = (1·(3−1)/4 + 3·5/10)/4 = (0.5 + 1.5)/4 = 0.5.
    result = score_contest(published())
    assert field(result, "jury_score") == {"X": pytest.approx(0.75), "Y": pytest.approx(0.25)}
    # Default weights: jury 1, public 0, so combined = jury; nobody voted, so public scores are 0.
    assert field(result, "combined") == field(result, "jury_score")
    assert field(result, "public_score") == {"X": 0.0, "Y": 0.0}
    assert field(result, "rank") == {"X": 1, "Y": 2}
    assert field(result, "judges") == {"X": 2, "Y": 2}
    assert result["order"] == ["X", "Y"]
    assert result["incomplete"] == []
    # Raw totals: J1 {1, 0} mean 0.5, population SD 0.5; J2 {0.5, 0.5} mean 0.5, SD 0.
    assert result["judges"] == {
        "J1": {"complete": 2, "mean": 0.5, "sd": 0.5},
        "J2": {"complete": 2, "mean": 0.5, "sd": 0.0},
    }


def test_published_example_none_with_public_vote() -> None:
    result = score_contest(published(votes={"X": 10, "Y": 30}, weights={"jury": 0.5, "public": 0.5}))
    # Public: X 10/30, Y 30/30. Combined X = 0.5·0.75 + 0.5·(1/3) = 0.541666…, Y = 0.5·0.25 + 0.5·1 = 0.625.
    assert field(result, "public_score") == {"X": pytest.approx(1 / 3), "Y": 1.0}
    assert field(result, "combined") == {"X": pytest.approx(0.5416666666666666), "Y": pytest.approx(0.625)}
    assert field(result, "votes") == {"X": 10, "Y": 30}
    assert field(result, "rank") == {"Y": 1, "X": 2}
    assert result["order"] == ["Y", "X"]


def test_published_example_z() -> None:
    result = score_contest(published(normalise="z"))
    # Pooled totals {1, 0, .5, .5}: G_mean 0.5, G_sd = sqrt((.25 + .25 + 0 + 0)/4) = sqrt(1/8) = 0.353553…
    # J1: m 0.5, s 0.5, z = ±1 → X 0.5 + 0.353553 = 0.853553…, Y 0.146446…; J2: s = 0 → z = 0 → 0.5 each.
    g_sd = math.sqrt(1 / 8)
    x, y = (0.5 + g_sd + 0.5) / 2, (0.5 - g_sd + 0.5) / 2
    assert (x, y) == (pytest.approx(0.6767766952966369), pytest.approx(0.3232233047033631))
    assert field(result, "jury_score") == {"X": pytest.approx(x, abs=1e-15), "Y": pytest.approx(y, abs=1e-15)}
    assert result["order"] == ["X", "Y"]
    # The breakdown is of the raw totals, whatever the normalisation.
    assert result["judges"]["J1"] == {"complete": 2, "mean": 0.5, "sd": 0.5}


def test_published_example_z_with_public_vote() -> None:
    result = score_contest(published(normalise="z", votes={"X": 10, "Y": 30}, weights={"jury": 0.5, "public": 0.5}))
    # X = 0.5·0.676776… + 0.5/3 = 0.505055…; Y = 0.5·0.323223… + 0.5 = 0.661611… → order Y, X.
    g_sd = math.sqrt(1 / 8)
    assert field(result, "combined") == {
        "X": pytest.approx(0.5 * (0.5 + g_sd / 2) + 0.5 / 3),
        "Y": pytest.approx(0.5 * (0.5 - g_sd / 2) + 0.5),
    }
    assert field(result, "combined")["X"] == pytest.approx(0.5050550143)
    assert result["order"] == ["Y", "X"]
    assert field(result, "rank") == {"Y": 1, "X": 2}


# --------------------------------------------------------------------------- incomplete pairs and nulls


def two_criteria(scores: dict, entries: list[str], judges: list[str], **overrides: Any) -> dict:
    """Criteria a and b, both weight 1 on 0..10: a total is (a + b) / 20."""
    contest = {
        "criteria": [{"id": "a", "weight": 1, "scale": [0, 10]}, {"id": "b", "weight": 1, "scale": [0, 10]}],
        "entries": entries,
        "judges": judges,
        "scores": scores,
    }
    contest.update(overrides)
    return contest


def test_incomplete_pairs_are_reported_and_not_used() -> None:
    contest = two_criteria(
        {
            "J1": {"P": {"a": 10, "b": 0}, "Q": {"a": 4, "b": 6}, "R": {"a": None, "b": None}},
            "J2": {"P": {"a": 10}, "Q": {"a": 2, "b": 2}},
            "J3": {"P": {"a": 6, "b": 8}, "Q": {"a": 5, "b": None}},
        },
        entries=["P", "Q", "R"],
        judges=["J1", "J2", "J3"],
    )
    result = score_contest(contest)
    # J1: P (10+0)/20 = .5, Q (4+6)/20 = .5, R all null = not scored. J2: P lacks b (incomplete), Q (2+2)/20 = .2.
    # J3: P (6+8)/20 = .7, Q has b null (incomplete).
    # P: J1 .5, J3 .7 → 0.6 (J2's a = 10 is not used). Q: J1 .5, J2 .2 → 0.35. R: nobody → null.
    assert field(result, "jury_score") == {"P": pytest.approx(0.6), "Q": pytest.approx(0.35), "R": None}
    assert field(result, "judges") == {"P": 2, "Q": 2, "R": 0}
    # Sorted by judge then entry in input order; J1/R (no score at all) is not scored, not incomplete.
    assert result["incomplete"] == [["J2", "P"], ["J3", "Q"]]
    assert result["judges"]["J2"] == {"complete": 1, "mean": pytest.approx(0.2), "sd": None}
    assert result["judges"]["J3"] == {"complete": 1, "mean": pytest.approx(0.7), "sd": None}
    assert result["entries"]["R"] == {
        "judges": 0,
        "jury_score": None,
        "public_score": 0.0,
        "votes": 0,
        "combined": None,
        "eligible": False,
        "rank": None,
    }
    assert result["order"] == ["P", "Q", "R"]
    no_nan(result)


def test_nulls_at_every_level_mean_not_scored() -> None:
    scores = {"J1": {"X": {"a": 5, "b": 5}, "Y": None}, "J2": None, "J3": {"X": {"a": None, "b": None}}}
    result = score_contest(two_criteria(scores, ["X", "Y"], ["J1", "J2", "J3"], min_judges=1))
    assert field(result, "judges") == {"X": 1, "Y": 0}
    assert field(result, "jury_score") == {"X": 0.5, "Y": None}
    assert result["incomplete"] == []
    assert result["judges"]["J2"] == {"complete": 0, "mean": None, "sd": None}
    # scores may be left out altogether (judging has not started).
    empty = score_contest({key: value for key, value in published().items() if key != "scores"})
    assert field(empty, "jury_score") == {"X": None, "Y": None}
    assert empty["order"] == ["X", "Y"]
    no_nan(empty)


def test_a_mostly_complete_judge_with_a_partial_row() -> None:
    # 50 complete rows and one partial row for the same judge: the partial one is incomplete, the others count.
    entries = [f"E{i}" for i in range(51)]
    row = {e: {"a": i % 11, "b": 10 - i % 11} for i, e in enumerate(entries)}  # every total (a + b)/20 = 0.5
    row["E7"] = {"b": 3}
    result = score_contest(two_criteria({"J1": row, "J2": dict(row)}, entries, ["J1", "J2"]))
    assert result["incomplete"] == [["J1", "E7"], ["J2", "E7"]]
    assert result["judges"]["J1"] == {"complete": 50, "mean": 0.5, "sd": 0.0}
    assert result["entries"]["E7"]["jury_score"] is None
    assert all(result["entries"][e]["jury_score"] == 0.5 for e in entries if e != "E7")


def test_other_numeric_types_give_the_same_result_as_plain_ones() -> None:
    # numpy scalars and Fractions take the entry-by-entry reader; the result must not depend on the reader.
    plain = score_contest(published(votes={"X": 1, "Y": 2}, normalise="z"))
    exotic = published(votes={"X": np.int64(1), "Y": 2}, normalise="z")
    exotic["scores"]["J1"]["X"] = {"a": np.float64(5), "b": Fraction(10)}
    exotic["scores"]["J2"]["Y"] = {"a": np.int32(3), "b": 5.0}
    assert score_contest(exotic) == plain
    no_nan(score_contest(exotic))


# --------------------------------------------------------------------------- recusals and eligibility


def test_a_recused_pair_with_scores_is_an_error() -> None:
    contest = published(recusals=[["J2", "Y"]])
    with pytest.raises(ValueError, match=r"judge 'J2' is recused from entry 'Y' but scored it on a, b") as err:
        score_contest(contest)
    assert err.value.code == "recused_scored"
    # One criterion is enough to be an error, even if the pair is incomplete.
    contest["scores"]["J2"]["Y"] = {"a": None, "b": 4}
    with pytest.raises(ScoringError, match=r"scored it on b$"):
        score_contest(contest)


@pytest.mark.parametrize("unscored", ["absent", None, {}, {"a": None, "b": None}])
def test_a_recused_pair_without_scores_is_fine(unscored: Any) -> None:
    contest = published(recusals=[["J2", "Y"], ["J2", "Y"]], min_judges=1)
    if unscored == "absent":
        del contest["scores"]["J2"]["Y"]
    else:
        contest["scores"]["J2"]["Y"] = unscored
    result = score_contest(contest)
    # Y has J1 only: t = 0.0; X: (1.0 + 0.5)/2 = 0.75. The recused pair is not reported as incomplete.
    assert field(result, "judges") == {"X": 2, "Y": 1}
    assert field(result, "jury_score") == {"X": 0.75, "Y": 0.0}
    assert result["incomplete"] == []
    # With the default min_judges 2, the recusal leaves Y ineligible.
    contest["min_judges"] = None
    assert field(score_contest(contest), "eligible") == {"X": True, "Y": False}


def test_min_judges_eligibility_and_null_rank() -> None:
    # Totals q/10. A: J1 .9, J2 .7 → .8 (2 judges). B: J1 1.0 → 1.0 (1 judge). C: J1 .2, J2 .4, J3 .6 → .4 (3).
    # D: J2 .5, J3 .5 → .5 (2).
    scores = {"J1": {"A": 9, "B": 10, "C": 2}, "J2": {"A": 7, "C": 4, "D": 5}, "J3": {"C": 6, "D": 5}}
    result = score_contest(one_criterion(scores, ["A", "B", "C", "D"]))
    assert field(result, "judges") == {"A": 2, "B": 1, "C": 3, "D": 2}
    # B has the best jury score but only one judge: reported, not ranked, listed after the ranked entries.
    assert field(result, "jury_score") == {
        "A": pytest.approx(0.8),
        "B": 1.0,
        "C": pytest.approx(0.4),
        "D": 0.5,
    }
    assert field(result, "eligible") == {"A": True, "B": False, "C": True, "D": True}
    assert field(result, "rank") == {"A": 1, "B": None, "C": 3, "D": 2}
    assert result["order"] == ["A", "D", "C", "B"]
    # min_judges 3: only C is eligible; the rest follow in input order.
    result = score_contest(one_criterion(scores, ["A", "B", "C", "D"], min_judges=3))
    assert field(result, "rank") == {"A": None, "B": None, "C": 1, "D": None}
    assert result["order"] == ["C", "A", "B", "D"]
    # min_judges 1: everyone; B first.
    result = score_contest(one_criterion(scores, ["A", "B", "C", "D"], min_judges=1))
    assert result["order"] == ["B", "A", "D", "C"]
    # More than there are judges: nobody is ranked.
    result = score_contest(one_criterion(scores, ["A", "B", "C", "D"], min_judges=4))
    assert result["order"] == ["A", "B", "C", "D"]
    assert set(field(result, "rank").values()) == {None}


# --------------------------------------------------------------------------- ties


def test_ties_share_a_rank_competition_style() -> None:
    # Scale 0..4 via q on 0..10 would not give these numbers; use scores/10: A (10, 10) → 1.0; B (7, 3) → 0.5;
    # C (5, 5) → 0.5; D (0, 3) → 0.15. B and C tie on combined and jury, both have 0 votes: ranks 1, 2, 2, 4.
    scores = {"J1": {"A": 10, "B": 7, "C": 5, "D": 0}, "J2": {"A": 10, "B": 3, "C": 5, "D": 3}}
    result = score_contest(one_criterion(scores, ["A", "B", "C", "D"]))
    assert field(result, "rank") == {"A": 1, "B": 2, "C": 2, "D": 4}
    assert result["order"] == ["A", "B", "C", "D"]
    # Tied entries keep their input order.
    result = score_contest(one_criterion(scores, ["D", "C", "B", "A"]))
    assert field(result, "rank") == {"A": 1, "B": 2, "C": 2, "D": 4}
    assert result["order"] == ["A", "C", "B", "D"]


def test_scores_equal_up_to_float_round_off_tie() -> None:
    # E1: totals .1 and .2 → (0.1 + 0.2)/2 = 0.15000000000000002 in floats; E2: 1.5/10 twice → 0.15.
    scores = {"J1": {"E1": 1, "E2": 1.5, "E3": 0}, "J2": {"E1": 2, "E2": 1.5, "E3": 0}}
    result = score_contest(one_criterion(scores, ["E1", "E2", "E3"]))
    jury = field(result, "jury_score")
    assert jury["E1"] != jury["E2"]  # the round-off the rule is about
    assert jury["E1"] == pytest.approx(jury["E2"], abs=1e-15)
    assert field(result, "rank") == {"E1": 1, "E2": 1, "E3": 3}


def test_equal_combined_is_decided_by_jury_score() -> None:
    # Weights .5/.5; votes out of 100. F: jury .6, public .4 → .5; G: jury .4, public .6 → .5; H: jury 0, public 1 → .5.
    scores = {"J1": {"F": 6, "G": 4, "H": 0}, "J2": {"F": 6, "G": 4, "H": 0}}
    contest = one_criterion(
        scores, ["H", "G", "F"], votes={"F": 40, "G": 60, "H": 100}, weights={"jury": 0.5, "public": 0.5}
    )
    result = score_contest(contest)
    assert field(result, "combined") == {"F": pytest.approx(0.5), "G": pytest.approx(0.5), "H": pytest.approx(0.5)}
    assert field(result, "rank") == {"F": 1, "G": 2, "H": 3}
    assert result["order"] == ["F", "G", "H"]


def test_equal_combined_and_jury_is_decided_by_votes() -> None:
    # Public weight 0: K, L, M all have jury .5 = combined .5; votes K 10, L 20, M 20 → L and M share rank 1, K is 3rd.
    # N (jury .7) is first on combined whatever its votes: ranks N 1, L 2, M 2, K 4.
    scores = {"J1": {"K": 5, "L": 5, "M": 5, "N": 7}, "J2": {"K": 5, "L": 5, "M": 5, "N": 7}}
    result = score_contest(one_criterion(scores, ["K", "L", "M", "N"], votes={"K": 10, "L": 20, "M": 20}))
    assert field(result, "rank") == {"N": 1, "L": 2, "M": 2, "K": 4}
    assert result["order"] == ["N", "L", "M", "K"]


# --------------------------------------------------------------------------- z-normalisation edge cases


def test_z_with_a_single_total_and_a_flat_judge() -> None:
    # Totals q/10. J1: A 1, B .5, C 0 (m .5, s = sqrt((.25 + 0 + .25)/3) = sqrt(1/6) = 0.408248…, z = ±1.224745…, 0).
    # J2: A .8 only (fewer than 2 complete totals → z = 0). J3: .3 three times (s = 0 → z = 0).
    scores = {"J1": {"A": 10, "B": 5, "C": 0}, "J2": {"A": 8}, "J3": {"A": 3, "B": 3, "C": 3}}
    result = score_contest(one_criterion(scores, ["A", "B", "C"], normalise="z"))
    # Pooled {1, .5, 0, .8, .3, .3, .3}: sum 3.2, sum of squares 2.16 → G_mean = 3.2/7 = 0.457143,
    # G_sd = sqrt(2.16/7 − G_mean²) = sqrt(0.0995918) = 0.315582.
    g_mean = 3.2 / 7
    g_sd = math.sqrt(2.16 / 7 - g_mean**2)
    z = 0.5 / math.sqrt(1 / 6)
    assert (g_mean, g_sd, z) == (
        pytest.approx(0.457143, abs=1e-6),
        pytest.approx(0.315582, abs=1e-6),
        pytest.approx(1.224745, abs=1e-6),
    )
    # A: (G_mean + G_sd·z, G_mean, G_mean)/3 = 0.585978; B: J1 and J3 both G_mean → 0.457143;
    # C: (G_mean − G_sd·z, G_mean)/2 = 0.263890.
    jury = field(result, "jury_score")
    assert jury["A"] == pytest.approx(g_mean + g_sd * z / 3, abs=1e-14)
    assert jury["B"] == pytest.approx(g_mean, abs=1e-14)
    assert jury["C"] == pytest.approx(g_mean - g_sd * z / 2, abs=1e-14)
    assert jury == {
        "A": pytest.approx(0.585978, abs=1e-6),
        "B": pytest.approx(0.457143, abs=1e-6),
        "C": pytest.approx(0.263890, abs=1e-6),
    }
    assert result["judges"]["J2"] == {"complete": 1, "mean": 0.8, "sd": None}
    assert result["judges"]["J3"] == {"complete": 3, "mean": pytest.approx(0.3), "sd": 0.0}
    assert result["judges"]["J1"]["sd"] == pytest.approx(math.sqrt(1 / 6))


def test_z_flat_judge_despite_float_round_off() -> None:
    # J2's totals are all mathematically 0.6 ((1+2+3)/30 and (3+2+1)/30 and 2+2+2) but may differ in the last bit;
    # they must count as s_j = 0 (z = 0), not as a judge with a huge z from round-off.
    criteria = [{"id": c, "weight": 1, "scale": [0, 10]} for c in "abc"]
    contest = {
        "criteria": criteria,
        "entries": ["X", "Y", "Z"],
        "judges": ["J1", "J2"],
        "scores": {
            "J1": {"X": {"a": 9, "b": 9, "c": 9}, "Y": {"a": 5, "b": 5, "c": 5}, "Z": {"a": 1, "b": 1, "c": 1}},
            "J2": {"X": {"a": 1, "b": 2, "c": 3}, "Y": {"a": 3, "b": 2, "c": 1}, "Z": {"a": 2, "b": 2, "c": 2}},
        },
        "normalise": "z",
    }
    result = score_contest(contest)
    assert result["judges"]["J2"]["sd"] == 0.0
    # J1 z = (+1.2247, 0, −1.2247) symmetric, J2 z = 0: X and Z sit symmetrically around Y = G_mean.
    jury = field(result, "jury_score")
    assert jury["X"] + jury["Z"] == pytest.approx(2 * jury["Y"], abs=1e-12)
    assert jury["X"] > jury["Y"] > jury["Z"]


def test_z_with_nobody_scoring_and_with_everyone_equal() -> None:
    result = score_contest(one_criterion({"J1": {}, "J2": {}}, ["A", "B"], normalise="z"))
    assert field(result, "jury_score") == {"A": None, "B": None}
    no_nan(result)
    # All totals 0.4: G_sd = 0, every judge flat: everything maps to G_mean = 0.4.
    result = score_contest(one_criterion({"J1": {"A": 4, "B": 4}, "J2": {"A": 4, "B": 4}}, ["A", "B"], normalise="z"))
    assert field(result, "jury_score") == {"A": pytest.approx(0.4), "B": pytest.approx(0.4)}
    assert field(result, "rank") == {"A": 1, "B": 1}


def test_z_matches_scipy_zscore() -> None:
    rng = np.random.default_rng(7)
    n_judges, n_entries = 7, 40
    lows, highs, weights = np.array([1.0, 0.0, -5.0]), np.array([10.0, 5.0, 5.0]), np.array([2.0, 1.0, 0.5])
    raw = lows + (highs - lows) * rng.random((n_judges, n_entries, 3))
    scored = rng.random((n_judges, n_entries)) < 0.8
    contest = {
        "criteria": [{"id": f"c{c}", "weight": weights[c], "scale": [lows[c], highs[c]]} for c in range(3)],
        "entries": [f"E{e}" for e in range(n_entries)],
        "judges": [f"J{j}" for j in range(n_judges)],
        "scores": {
            f"J{j}": {f"E{e}": {f"c{c}": raw[j, e, c] for c in range(3)} for e in range(n_entries) if scored[j, e]}
            for j in range(n_judges)
        },
        "normalise": "z",
        "min_judges": 1,
    }
    totals = ((raw - lows) / (highs - lows) * weights).sum(axis=2) / weights.sum()
    pooled = totals[scored]
    g_mean, g_sd = pooled.mean(), pooled.std(ddof=0)
    normed = np.full((n_judges, n_entries), np.nan)
    for j in range(n_judges):
        normed[j, scored[j]] = g_mean + g_sd * scipy.stats.zscore(totals[j, scored[j]], ddof=0)
    expected = np.nanmean(normed, axis=0)
    jury = field(score_contest(contest), "jury_score")
    np.testing.assert_allclose([jury[f"E{e}"] for e in range(n_entries)], expected, rtol=1e-12, atol=1e-13)


# --------------------------------------------------------------------------- public score and weights


def test_public_score_is_zero_when_nobody_voted() -> None:
    scores = {"J1": {"A": 3, "B": 7}, "J2": {"A": 5, "B": 7}}
    for votes in (None, {}, {"A": 0, "B": 0}):
        result = score_contest(one_criterion(scores, ["A", "B"], votes=votes, weights={"jury": 0, "public": 1}))
        assert field(result, "public_score") == {"A": 0.0, "B": 0.0}
        # Combined 0 for both: the jury score decides (B .7 > A .4).
        assert field(result, "combined") == {"A": 0.0, "B": 0.0}
        assert field(result, "rank") == {"B": 1, "A": 2}


def test_public_score_is_relative_to_the_most_voted_entry() -> None:
    # Votes 5, 20, 0 → public 5/20 = .25, 1, 0; jury A .4 B .7 C .1; weights .8/.2, used as given:
    # A .8·.4 + .2·.25 = .37; B .8·.7 + .2 = .76; C .8·.1 = .08.
    scores = {"J1": {"A": 4, "B": 7, "C": 1}, "J2": {"A": 4, "B": 7, "C": 1}}
    contest = one_criterion(scores, ["A", "B", "C"], votes={"A": 5, "B": 20}, weights={"jury": 0.8, "public": 0.2})
    result = score_contest(contest)
    assert field(result, "public_score") == {"A": 0.25, "B": 1.0, "C": 0.0}
    assert field(result, "combined") == {"A": pytest.approx(0.37), "B": pytest.approx(0.76), "C": pytest.approx(0.08)}
    # Weights are not rescaled: 2/2 doubles every combined score.
    doubled = score_contest({**contest, "weights": {"jury": 1.6, "public": 0.4}})
    assert field(doubled, "combined") == {"A": pytest.approx(0.74), "B": pytest.approx(1.52), "C": pytest.approx(0.16)}


def test_default_weights() -> None:
    assert dict(DEFAULT_WEIGHTS) == {"jury": 1.0, "public": 0.0}
    result = score_contest(published(votes={"X": 1, "Y": 100}, weights=None))
    assert field(result, "combined") == field(result, "jury_score")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"jury": -0.1, "public": 1}, "must not be negative"),
        ({"jury": 1, "public": -1}, "must not be negative"),
        ({"jury": 0, "public": 0}, "must not both be 0"),
        ({"jury": 0.0, "public": 0}, "must not both be 0"),
        ({"jury": 1}, "weights must be"),
        ({"jury": 1, "public": 0, "extra": 1}, "weights must be"),
        ([1, 0], "weights must be"),
        ({"jury": "1", "public": 0}, "must be a number"),
        ({"jury": True, "public": 0}, "must be a number"),
        ({"jury": math.nan, "public": 1}, "finite"),
        ({"jury": math.inf, "public": 1}, "finite"),
    ],
)
def test_weights_are_validated(weights: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        score_contest(published(weights=weights))
    assert err.value.code == "invalid_weights"


# --------------------------------------------------------------------------- errors


def mutate(path: tuple, value: Any) -> dict:
    contest = published(votes={"X": 1}, recusals=[])
    target = contest
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return contest


ERRORS = [
    # The design page's list.
    ("unknown judge in scores", mutate(("scores", "J9"), {}), "unknown_judge", "unknown judge 'J9'"),
    ("unknown judge in recusals", mutate(("recusals",), [["J9", "X"]]), "unknown_judge", "unknown judge 'J9'"),
    (
        "unknown entry in scores",
        mutate(("scores", "J1", "Z"), {"a": 1, "b": 1}),
        "unknown_entry",
        "'J1': unknown entry 'Z'",
    ),
    ("unknown entry in votes", mutate(("votes", "Z"), 3), "unknown_entry", "votes: unknown entry 'Z'"),
    ("unknown entry in recusals", mutate(("recusals",), [["J1", "Z"]]), "unknown_entry", "unknown entry 'Z'"),
    (
        "unknown criterion",
        mutate(("scores", "J1", "X", "c"), 1),
        "unknown_criterion",
        "entry 'X': unknown criterion 'c'",
    ),
    (
        "unknown criterion in a full-length row",
        mutate(("scores", "J1", "X"), {"a": 1, "c": 1}),
        "unknown_criterion",
        "unknown criterion 'c'",
    ),
    (
        "score above its scale",
        mutate(("scores", "J2", "Y", "b"), 11),
        "score_out_of_scale",
        r"score 11 of judge 'J2' for entry 'Y' on criterion 'b' is outside its scale \[0, 10\]",
    ),
    (
        "score below its scale",
        mutate(("scores", "J1", "X", "a"), 0.5),
        "score_out_of_scale",
        r"score 0.5 .* criterion 'a' is outside its scale \[1, 5\]",
    ),
    (
        "zero criterion weight",
        mutate(("criteria", 0, "weight"), 0),
        "invalid_weight",
        "weight of criterion 'a' must be positive",
    ),
    (
        "negative criterion weight",
        mutate(("criteria", 1, "weight"), -3),
        "invalid_weight",
        "weight of criterion 'b' must be positive",
    ),
    (
        "lo equal to hi",
        mutate(("criteria", 0, "scale"), [5, 5]),
        "invalid_scale",
        r"'a' must have lo < hi, got \[5, 5\]",
    ),
    ("lo above hi", mutate(("criteria", 1, "scale"), [10, 0]), "invalid_scale", r"'b' must have lo < hi"),
    ("negative votes", mutate(("votes", "Y"), -1), "negative_votes", "votes of entry 'Y' must not be negative"),
    ("negative weight", mutate(("weights",), {"jury": 1, "public": -0.5}), "invalid_weights", "must not be negative"),
    ("all-zero weights", mutate(("weights",), {"jury": 0, "public": 0}), "invalid_weights", "must not both be 0"),
    (
        "recused pair with scores",
        mutate(("recusals",), [["J1", "X"]]),
        "recused_scored",
        "'J1' is recused from entry 'X'",
    ),
    ("unknown normalise", mutate(("normalise",), "zscore"), "unknown_normalise", "normalise must be one of"),
    # Further checks of the input.
    ("misspelt option", mutate(("normalize",), "z"), "unknown_key", "unknown key.*normalize"),
    ("missing entries", {k: v for k, v in published().items() if k != "entries"}, "invalid_input", "lacks entries"),
    ("no criteria", mutate(("criteria",), []), "invalid_criteria", "non-empty list"),
    (
        "criterion without scale",
        mutate(("criteria", 0), {"id": "a", "weight": 1}),
        "invalid_criteria",
        "#0 lacks scale",
    ),
    ("scale of one number", mutate(("criteria", 0, "scale"), [1]), "invalid_scale", "must be \\[lo, hi\\]"),
    ("infinite scale", mutate(("criteria", 0, "scale"), [0, math.inf]), "invalid_scale", "finite"),
    ("duplicate entry", mutate(("entries",), ["X", "Y", "X"]), "duplicate_id", "entries: duplicate id 'X'"),
    ("duplicate criterion", mutate(("criteria", 1, "id"), "a"), "duplicate_id", "criteria: duplicate id 'a'"),
    ("non-string judge id", mutate(("judges",), ["J1", 2]), "invalid_id", "judges: ids must be non-empty strings"),
    ("entries as a string", mutate(("entries",), "XY"), "invalid_input", "entries must be a list"),
    (
        "score as a string",
        mutate(("scores", "J1", "X", "a"), "5"),
        "invalid_score",
        "'J1' for entry 'X' on criterion 'a' must be a number",
    ),
    ("score as a bool", mutate(("scores", "J1", "X", "a"), True), "invalid_score", "must be a number, got bool"),
    (
        "NaN score",
        mutate(("scores", "J1", "X", "b"), math.nan),
        "invalid_score",
        "criterion 'b' must be a finite number",
    ),
    (
        "infinite score",
        mutate(("scores", "J1", "Y", "b"), -math.inf),
        "invalid_score",
        "criterion 'b' must be a finite number",
    ),
    ("huge score", mutate(("scores", "J1", "Y", "b"), 10**400), "invalid_score", "finite"),
    ("row not a mapping", mutate(("scores", "J1", "X"), [5, 10]), "invalid_input", "must map criterion -> score"),
    ("judge scores not a mapping", mutate(("scores", "J1"), [1]), "invalid_input", "'J1' must map entry -> scores"),
    ("fractional votes", mutate(("votes", "X"), 1.5), "invalid_votes", "must be an integer"),
    ("boolean votes", mutate(("votes", "X"), True), "invalid_votes", "must be an integer"),
    ("recusal not a pair", mutate(("recusals",), [["J1"]]), "invalid_recusals", "\\[judge, entry\\] pair"),
    ("min_judges 0", mutate(("min_judges",), 0), "invalid_min_judges", "positive integer"),
    ("min_judges float", mutate(("min_judges",), 2.0), "invalid_min_judges", "positive integer"),
    ("contest not a mapping", [1, 2], "invalid_input", "contest must be a mapping"),
]


@pytest.mark.parametrize(("contest", "code", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_invalid_input_is_refused(contest: Any, code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        score_contest(contest)
    assert isinstance(err.value, ScoringError)
    assert err.value.code == code


def test_an_explicit_nan_beside_nulls_is_refused() -> None:
    # Nulls and NaN both become NaN inside the array; the parser must still tell them apart.
    contest = published()
    contest["scores"]["J1"]["X"] = {"a": None, "b": 10.0}
    contest["scores"]["J1"]["Y"] = {"a": math.nan, "b": 0.0}
    with pytest.raises(ScoringError, match="'J1' for entry 'Y' on criterion 'a' must be a finite number"):
        score_contest(contest)


def test_the_input_is_not_modified() -> None:
    contest = published(votes={"X": 1}, recusals=[], weights={"jury": 1, "public": 1}, normalise="z")
    before = json.dumps(contest, sort_keys=True)
    score_contest(contest)
    assert json.dumps(contest, sort_keys=True) == before


def test_output_is_plain_json_types_without_nan() -> None:
    scores = {"J1": {"A": 10, "B": 5}, "J2": {"A": 8}}
    result = score_contest(one_criterion(scores, ["A", "B", "C"], votes={"A": 2}, normalise="z"))
    text = no_nan(result)
    assert json.loads(text) == result
    row = result["entries"]["A"]
    assert (type(row["judges"]), type(row["jury_score"]), type(row["votes"]), type(row["rank"])) == (
        int,
        float,
        int,
        int,
    )
    assert (type(row["public_score"]), type(row["combined"]), type(row["eligible"])) == (float, float, bool)
    assert result["entries"]["B"]["rank"] is None
    assert result["entries"]["C"]["jury_score"] is None
    assert type(result["judges"]["J1"]["complete"]) is int


def test_empty_contest() -> None:
    contest = {"criteria": [{"id": "q", "weight": 1, "scale": [0, 1]}], "entries": [], "judges": [], "normalise": "z"}
    assert score_contest(contest) == {"entries": {}, "judges": {}, "order": [], "incomplete": []}


def test_module_contract() -> None:
    assert set(scoring.__all__) <= set(dir(scoring))
    assert issubclass(ScoringError, ValueError)
    assert set(scoring.NORMALISERS) == {"none", "z"}
    assert "flask" not in scoring.__dict__
    assert "sqlalchemy" not in scoring.__dict__


# --------------------------------------------------------------------------- properties


def reference(contest: dict) -> dict[str, dict[str, Any]]:
    """Rules 2-8 in plain Python, one pair at a time (statistics.pstdev for the population SD)."""
    crit = contest["criteria"]
    total_w = sum(c["weight"] for c in crit)
    totals: dict[tuple[str, str], float] = {}
    for jid in contest["judges"]:
        for eid, row in (contest["scores"].get(jid) or {}).items():
            if all(row.get(c["id"]) is not None for c in crit):
                lo_hi = [(c["scale"][0], c["scale"][1]) for c in crit]
                totals[jid, eid] = (
                    sum(c["weight"] * (row[c["id"]] - lo) / (hi - lo) for c, (lo, hi) in zip(crit, lo_hi, strict=True))
                    / total_w
                )
    normed = dict(totals)
    if contest.get("normalise") == "z" and totals:
        pooled = list(totals.values())
        g_mean, g_sd = statistics.fmean(pooled), statistics.pstdev(pooled)
        for jid in contest["judges"]:
            own = {k: v for k, v in totals.items() if k[0] == jid}
            flat = len(own) < 2 or max(own.values()) - min(own.values()) <= 1e-12
            m = statistics.fmean(own.values()) if own else 0.0
            s = statistics.pstdev(own.values()) if len(own) >= 2 else 0.0
            for key, t in own.items():
                normed[key] = g_mean + g_sd * (0.0 if flat else (t - m) / s)
    votes = {e: contest.get("votes", {}).get(e, 0) for e in contest["entries"]}
    top = max(votes.values(), default=0)
    weights = contest.get("weights") or {"jury": 1, "public": 0}
    out = {}
    for eid in contest["entries"]:
        mine = [v for (j, e), v in normed.items() if e == eid]
        jury = statistics.fmean(mine) if mine else None
        public = votes[eid] / top if top else 0.0
        combined = None if jury is None else weights["jury"] * jury + weights["public"] * public
        out[eid] = {
            "judges": len(mine),
            "jury_score": jury,
            "public_score": public,
            "votes": votes[eid],
            "combined": combined,
            "eligible": len(mine) >= contest.get("min_judges", 2),
        }
    key = {
        e: (round(r["combined"], 12), round(r["jury_score"], 12), r["votes"]) for e, r in out.items() if r["eligible"]
    }
    for eid, row in out.items():
        row["rank"] = 1 + sum(k > key[eid] for k in key.values()) if row["eligible"] else None
    return out


@st.composite
def contests(draw: st.DrawFn) -> dict[str, Any]:
    """Small random contests: integer scales and weights, some pairs unscored, partial or recused."""
    n_crit = draw(st.integers(1, 3))
    criteria = []
    for c in range(n_crit):
        lo = draw(st.integers(-3, 3))
        criteria.append(
            {"id": f"c{c}", "weight": draw(st.integers(1, 4)), "scale": [lo, lo + draw(st.integers(1, 10))]}
        )
    entries = [f"E{e}" for e in range(draw(st.integers(1, 6)))]
    judges = [f"J{j}" for j in range(draw(st.integers(1, 4)))]
    scores: dict[str, dict[str, dict[str, int | None]]] = {}
    recusals = []
    for jid in judges:
        scores[jid] = {}
        for eid in entries:
            kind = draw(st.sampled_from(["full", "full", "full", "partial", "none", "recused"]))
            if kind == "recused":
                recusals.append([jid, eid])
            elif kind != "none":
                row = {c["id"]: draw(st.integers(*c["scale"])) for c in criteria}
                if kind == "partial":
                    row[draw(st.sampled_from(list(row)))] = None
                scores[jid][eid] = row
    return {
        "criteria": criteria,
        "entries": entries,
        "judges": judges,
        "scores": scores,
        "recusals": recusals,
        "votes": {e: draw(st.integers(0, 20)) for e in entries if draw(st.booleans())},
        "weights": draw(
            st.sampled_from([None, {"jury": 1, "public": 0}, {"jury": 0.5, "public": 0.5}, {"jury": 0, "public": 2}])
        ),
        "normalise": draw(st.sampled_from(["none", "z"])),
        "min_judges": draw(st.integers(1, 3)),
    }


def close(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> None:
    assert a.keys() == b.keys()
    for eid in a:
        for name, value in a[eid].items():
            if isinstance(value, float):
                assert b[eid][name] == pytest.approx(value, rel=1e-9, abs=1e-12), (eid, name)
            else:
                assert b[eid][name] == value, (eid, name)


@FAST
@given(contests())
def test_matches_the_plain_python_reference(contest: dict) -> None:
    result = score_contest(contest)
    close(reference(contest), result["entries"])
    no_nan(result)
    ranked = [e for e in result["order"] if result["entries"][e]["rank"] is not None]
    assert sorted(result["order"]) == sorted(contest["entries"])
    assert [result["entries"][e]["rank"] for e in ranked] == sorted(result["entries"][e]["rank"] for e in ranked)


@FAST
@given(contests(), st.randoms(use_true_random=False))
def test_permuting_judges_and_entries_changes_no_score(contest: dict, rnd: random.Random) -> None:
    shuffled = dict(contest)
    shuffled["judges"] = rnd.sample(contest["judges"], len(contest["judges"]))
    shuffled["entries"] = rnd.sample(contest["entries"], len(contest["entries"]))
    shuffled["scores"] = {j: dict(rnd.sample(list(row.items()), len(row))) for j, row in contest["scores"].items()}
    before, after = score_contest(contest), score_contest(shuffled)
    close(before["entries"], after["entries"])
    assert sorted(map(tuple, before["incomplete"])) == sorted(map(tuple, after["incomplete"]))
    close(before["judges"], after["judges"])  # the order of summation may move the last bit


@FAST
@given(contests())
def test_jury_only_weights_give_the_jury_score(contest: dict) -> None:
    result = score_contest({**contest, "weights": {"jury": 1, "public": 0}})
    for row in result["entries"].values():
        assert row["combined"] == row["jury_score"]


@FAST
@given(contests(), st.data())
def test_raising_a_score_never_hurts_the_entry(contest: dict, data: st.DataObject) -> None:
    # Under "none" an entry's jury score depends on its own scores only: raising one of them (within the scale) can
    # only raise its jury score, keeps everybody else's, and cannot worsen its rank.
    contest = {**contest, "normalise": "none"}
    pairs = [
        (j, e, c["id"], c["scale"][1])
        for j, row in contest["scores"].items()
        for e, r in row.items()
        for c in contest["criteria"]
        if r.get(c["id"]) is not None and r[c["id"]] < c["scale"][1]
    ]
    if not pairs:
        return
    jid, eid, cid, hi = data.draw(st.sampled_from(pairs))
    raised = json.loads(json.dumps(contest))
    raised["scores"][jid][eid][cid] = data.draw(st.integers(contest["scores"][jid][eid][cid] + 1, hi))
    before, after = score_contest(contest)["entries"], score_contest(raised)["entries"]
    if before[eid]["jury_score"] is not None:
        assert after[eid]["jury_score"] >= before[eid]["jury_score"]
    if before[eid]["rank"] is not None:
        assert after[eid]["rank"] <= before[eid]["rank"]
    for other in before:
        if other != eid:
            assert after[other]["jury_score"] == before[other]["jury_score"]


@FAST
@given(contests(), st.data())
def test_more_votes_never_hurt_the_entry(contest: dict, data: st.DataObject) -> None:
    eid = data.draw(st.sampled_from(contest["entries"]))
    more = {**contest, "votes": {**contest["votes"], eid: contest["votes"].get(eid, 0) + data.draw(st.integers(1, 30))}}
    before, after = score_contest(contest)["entries"][eid], score_contest(more)["entries"][eid]
    assert after["public_score"] >= before["public_score"]
    if before["rank"] is not None:
        assert after["rank"] <= before["rank"]
