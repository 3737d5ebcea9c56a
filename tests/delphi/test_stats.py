"""Tests for the Delphi statistics engine: spec examples, hand-computed cases, scipy cross-checks and edge cases."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from civic.delphi.stats import DEFAULT_CONFIG, analyse_study, panel_feedback

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------------


def ids(prefix: str, n: int) -> list[str]:
    """Return ids prefix0..prefix{n-1}."""
    return [f"{prefix}{i}" for i in range(n)]


def likert_study(rounds: list[np.ndarray], k: int, **extra: Any) -> dict[str, Any]:
    """Build a Likert study from per-round (panelists x items) int arrays with 0 = missing (as nested lists)."""
    n_p, n_i = rounds[0].shape
    responses = [[[int(v) if v else None for v in row] for row in rnd] for rnd in rounds]
    return {
        "type": "likert",
        "scale": [1, k],
        "items": ids("q", n_i),
        "panelists": ids("p", n_p),
        "responses": responses,
        **extra,
    }


def one_item(values: list[int | None], k: int, **extra: Any) -> dict[str, Any]:
    """Analyse a single Likert item in one round and return its per-round dict."""
    study = {
        "type": "likert",
        "scale": [1, k],
        "items": ["q"],
        "panelists": ids("p", len(values)),
        "responses": [[[v] for v in values]],
        **extra,
    }
    return analyse(study)["per_round"][0]["items"]["q"]


def analyse(study: dict[str, Any]) -> dict[str, Any]:
    """Run analyse_study and insist that the report is strict JSON."""
    report = analyse_study(study)
    json.dumps(report, allow_nan=False)
    return report


def close(a: float | None, b: float, tol: float = 1e-9) -> bool:
    """Absolute float comparison used by the spec (1e-9)."""
    return a is not None and abs(a - b) <= tol


def p_close(a: float | None, b: float) -> bool:
    """p-value comparison used by the spec (relative 1e-7)."""
    return a is not None and math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-300)


def tw_reference(counts: list[int], k: int) -> float:
    """Tastle-Wierman consensus written out in plain Python, independent of the module."""
    n = sum(counts)
    mu = sum((c + 1) * f for c, f in enumerate(counts)) / n
    return 1 + sum(f / n * math.log2(1 - abs(c + 1 - mu) / (k - 1)) for c, f in enumerate(counts) if f)


# --------------------------------------------------------------------------------------------------------------------
# Published reference examples (§5)
# --------------------------------------------------------------------------------------------------------------------


def test_pr1_tastle_wierman_published_frequencies() -> None:
    freqs = [30, 40, 210, 130, 530, 50, 10]
    values = [c + 1 for c, f in enumerate(freqs) for _ in range(f)]
    item = one_item(values, 7)
    assert item["counts"] == freqs
    assert close(item["tw_consensus"], 0.725687614)
    assert abs(item["tw_consensus"] - 0.7256876) < 5e-8  # agrmt docs


PR2 = [
    [4, 1, 1, 2, 1],
    [3, 2, 2, 3, 6],
    [1, 6, 6, 5, 2],
    [5, 3, 3, 6, 5],
    [6, 5, 4, 7, 3],
    [9, 4, 5, 1, 8],
    [8, 8, 8, 4, 4],
    [2, 9, 7, 10, 9],
    [7, 10, 10, 8, 7],
    [11, 11, 9, 9, 10],
    [10, 6, 11, 11, 11],
    [12, 12, 12, 12, 12],
]


def ranking_study(rows: np.ndarray, rounds: int = 1, **extra: Any) -> dict[str, Any]:
    """Build a ranking study whose rows are panelists and columns options (the same answers every round)."""
    rows = np.asarray(rows, dtype=float)
    responses = [[[None if math.isnan(v) else float(v) for v in row] for row in rows] for _ in range(rounds)]
    return {
        "type": "ranking",
        "options": ids("o", rows.shape[1]),
        "panelists": ids("p", rows.shape[0]),
        "responses": responses,
        **extra,
    }


def test_pr2_kendall_w_with_one_tie() -> None:
    raters = np.array(PR2, dtype=float).T  # panelists are the raters
    kw = analyse(ranking_study(raters))["per_round"][0]["kendall_w"]
    assert (kw["m"], kw["n"], kw["T"], kw["df"]) == (5, 12, 6, 11)
    assert kw["S"] == 2627.5
    assert abs(kw["W"] - 0.735479) < 5e-7
    assert abs(kw["W_uncorrected"] - 0.734965) < 5e-7
    assert abs(kw["chi2"] - 40.4514) < 5e-5
    assert math.isclose(kw["p"], 2.9942e-05, rel_tol=5e-5)
    friedman = scipy.stats.friedmanchisquare(*raters.T)
    assert close(kw["chi2"], friedman.statistic)
    assert p_close(kw["p"], friedman.pvalue)


def test_pr3_rand_ipras_bmj_open() -> None:
    item = one_item([4, 5, 6, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 9, 9], 9)
    rand = item["rand"]
    assert item["median"] == 7.0
    for key, want in {"p30": 7, "p70": 8, "ipr": 1, "iprcp": 7.5, "ai": 2.5, "ipras": 6.10}.items():
        assert close(rand[key], want), key
    assert close(rand["di"], 1 / 6.1)
    assert rand["disagreement"] is False
    assert rand["rand_class"] == "appropriate"
    rule = rand["count_rule"]
    assert (rule["n_outside_median_region"], rule["max_outside_for_agreement"], rule["agreement"]) == (3, 4, True)
    assert rand["scale_mapped"] is False


PR4 = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_pr4_fleiss_kappa_wikipedia() -> None:
    # Raters are exchangeable in Fleiss' kappa, so hand out each subject's category counts to raters in order.
    answers = np.zeros((14, 10), dtype=int)
    for item, row in enumerate(PR4):
        answers[:, item] = np.repeat(np.arange(1, 6), row)
    study = {
        "type": "binary",
        "categories": [1, 2, 3, 4, 5],
        "items": ids("s", 10),
        "panelists": ids("r", 14),
        "responses": [answers.tolist()],
    }
    fk = analyse(study)["per_round"][0]["fleiss_kappa"]
    assert abs(fk["p_bar"] - 0.378022) < 5e-7
    assert abs(fk["pe_bar"] - 0.212755) < 5e-7
    assert abs(fk["kappa"] - 0.209931) < 5e-7
    assert (fk["m"], fk["n_items"], fk["label"]) == (14, 10, "slight")
    # z by the spec's Fleiss (1971) variance, and by the 1979 variance that irr::kappam.fleiss uses
    assert abs(fk["z"] - 10.405996955) < 1e-8
    assert p_close(fk["p"], 2 * scipy.stats.norm.sf(fk["z"]))
    assert abs(fk["z_1979"] - 12.374291059) < 1e-8
    assert p_close(fk["p_1979"], 2 * scipy.stats.norm.sf(fk["z_1979"]))


def test_quantiles_are_type_7_not_weibull() -> None:
    item = one_item([1, 2, 3, 3, 4, 4, 4, 4, 5], 5)
    assert (item["q1"], item["median"], item["q3"], item["iqr"]) == (3.0, 4.0, 4.0, 1.0)
    x = np.array([1, 2, 3, 3, 4, 4, 4, 4, 5])
    assert item["iqr"] == scipy.stats.iqr(x)
    assert np.subtract(*np.quantile(x, [0.75, 0.25], method="weibull")) == 1.5  # the rule the spec forbids


def test_wilcoxon_spec_example_four_plus_one_changes() -> None:
    before = [3] * 10
    after = [4, 4, 4, 4, 3, 3, 3, 3, 3, 3]
    study = {
        "type": "likert",
        "scale": [1, 5],
        "items": ["q"],
        "panelists": ids("p", 10),
        "responses": [[[v] for v in before], [[v] for v in after]],
    }
    w = analyse(study)["stability"][0]["items"]["q"]["wilcoxon"]
    assert (w["n_pairs"], w["n_nonzero"], w["T_plus"], w["T_minus"]) == (10, 4, 10.0, 0.0)
    assert close(w["z"], 2.0)
    assert round(w["p"], 4) == 0.0455
    assert p_close(w["p"], 2 * scipy.stats.norm.sf(2.0))


# --------------------------------------------------------------------------------------------------------------------
# Hand-computed small cases
# --------------------------------------------------------------------------------------------------------------------


def test_likert_descriptives_by_hand() -> None:
    item = one_item([1, 2, 2, 3, 5], 5)
    assert item["n"] == 5
    assert item["counts"] == [1, 2, 1, 0, 1]
    assert (item["q1"], item["median"], item["q3"], item["iqr"]) == (2.0, 2.0, 3.0, 1.0)
    assert close(item["mean"], 2.6)
    assert close(item["sd"], math.sqrt(2.3))
    assert close(item["cv"], math.sqrt(2.3) / 2.6)
    assert close(item["pct_agree"], 0.2)
    assert close(item["pct_disagree"], 0.6)
    assert close(item["pct_top_box"], 0.2)
    assert close(item["pct_within1_median"], 0.8)
    assert close(item["tw_consensus"], tw_reference([1, 2, 1, 0, 1], 5))
    assert item["verdict"] == "no_consensus"  # IQR 1 is fine, but neither band reaches 75 %
    assert "rand" not in item  # RAND/UCLA only for 9-point scales unless the preset asks for it


def test_likert_verdicts_default_rule() -> None:
    assert one_item([4, 4, 5, 5, 4, 5, 4, 3], 5)["verdict"] == "consensus_agree"
    assert one_item([1, 2, 1, 2, 2, 1], 5)["verdict"] == "consensus_disagree"
    assert one_item([1, 5, 1, 5, 5, 1], 5)["verdict"] == "no_consensus"  # IQR 4 > 1
    wide = [8, 8, 8, 8, 8, 9, 9, 10, 10, 6, 7, 10]
    assert one_item(wide, 10)["iqr"] <= 2
    assert one_item(wide, 10)["verdict"] == "consensus_agree"


def test_likert_iqr_gate_at_exact_threshold_passes() -> None:
    item = one_item([4, 4, 5, 5, 5, 5, 4, 4], 5)  # q1 4, q3 5: IQR exactly 1
    assert item["iqr"] == 1.0
    assert item["verdict"] == "consensus_agree"
    assert one_item([4, 4, 5, 5, 5, 5, 4, 4], 5, iqr_max=0.5)["verdict"] == "no_consensus"


def test_custom_bands_and_config_override() -> None:
    values = [3, 3, 4, 4, 4, 3]
    assert one_item(values, 5)["pct_agree"] == 0.5
    item = one_item(values, 5, bands={"agree": [3, 5], "disagree": [1, 1]})
    assert item["pct_agree"] == 1.0
    assert item["verdict"] == "consensus_agree"
    report = analyse(
        {
            "type": "likert",
            "scale": [1, 5],
            "items": ["q"],
            "panelists": ids("p", 6),
            "responses": [[[v] for v in values]],
            "config": {"agree_threshold": 0.5},
        }
    )
    assert report["per_round"][0]["items"]["q"]["verdict"] == "consensus_agree"
    assert report["config"]["agree_threshold"] == 0.5
    assert report["config"]["bands"]["agree"] == [4, 5]


def test_comet_preset_and_tw_gate() -> None:
    values = [7, 8, 9, 9, 7, 8, 7, 2, 8, 9]  # 90 % in 7-9, 10 % in 1-3
    assert one_item(values, 9, config={"preset": "comet_70_15"})["verdict"] == "consensus_in"
    values_out = [1, 2, 3, 1, 2, 2, 2, 3, 5, 8]
    assert one_item(values_out, 9, config={"preset": "comet_70_15"})["verdict"] == "consensus_out"
    borderline = [7, 7, 7, 7, 7, 7, 7, 1, 1, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]  # 35 % in, 10 % out
    assert one_item(borderline, 9, config={"preset": "comet_70_15"})["verdict"] == "no_consensus"
    gated = one_item([4, 4, 5, 5, 4, 5, 4, 3], 5, config={"tw_min": 0.99})
    assert gated["tw_consensus"] < 0.99
    assert gated["verdict"] == "no_consensus"


def test_rand_ucla_preset_maps_other_scales() -> None:
    item = one_item([5, 5, 4, 5, 5, 4, 5], 5, config={"preset": "rand_ucla"})
    rand = item["rand"]
    assert rand["scale_mapped"] is True
    assert close(rand["p30"], 1 + 8 * (4.8 - 1) / 4)
    assert close(rand["p70"], 9.0)
    assert item["verdict"] == rand["rand_class"] == "appropriate"
    assert one_item([3, 3, 3, 3, 3, 3], 5, config={"preset": "rand_ucla"})["verdict"] == "uncertain"


def test_rand_disagreement_blocks_consensus_on_9_point() -> None:
    # Under the default thresholds the RAND gate can never fire: IPR <= IQR <= 2 < 2.35 <= IPRAS. With a looser
    # agreement threshold and IQR limit it is the rule that decides.
    values = [1, 1, 1, 1, 9, 9, 9, 9, 9, 9]
    item = one_item(values, 9, config={"agree_threshold": 0.6, "iqr_max": 8})
    assert item["iqr"] == 8.0
    assert item["pct_agree"] == 0.6
    rand = item["rand"]
    assert (rand["p30"], rand["p70"], rand["ipr"], rand["iprcp"], rand["ipras"]) == (1.0, 9.0, 8.0, 5.0, 2.35)
    assert rand["disagreement"] is True
    assert rand["rand_class"] == "uncertain"
    assert item["verdict"] == "no_consensus"
    rule = rand["count_rule"]
    assert (rule["n_low"], rule["n_high"], rule["min_each_for_disagreement"], rule["disagreement"]) == (4, 6, 3, True)
    assert (
        one_item(values, 9, config={"agree_threshold": 0.6, "iqr_max": 8, "preset": "comet_70_15"})["verdict"]
        == "no_consensus"
    )


@pytest.mark.parametrize(
    ("n", "max_out", "min_each"), [(8, 2, 3), (10, 2, 3), (11, 3, 4), (13, 3, 4), (14, 4, 5), (16, 4, 5)]
)
def test_rand_count_rule_reproduces_published_table(n: int, max_out: int, min_each: int) -> None:
    rule = one_item([7] * n, 9)["rand"]["count_rule"]
    assert (rule["max_outside_for_agreement"], rule["min_each_for_disagreement"]) == (max_out, min_each)


def test_kendall_w_likert_items_by_hand() -> None:
    # Three panelists rank three items identically (higher rating = rank 1): perfect concordance.
    rnd = np.array([[5, 3, 1], [4, 2, 1], [5, 4, 2]])
    kw = analyse(likert_study([rnd], 5))["per_round"][0]["kendall_w"]
    assert kw["rank_sums"] == {"q0": 3.0, "q1": 6.0, "q2": 9.0}
    assert (kw["S"], kw["T"], kw["W"], kw["W_uncorrected"]) == (18.0, 0, 1.0, 1.0)
    assert close(kw["chi2"], 6.0)
    assert p_close(kw["p"], math.exp(-3))
    # A tie within one panelist: ranks (1.5, 1.5, 3); T = 2^3 - 2 = 6.
    rnd = np.array([[5, 5, 1], [4, 2, 1], [5, 4, 2]])
    kw = analyse(likert_study([rnd], 5))["per_round"][0]["kendall_w"]
    assert kw["T"] == 6
    assert kw["rank_sums"] == {"q0": 3.5, "q1": 5.5, "q2": 9.0}
    assert close(kw["W"], 12 * kw["S"] / (9 * 24 - 3 * 6))


def test_kendall_w_listwise_deletion_and_degenerate_cases() -> None:
    rnd = np.array([[5, 3, 1], [4, 0, 1], [5, 4, 2]])  # panelist 1 skipped an item
    assert analyse(likert_study([rnd], 5))["per_round"][0]["kendall_w"]["m"] == 2
    flat = np.array([[3, 3, 3], [2, 2, 2]])  # every panelist ties everything: W undefined
    kw = analyse(likert_study([flat], 5))["per_round"][0]["kendall_w"]
    assert kw["W"] is None
    assert kw["chi2"] is None
    assert kw["p"] is None
    assert kw["W_uncorrected"] == 0.0


def test_kendall_w_and_fleiss_skip_items_nobody_was_asked() -> None:
    # q2 closed and was retired after round 2: in round 3 nobody answers it, which must not drop every judge.
    r12 = np.array([[5, 3, 4], [4, 2, 4], [5, 4, 4], [5, 3, 4], [4, 3, 4]])
    r3 = r12.copy()
    r3[:, 2] = 0
    report = analyse(likert_study([r12, r12, r3], 5))
    assert report["stopping"][1]["item_status"]["q2"] == "closed_consensus:consensus_agree"
    kw = report["per_round"][2]["kendall_w"]
    assert (kw["m"], kw["n"], list(kw["rank_sums"])) == (5, 2, ["q0", "q1"])
    assert kw["W"] == 1.0
    yes_no = np.where(r3 > 3, 1.0, np.where(r3 > 0, 0.0, np.nan))
    study = {"type": "binary", "items": ids("y", 3), "panelists": ids("p", 5), "responses": yes_no[None]}
    fk = analyse(study)["per_round"][0]["fleiss_kappa"]
    assert (fk["m"], fk["n_items"]) == (5, 2)


def test_ranking_scores_rank_highest_first_and_labels() -> None:
    scores = np.array([[10, 5, 1], [9, 6, 2], [8, 7, 3], [10, 4, 0], [9, 5, 1]])
    entry = analyse(ranking_study(scores, input_kind="scores"))["per_round"][0]
    assert entry["order"] == ["o0", "o1", "o2"]
    assert entry["options"]["o0"] == {"mean_rank": 1.0, "median_rank": 1.0, "iqr_rank": 0.0}
    assert entry["kendall_w"]["W"] == 1.0
    assert entry["schmidt_label"] == "unusually_strong"
    assert entry["verdict"] == "consensus"


def test_mcnemar_and_wilson_by_hand() -> None:
    before = [0, 0, 0, 0, 0, 1, 1, 1, 0, 1]
    after = [1, 1, 1, 1, 1, 1, 1, 1, 0, 1]
    study = {
        "type": "binary",
        "categories": [0, 1],
        "items": ["y"],
        "panelists": ids("p", 10),
        "responses": [[[v] for v in before], [[v] for v in after]],
    }
    report = analyse(study)
    mc = report["stability"][0]["items"]["y"]["mcnemar_exact"]
    assert (mc["n_pairs"], mc["no_to_yes"], mc["yes_to_no"]) == (10, 5, 0)
    assert p_close(mc["p"], 0.0625)
    item = report["per_round"][1]["items"]["y"]
    assert item["counts"] == [1, 9]
    assert item["mode"] == 1
    assert item["verdict"] == "consensus_1"
    ci = scipy.stats.binomtest(9, 10).proportion_ci(method="wilson")
    assert close(item["p_yes_wilson95"][0], ci.low)
    assert close(item["p_yes_wilson95"][1], ci.high)
    assert report["stability"][0]["items"]["y"]["stable"] is False  # McNemar p < 0.05 and TVD 0.5


def test_categorical_labels_dont_know_and_tied_mode() -> None:
    cats = ["red", "green", "blue"]
    rnd = [["red"], ["red"], ["green"], ["green"], ["blue"], ["dont_know"], ["abstain"], [None]]
    study = {"type": "categorical", "categories": cats, "items": ["c"], "panelists": ids("p", 8), "responses": [rnd]}
    report = analyse(study)
    item = report["per_round"][0]["items"]["c"]
    assert item["counts"] == [2, 2, 1]
    assert item["n"] == 5
    assert item["mode"] is None
    assert close(item["modal_share"], 0.4)
    assert (item["n_dont_know"], item["n_abstain"]) == (1, 1)
    assert item["p_yes_wilson95"] is None
    assert item["verdict"] == "no_consensus"
    assert report["per_round"][0]["responding_panelists"] == 7


def test_numeric_estimates_by_hand() -> None:
    values = [100.0, 110.0, 90.0, 105.0, 95.0, 1000.0]
    study = {"type": "numeric", "items": ["e"], "panelists": ids("p", 6), "responses": [[[v] for v in values]]}
    item = analyse(study)["per_round"][0]["items"]["e"]
    x = np.array(values)
    assert close(item["median"], 102.5)
    assert close(item["iqr"], scipy.stats.iqr(x))
    assert close(item["cv"], x.std(ddof=1) / x.mean())
    assert item["cv"] > 0.5
    assert close(item["riqr"], scipy.stats.iqr(x) / 102.5)
    assert item["verdict"] == "no_consensus"
    study["ratio_scale"] = False
    item = analyse(study)["per_round"][0]["items"]["e"]
    assert item["cv"] is None
    assert item["verdict"] == "no_consensus"


# --------------------------------------------------------------------------------------------------------------------
# Cross-checks against numpy/scipy on random data (hypothesis)
# --------------------------------------------------------------------------------------------------------------------


def likert_rounds(k: int, shape: tuple[int, int]) -> st.SearchStrategy[np.ndarray]:
    """Two rounds of Likert answers 0..k (0 = missing)."""
    return hnp.arrays(np.int8, (2, *shape), elements=st.integers(0, k))


@FAST
@given(data=st.data(), k=st.sampled_from([2, 3, 5, 7, 9, 10]), n_p=st.integers(1, 25), n_i=st.integers(1, 4))
def test_likert_matches_numpy_and_scipy(data: st.DataObject, k: int, n_p: int, n_i: int) -> None:
    answers = data.draw(likert_rounds(k, (n_p, n_i)))
    report = analyse(likert_study(list(answers), k))
    for r in range(2):
        for j, item_id in enumerate(ids("q", n_i)):
            item = report["per_round"][r]["items"][item_id]
            x = answers[r, :, j][answers[r, :, j] > 0].astype(float)
            assert item["n"] == len(x)
            if len(x) == 0:
                assert item["median"] is None
                assert item["tw_consensus"] is None
                assert item["verdict"] == "insufficient"
                continue
            q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75], method="linear")
            assert (item["q1"], item["median"], item["q3"]) == (q1, med, q3)
            assert close(item["iqr"], scipy.stats.iqr(x))
            assert close(item["mean"], x.mean())
            assert item["sd"] is None if len(x) < 2 else close(item["sd"], x.std(ddof=1))
            counts = np.bincount(x.astype(int), minlength=k + 1)[1:].tolist()
            assert item["counts"] == counts
            assert close(item["tw_consensus"], 1.0 if np.count_nonzero(counts) == 1 else tw_reference(counts, k))
            assert close(item["pct_within1_median"], np.mean(np.abs(x - med) <= 1))
            if k == 9:
                p30, p70 = np.quantile(x, [0.3, 0.7], method="linear")
                assert close(item["rand"]["p30"], p30)
                assert close(item["rand"]["p70"], p70)


def check_wilcoxon(block: dict[str, Any], prev: np.ndarray, nxt: np.ndarray) -> None:
    """Compare one Wilcoxon block with scipy.stats.wilcoxon(method="asymptotic") on the paired answers."""
    d = nxt - prev
    assert block["n_pairs"] == len(d)
    nonzero = d[d != 0]
    assert block["n_nonzero"] == len(nonzero)
    if len(d) == 0:
        assert block["p"] is None
        assert block["z"] is None
        return
    if len(nonzero) == 0:
        assert block["p"] == 1.0
        assert block["T_plus"] == 0.0
        assert block["z"] == 0.0
        return
    ranks = scipy.stats.rankdata(np.abs(nonzero))
    assert close(block["T_plus"], ranks[nonzero > 0].sum())
    assert close(block["T_minus"], ranks[nonzero < 0].sum())
    ref = scipy.stats.wilcoxon(
        prev, nxt, zero_method="wilcox", correction=False, alternative="two-sided", method="asymptotic"
    )
    assert p_close(block["p"], ref.pvalue)
    assert close(abs(block["z"]), abs(ref.zstatistic))
    assert (block["z"] > 0) == (block["T_plus"] > len(nonzero) * (len(nonzero) + 1) / 4) or block["z"] == 0


@FAST
@given(data=st.data(), k=st.sampled_from([3, 5, 9]), n_p=st.integers(2, 30), n_i=st.integers(1, 3))
def test_likert_stability_matches_scipy(data: st.DataObject, k: int, n_p: int, n_i: int) -> None:
    answers = data.draw(likert_rounds(k, (n_p, n_i)))
    trans = analyse(likert_study(list(answers), k))["stability"][0]["items"]
    for j, item_id in enumerate(ids("q", n_i)):
        item = trans[item_id]
        a, b = answers[0, :, j], answers[1, :, j]
        paired = (a > 0) & (b > 0)
        prev, nxt = a[paired].astype(float), b[paired].astype(float)
        check_wilcoxon(item["wilcoxon"], prev, nxt)
        if paired.sum() == 0:
            assert item["tvd"] is None
            assert item["stable"] is False
            continue
        hist = [np.bincount(v.astype(int), minlength=k + 1)[1:] / len(v) for v in (prev, nxt)]
        assert close(item["tvd"], 0.5 * np.abs(hist[0] - hist[1]).sum())
        assert close(item["pct_changed"], np.mean(prev != nxt))
        assert close(item["mean_abs_change"], np.mean(np.abs(nxt - prev)))
        table = np.array([np.bincount(v.astype(int), minlength=k + 1)[1:] for v in (prev, nxt)])
        table = table[:, table.sum(axis=0) > 0]
        ref = scipy.stats.chi2_contingency(table, correction=False)
        assert close(item["chi2_change"]["chi2"], ref.statistic)
        assert p_close(item["chi2_change"]["p"], ref.pvalue)
        dropped = a[(a > 0) & (b == 0)].astype(float)
        if len(dropped):
            mwu = scipy.stats.mannwhitneyu(dropped, prev, method="asymptotic")
            assert close(item["attrition_mwu"]["U"], mwu.statistic)
            assert p_close(item["attrition_mwu"]["p"], mwu.pvalue)
        else:
            assert item["attrition_mwu"]["p"] is None


@FAST
@given(data=st.data(), n_p=st.integers(2, 30), n_i=st.integers(1, 3))
def test_numeric_matches_numpy_and_scipy(data: st.DataObject, n_p: int, n_i: int) -> None:
    values = st.one_of(st.just(np.nan), st.integers(1, 8).map(float), st.floats(0.5, 1000, allow_nan=False))
    answers = data.draw(hnp.arrays(np.float64, (2, n_p, n_i), elements=values))
    study = {"type": "numeric", "items": ids("e", n_i), "panelists": ids("p", n_p), "responses": answers}
    report = analyse(study)
    for j, item_id in enumerate(ids("e", n_i)):
        for r in range(2):
            item = report["per_round"][r]["items"][item_id]
            x = answers[r, :, j][~np.isnan(answers[r, :, j])]
            assert item["n"] == len(x)
            if len(x):
                assert np.allclose(
                    [item["q1"], item["median"], item["q3"]],
                    np.quantile(x, [0.25, 0.5, 0.75], method="linear"),
                    rtol=1e-12,
                    atol=1e-9,
                )
                assert math.isclose(item["mean"], x.mean(), rel_tol=1e-12)
            if len(x) > 1:
                assert math.isclose(item["cv"], x.std(ddof=1) / x.mean(), rel_tol=1e-9, abs_tol=1e-12)
        paired = ~np.isnan(answers[0, :, j]) & ~np.isnan(answers[1, :, j])
        check_wilcoxon(
            report["stability"][0]["items"][item_id]["wilcoxon"], answers[0, paired, j], answers[1, paired, j]
        )


@FAST
@given(data=st.data(), m=st.integers(1, 12), n=st.integers(3, 8), scores=st.booleans())
def test_ranking_w_matches_friedman(data: st.DataObject, m: int, n: int, scores: bool) -> None:
    answers = data.draw(hnp.arrays(np.float64, (2, m, n), elements=st.integers(1, n).map(float)))
    study = {
        "type": "ranking",
        "options": ids("o", n),
        "panelists": ids("p", m),
        "responses": answers,
        "input_kind": "scores" if scores else "ranks",
    }
    report = analyse(study)
    for r in range(2):
        kw = report["per_round"][r]["kendall_w"]
        tied_rows = all(len(set(row)) == 1 for row in answers[r])
        if tied_rows:
            assert kw["W"] is None
            continue
        ref = scipy.stats.friedmanchisquare(*answers[r].T)
        assert math.isclose(kw["chi2"], ref.statistic, rel_tol=1e-9, abs_tol=1e-9)
        assert p_close(kw["p"], ref.pvalue) or abs(kw["p"] - ref.pvalue) < 1e-12
    ranks = [scipy.stats.rankdata(-a if scores else a, axis=1) for a in answers]
    trans = report["stability"][0]
    for j, option in enumerate(ids("o", n)):
        check_wilcoxon(trans["wilcoxon_per_option"][option], ranks[0][:, j], ranks[1][:, j])
    means = [r.mean(axis=0) for r in ranks]
    if np.ptp(means[0]) > 0 and np.ptp(means[1]) > 0:
        ref = scipy.stats.spearmanr(means[0], means[1])
        assert close(trans["spearman_mean_ranks"]["rho"], ref.statistic)


@FAST
@given(data=st.data(), m=st.integers(2, 30), n_i=st.integers(2, 12))
def test_likert_w_over_items_matches_friedman(data: st.DataObject, m: int, n_i: int) -> None:
    answers = data.draw(hnp.arrays(np.int8, (1, m, n_i), elements=st.integers(1, 5)))
    kw = analyse(likert_study(list(answers), 5))["per_round"][0]["kendall_w"]
    if all(len(set(row)) == 1 for row in answers[0]):
        assert kw["W"] is None
        return
    x = answers[0].astype(float)
    if n_i >= 3:
        ref = scipy.stats.friedmanchisquare(*x.T)
        assert math.isclose(kw["chi2"], ref.statistic, rel_tol=1e-9, abs_tol=1e-9)
    ranks = scipy.stats.rankdata(-x, axis=1)
    assert np.allclose(list(kw["rank_sums"].values()), ranks.sum(axis=0), rtol=0, atol=1e-9)


@FAST
@given(data=st.data(), n_p=st.integers(1, 30), n_i=st.integers(1, 3))
def test_binary_matches_scipy(data: st.DataObject, n_p: int, n_i: int) -> None:
    answers = data.draw(hnp.arrays(np.float64, (2, n_p, n_i), elements=st.sampled_from([np.nan, 0.0, 1.0])))
    study = {
        "type": "binary",
        "categories": [0, 1],
        "items": ids("y", n_i),
        "panelists": ids("p", n_p),
        "responses": answers,
    }
    report = analyse(study)
    for j, item_id in enumerate(ids("y", n_i)):
        x = answers[1, :, j][~np.isnan(answers[1, :, j])]
        item = report["per_round"][1]["items"][item_id]
        if len(x):
            ci = scipy.stats.binomtest(int(x.sum()), len(x)).proportion_ci(method="wilson")
            assert close(item["p_yes_wilson95"][0], ci.low)
            assert close(item["p_yes_wilson95"][1], ci.high)
        paired = ~np.isnan(answers[0, :, j]) & ~np.isnan(answers[1, :, j])
        a, b = answers[0, paired, j], answers[1, paired, j]
        yes_no, no_yes = int(((a == 1) & (b == 0)).sum()), int(((a == 0) & (b == 1)).sum())
        mc = report["stability"][0]["items"][item_id]["mcnemar_exact"]
        assert (mc["no_to_yes"], mc["yes_to_no"]) == (no_yes, yes_no)
        if paired.any():
            want = 1.0 if yes_no + no_yes == 0 else scipy.stats.binomtest(min(yes_no, no_yes), yes_no + no_yes).pvalue
            assert p_close(mc["p"], want)


@FAST
@given(data=st.data(), m=st.integers(2, 20), n_i=st.integers(1, 8), k=st.integers(2, 4))
def test_fleiss_kappa_matches_reference_formula(data: st.DataObject, m: int, n_i: int, k: int) -> None:
    answers = data.draw(hnp.arrays(np.float64, (1, m, n_i), elements=st.integers(0, k - 1).map(float)))
    study = {
        "type": "binary",
        "categories": list(range(k)),
        "items": ids("y", n_i),
        "panelists": ids("p", m),
        "responses": answers,
    }
    fk = analyse(study)["per_round"][0]["fleiss_kappa"]
    # Straight transcription of Fleiss (1971) with loops.
    nij = [[int((answers[0, :, i] == c).sum()) for c in range(k)] for i in range(n_i)]
    p_bar = sum((sum(v * v for v in row) - m) / (m * (m - 1)) for row in nij) / n_i
    pj = [sum(row[c] for row in nij) / (n_i * m) for c in range(k)]
    pe = sum(p * p for p in pj)
    assert close(fk["p_bar"], p_bar)
    assert close(fk["pe_bar"], pe)
    if pe >= 1 - 1e-12:
        assert fk["kappa"] is None
        assert fk["z"] is None
        return
    kappa = (p_bar - pe) / (1 - pe)
    assert close(fk["kappa"], kappa)
    var = 2 / (n_i * m * (m - 1)) * (pe - (2 * m - 3) * pe**2 + 2 * (m - 2) * sum(p**3 for p in pj)) / (1 - pe) ** 2
    if var > 0:
        assert close(fk["z"], kappa / math.sqrt(var))
        assert p_close(fk["p"], 2 * scipy.stats.norm.sf(abs(fk["z"])))


@FAST
@given(
    data=st.data(),
    k=st.sampled_from([2, 5, 9]),
    rounds=st.integers(0, 4),
    n_p=st.integers(0, 12),
    n_i=st.integers(0, 3),
    retire=st.booleans(),
)
def test_any_likert_study_gives_strict_json(
    data: st.DataObject, k: int, rounds: int, n_p: int, n_i: int, retire: bool
) -> None:
    answers = data.draw(hnp.arrays(np.int8, (rounds, n_p, n_i), elements=st.integers(0, k)))
    study = {
        "type": "likert",
        "scale": [1, k],
        "items": ids("q", n_i),
        "panelists": ids("p", n_p),
        "responses": answers,
        "config": {"retire_closed_items": retire, "n_min": 2},
    }
    report = analyse(study)
    assert len(report["per_round"]) == len(report["stopping"]) == rounds
    assert len(report["stability"]) == max(rounds - 1, 0)


# --------------------------------------------------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------------------------------------------------


def test_round_without_answers() -> None:
    study = {
        "type": "likert",
        "scale": [1, 5],
        "items": ["q"],
        "panelists": ids("p", 3),
        "responses": [[None, None, [None]]],
    }
    report = analyse(study)
    item = report["per_round"][0]["items"]["q"]
    assert item["n"] == 0
    assert item["counts"] == [0] * 5
    for key in ("median", "mean", "sd", "iqr", "cv", "pct_agree", "tw_consensus"):
        assert item[key] is None, key
    assert item["display_suppressed"] is True
    assert item["verdict"] == "insufficient"
    assert report["per_round"][0]["responding_panelists"] == 0
    assert report["stopping"][0]["response_rate"] == 0.0


def test_study_without_rounds_or_items() -> None:
    report = analyse({"type": "likert", "scale": [1, 5], "items": [], "panelists": [], "responses": []})
    assert report["per_round"] == report["stability"] == report["stopping"] == []
    report = analyse({"type": "binary", "items": [], "panelists": ids("p", 2), "responses": [[[], []]]})
    assert report["per_round"][0]["fleiss_kappa"]["kappa"] is None


def test_one_answer() -> None:
    item = one_item([4], 5)
    assert (item["n"], item["median"], item["iqr"], item["mean"], item["tw_consensus"]) == (1, 4.0, 0.0, 4.0, 1.0)
    assert item["sd"] is None
    assert item["cv"] is None
    assert item["display_suppressed"] is True
    assert item["verdict"] == "insufficient"
    assert panel_feedback(item) is None


def test_unanimity() -> None:
    item = one_item([5] * 8, 5)
    assert (item["iqr"], item["sd"], item["tw_consensus"], item["pct_top_box"]) == (0.0, 0.0, 1.0, 1.0)
    assert item["verdict"] == "consensus_agree"
    assert panel_feedback(item) == {
        key: item[key]
        for key in ("n", "median", "q1", "q3", "iqr", "counts", "pct_agree", "pct_disagree", "tw_consensus")
    }


def test_full_polarisation() -> None:
    item = one_item([1] * 6 + [9] * 6, 9)
    assert item["tw_consensus"] == 0.0
    assert item["median"] == 5.0
    assert item["iqr"] == 8.0
    assert item["rand"]["disagreement"] is True
    assert item["rand"]["count_rule"]["disagreement"] is True
    assert item["verdict"] == "no_consensus"


def test_attrition_paired_vs_available_tvd_and_late_joiner() -> None:
    # p5 leaves after round 1 (answer 1) and p6 joins in round 2 (answer 5): stayers keep their answers.
    r1 = [[4], [4], [5], [5], [4], [1], None]
    r2 = [[4], [4], [5], [5], [4], None, [5]]
    study = {"type": "likert", "scale": [1, 5], "items": ["q"], "panelists": ids("p", 7), "responses": [r1, r2]}
    report = analyse(study)
    tr = report["stability"][0]["items"]["q"]
    assert tr["n_pairs"] == 5
    assert tr["tvd"] == 0.0
    assert tr["pct_changed"] == 0.0
    assert close(tr["tvd_all_available"], 0.5 * (abs(1 / 6 - 0) + abs(2 / 6 - 2 / 6) + abs(2 / 6 - 3 / 6) + 0))
    assert tr["wilcoxon"]["p"] == 1.0
    assert tr["stable"] is True
    assert tr["attrition_mwu"]["n_dropouts"] == 1
    assert tr["attrition_mwu"]["n_stayers"] == 5
    assert report["stopping"][1]["item_status"]["q"] == "closed_consensus:consensus_agree"
    assert report["stopping"][1]["decision"] == "stop_all_items_closed"
    assert [s["response_rate"] for s in report["stopping"]] == [6 / 7, 6 / 7]


def test_below_n_min_is_suppressed_and_does_not_block_stopping() -> None:
    rounds = [np.array([[4, 5], [4, 0], [5, 0], [5, 4], [4, 0], [4, 0]]) for _ in range(2)]
    report = analyse(likert_study(rounds, 5))
    small = report["per_round"][1]["items"]["q1"]
    assert small["n"] == 2
    assert small["display_suppressed"] is True
    assert small["verdict"] == "insufficient"
    assert small["median"] == 4.5  # computed for the organiser, just not displayed
    assert report["stopping"][1]["item_status"] == {"q0": "closed_consensus:consensus_agree", "q1": "insufficient_data"}
    assert report["stopping"][1]["decision"] == "stop_all_items_closed"


def stopping_study(rounds: list[list[int | None]], **config: Any) -> dict[str, Any]:
    """One Likert item on 1..5 over several rounds (None = no answer) with config overrides."""
    n = len(rounds[0])
    return {
        "type": "likert",
        "scale": [1, 5],
        "items": ["q"],
        "panelists": ids("p", n),
        "responses": [[[v] for v in rnd] for rnd in rounds],
        "config": config,
    }


def test_stopping_continue_then_max_rounds_with_unconfirmed() -> None:
    r1 = [1, 1, 2, 2, 5, 5, 4, 4, 3, 3]
    r2 = [5, 5, 5, 5, 1, 1, 1, 1, 5, 5]
    r3 = [1, 1, 1, 1, 5, 5, 5, 5, 1, 1]
    report = analyse(stopping_study([r1, r2, r3]))
    assert [s["decision"] for s in report["stopping"]] == ["continue", "continue", "stop_max_rounds"]
    assert report["stopping"][2]["unconfirmed"] == {"q": "no_consensus"}
    assert report["stopping"][2]["item_status"] == {"q": "open"}


def test_stopping_consensus_not_yet_stable_stays_open_and_flip() -> None:
    r1 = [1, 1, 1, 1, 1, 1, 1, 1, 2, 3]  # consensus_disagree
    r2 = [5, 5, 5, 5, 5, 5, 5, 5, 4, 3]  # flips to consensus_agree: not stable
    report = analyse(stopping_study([r1, r2]))
    assert report["stopping"][0]["item_status"] == {"q": "open:consensus_disagree"}
    assert report["stability"][0]["items"]["q"]["stable"] is False
    assert report["stopping"][1]["item_status"] == {"q": "open:consensus_agree"}


def test_stopping_stable_dissensus_and_retirement() -> None:
    r = [1, 1, 5, 5, 3, 3, 2, 4, 1, 5]
    report = analyse(stopping_study([r, r, [None] * 10]))
    assert report["stopping"][1]["item_status"] == {"q": "closed_stable_dissensus"}
    assert report["stopping"][1]["decision"] == "stop_all_items_closed"
    assert report["stopping"][2]["item_status"] == {"q": "closed_stable_dissensus"}  # retired, not re-opened
    report = analyse(stopping_study([r, r, [None] * 10], retire_closed_items=False))
    assert report["stopping"][2]["item_status"] == {"q": "insufficient_data"}


def test_stopping_min_rounds_and_pause_low_response_rate() -> None:
    r1 = [1, 1, 5, 5, 3, 3, 2, 4, 1, 5]
    r2 = [5, 5, 5, 5, 5, 5, None, None, None, None]  # 60 % responded, answers moved (paired TVD 2/3)
    report = analyse(stopping_study([r1, r1], min_rounds=3, max_rounds=5))
    assert report["stopping"][1]["decision"] == "continue"
    assert report["stopping"][1]["item_status"] == {"q": "open"}
    report = analyse(stopping_study([r1, r2], max_rounds=5))
    assert report["stopping"][1]["response_rate"] == 0.6
    assert report["stopping"][1]["item_status"] == {"q": "open:consensus_agree"}
    assert report["stopping"][1]["decision"] == "pause_low_response_rate"
    assert [s["low_response_rate"] for s in report["stopping"]] == [False, True]


def test_symmetric_swap_counts_as_stable_per_spec() -> None:
    # Two panelists move 1 -> 5 and two move 5 -> 1: Wilcoxon p = 1 and the paired TVD is 0, so the spec's rule
    # calls the item stable although 4 of 6 answers changed (pct_changed shows it; see docs/delphi-stats.md).
    r1 = [1, 1, 5, 5, 3, 3]
    r2 = [5, 5, 1, 1, 3, 3]
    tr = analyse(stopping_study([r1, r2]))["stability"][0]["items"]["q"]
    assert (tr["wilcoxon"]["p"], tr["tvd"], tr["stable"]) == (1.0, 0.0, True)
    assert close(tr["pct_changed"], 4 / 6)


def test_numeric_stability_rule() -> None:
    r1 = [100.0, 102.0, 98.0, 101.0, 99.0, 100.0]
    r2 = [100.0, 101.0, 99.0, 101.0, 99.0, 100.0]
    study = {
        "type": "numeric",
        "items": ["e"],
        "panelists": ids("p", 6),
        "responses": [[[v] for v in r1], [[v] for v in r2]],
    }
    report = analyse(study)
    tr = report["stability"][0]["items"]["e"]
    assert tr["rel_median_change"] == 0.0
    assert abs(tr["delta_cv"]) < 0.1
    assert tr["tvd"] is None
    assert tr["stable"] is True
    assert report["stopping"][1]["item_status"] == {"e": "closed_consensus:consensus"}


def test_ranking_schmidt_rule_consensus_and_plateau() -> None:
    agree = np.array([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 4, 3], [1, 2, 3, 4], [2, 1, 3, 4]], dtype=float)
    report = analyse(ranking_study(agree, rounds=2))
    assert [s["decision"] for s in report["stopping"]] == ["continue", "stop_consensus"]
    assert report["stopping"][1]["item_status"] == {"ranking": "closed_consensus:consensus"}
    weak = np.array([[1, 2, 3, 4], [4, 3, 2, 1], [2, 1, 4, 3], [3, 4, 1, 2], [1, 3, 2, 4]], dtype=float)
    report = analyse(ranking_study(weak, rounds=2, id="priorities"))
    assert report["stability"][0]["delta_W"] == 0.0
    assert report["stability"][0]["stable"] is True
    assert report["stopping"][1]["decision"] == "stop_w_plateau"
    assert report["stopping"][1]["item_status"] == {"priorities": "closed_stable_dissensus"}


def test_mixed_study_merges_items_and_combines_stopping() -> None:
    likert = [4, 4, 5, 5, 4, 5]
    binary = [1, 1, 1, 1, 1, 0]
    ranks = [[1, 2, 3], [1, 2, 3], [1, 3, 2], [1, 2, 3], [2, 1, 3], [1, 2, 3]]
    rows = [{"q": likert[p], "y": binary[p], "a": ranks[p][0], "b": ranks[p][1], "c": ranks[p][2]} for p in range(6)]
    study = {
        "type": "mixed",
        "panelists": ids("p", 6),
        "parts": [
            {"id": "opinions", "type": "likert", "scale": [1, 5], "items": ["q"]},
            {"id": "vote", "type": "binary", "items": ["y"]},
            {"id": "priorities", "type": "ranking", "options": ["a", "b", "c"]},
        ],
        "responses": [rows, rows],
    }
    report = analyse(study)
    assert report["parts"] == {"opinions": "likert", "vote": "binary", "priorities": "ranking"}
    first = report["per_round"][0]
    assert set(first["items"]) == {"q", "y"}
    assert first["items"]["q"]["verdict"] == "consensus_agree"
    assert first["parts"]["priorities"]["kendall_w"]["m"] == 6
    assert "fleiss_kappa" in first["parts"]["vote"]
    stop = report["stopping"][1]
    assert stop["item_status"]["q"] == "closed_consensus:consensus_agree"
    assert stop["item_status"]["y"] == "closed_consensus:consensus_1"  # 5 of 6 say yes, unchanged
    assert stop["part_decisions"]["priorities"] in ("stop_consensus", "stop_w_plateau")
    assert stop["decision"] == "stop_all_items_closed"
    # list rows follow the concatenated part order and must give the same report
    list_rows = [[likert[p], binary[p], *ranks[p]] for p in range(6)]
    assert analyse({**study, "responses": [list_rows, list_rows]}) == report


def test_array_and_nested_input_agree() -> None:
    rng = np.random.default_rng(7)
    answers = rng.integers(0, 6, size=(3, 15, 4)).astype(np.int8)
    nested = analyse(likert_study(list(answers), 5))
    as_array = analyse({**likert_study(list(answers), 5), "responses": answers})
    assert nested == as_array


def test_invalid_inputs_raise() -> None:
    base = {"type": "likert", "scale": [1, 5], "items": ["q"], "panelists": ["p"], "responses": [[[6]]]}
    with pytest.raises(ValueError, match="integers in 1..5"):
        analyse_study(base)
    with pytest.raises(ValueError, match="unknown config"):
        analyse_study({**base, "responses": [[[3]]], "config": {"n_mni": 3}})
    with pytest.raises(ValueError, match="type must be"):
        analyse_study({**base, "type": "slider"})
    with pytest.raises(ValueError, match="unexpected text"):
        analyse_study({**base, "responses": [[["maybe"]]]})
    with pytest.raises(ValueError, match="unknown items"):
        analyse_study({**base, "responses": [[{"zz": 3}]]})
    with pytest.raises(ValueError, match="categories"):
        analyse_study({"type": "binary", "items": ["y"], "panelists": ["p"], "responses": [[[2]]]})


def test_default_config_matches_spec() -> None:
    expected = {
        "n_min": 5,
        "agree_threshold": 0.75,
        "modal_threshold": 0.75,
        "cv_max": 0.5,
        "w_min": 0.7,
        "alpha": 0.05,
        "tvd_max": 0.15,
        "rel_median_change_max": 0.15,
        "cv_change_max": 0.10,
        "delta_w_max": 0.05,
        "min_rounds": 2,
        "max_rounds": 3,
        "min_response_rate": 0.70,
        "tw_min": None,
        "preset": "default",
        "retire_closed_items": True,
    }
    assert {key: DEFAULT_CONFIG[key] for key in expected} == expected


# --------------------------------------------------------------------------------------------------------------------
# Decisions added after the first release (spec §7), each on data built by hand
# --------------------------------------------------------------------------------------------------------------------


def test_round_that_lost_its_panel_pauses_instead_of_closing() -> None:
    # 3 of 10 answer round 2: the item is insufficient_data and no item is open, but the round lost its panel.
    r1 = [4, 4, 5, 5, 4, 2, 3, 1, 5, 2]
    r2 = [4, 4, 5, None, None, None, None, None, None, None]
    stop = analyse(stopping_study([r1, r2], max_rounds=5))["stopping"][1]
    assert stop["item_status"] == {"q": "insufficient_data"}
    assert stop["response_rate"] == 0.3
    assert stop["low_response_rate"] is True
    assert stop["decision"] == "pause_low_response_rate"
    # the same at the round limit: a lost panel never reads "all items closed"
    stop = analyse(stopping_study([r1, r2], max_rounds=2))["stopping"][1]
    assert stop["decision"] == "pause_low_response_rate"


def test_low_response_rate_with_every_item_closed_still_stops() -> None:
    # 6 of 10 answer both rounds with the same answers: the item closes (n = 6 >= n_min) and nothing is insufficient.
    r = [4, 4, 5, 5, 4, 5, None, None, None, None]
    stop = analyse(stopping_study([r, r], max_rounds=5))["stopping"][1]
    assert stop["item_status"] == {"q": "closed_consensus:consensus_agree"}
    assert stop["low_response_rate"] is True
    assert stop["decision"] == "stop_all_items_closed"


def test_mixed_study_with_a_lost_panel_pauses() -> None:
    rows1 = [{"q": 4, "y": 1} for _ in range(8)]
    rows2 = [{"q": 4, "y": 1} if p < 2 else None for p in range(8)]
    study = {
        "type": "mixed",
        "panelists": ids("p", 8),
        "parts": [
            {"id": "opinions", "type": "likert", "scale": [1, 5], "items": ["q"]},
            {"id": "vote", "type": "binary", "items": ["y"]},
        ],
        "responses": [rows1, rows2],
        "config": {"max_rounds": 5},
    }
    stop = analyse(study)["stopping"][1]
    assert stop["item_status"] == {"q": "insufficient_data", "y": "insufficient_data"}
    assert stop["decision"] == "pause_low_response_rate"


def test_wilcoxon_without_any_change_has_z_zero() -> None:
    r = [1, 2, 3, 4, 5, 5]
    w = analyse(stopping_study([r, r]))["stability"][0]["items"]["q"]["wilcoxon"]
    assert w == {"n_pairs": 6, "n_nonzero": 0, "T_plus": 0.0, "T_minus": 0.0, "z": 0.0, "p": 1.0}
    # numeric items take the float path and give the same answer
    values = [[[100.0]], [[90.0]], [[110.0]], [[105.0]], [[95.0]]]
    study = {"type": "numeric", "items": ["e"], "panelists": ids("p", 5), "responses": [values, values]}
    w = analyse(study)["stability"][0]["items"]["e"]["wilcoxon"]
    assert (w["n_nonzero"], w["z"], w["p"]) == (0, 0.0, 1.0)
    # z stays None when nobody answered in both rounds
    w = analyse(stopping_study([[3, 3, None, None], [None, None, 3, 3]]))["stability"][0]["items"]["q"]["wilcoxon"]
    assert (w["n_pairs"], w["z"], w["p"]) == (0, None, None)


def yes_no_study(rounds: list[list[str | None]], categories: tuple[str, ...] = ("no", "yes")) -> dict[str, Any]:
    """One yes/no (or categorical) item over several rounds, one cell per panelist."""
    return {
        "type": "binary",
        "categories": list(categories),
        "items": ["y"],
        "panelists": ids("p", len(rounds[0])),
        "responses": [[[v] for v in rnd] for rnd in rounds],
    }


def test_yes_no_stability_codes_answers_zero_one() -> None:
    before = ["yes", "yes", "no", "no", "yes", "no"]  # coded 1 1 0 0 1 0: median 0.5, Q1 0, Q3 1
    after = ["yes", "yes", "yes", "yes", "yes", "no"]  # coded 1 1 1 1 1 0: median 1, Q1 1 (h = 1.25), Q3 1
    tr = analyse(yes_no_study([before, after]))["stability"][0]["items"]["y"]
    assert close(tr["pct_changed"], 2 / 6)
    assert close(tr["mean_abs_change"], 2 / 6)  # two of six changed their answer
    assert tr["delta_median"] == 0.5
    assert tr["delta_iqr"] == -1.0
    assert tr["mcnemar_exact"]["no_to_yes"] == 2
    # nobody changed: the mean absolute change is 0, not None
    tr = analyse(yes_no_study([before, before]))["stability"][0]["items"]["y"]
    assert (tr["mean_abs_change"], tr["delta_median"], tr["delta_iqr"]) == (0.0, 0.0, 0.0)
    # categorical items with more than two categories have no 0/1 coding
    cats = ("red", "green", "blue")
    tr = analyse(yes_no_study([["red"] * 5, ["blue"] * 5], cats))["stability"][0]["items"]["y"]
    assert tr["pct_changed"] == 1.0
    assert (tr["mean_abs_change"], tr["delta_median"], tr["delta_iqr"]) == (None, None, None)


def test_yes_no_mode_is_none_on_a_tie() -> None:
    item = analyse(yes_no_study([["yes", "no", "yes", "no", "yes", "no"]]))["per_round"][0]["items"]["y"]
    assert item["counts"] == [3, 3]
    assert item["mode"] is None
    assert item["modal_share"] == 0.5
    assert item["verdict"] == "no_consensus"
    item = analyse(yes_no_study([["yes", "no", "yes", "yes", "yes", "yes"]]))["per_round"][0]["items"]["y"]
    assert (item["mode"], item["verdict"]) == ("yes", "consensus_yes")


def test_scores_give_rank_one_to_the_highest_score() -> None:
    scores = np.array([[30, 20, 10], [9, 8, 7], [5, 5, 1], [1, 2, 3], [10, 0, 5]], dtype=float)
    # ranks by row, highest score first: (1,2,3) (1,2,3) (1.5,1.5,3) (3,2,1) (1,3,2)
    entry = analyse(ranking_study(scores, input_kind="scores"))["per_round"][0]
    assert entry["kendall_w"]["rank_sums"] == {"o0": 7.5, "o1": 10.5, "o2": 12.0}
    assert entry["kendall_w"]["T"] == 6  # one tie of two: 2^3 - 2
    assert entry["order"] == ["o0", "o1", "o2"]
    assert entry["options"]["o0"]["mean_rank"] == 1.5
    # the same numbers read as ranks reverse the order; W does not depend on the direction
    as_ranks = analyse(ranking_study(scores, input_kind="ranks"))["per_round"][0]
    assert as_ranks["order"] == ["o2", "o1", "o0"]
    assert close(as_ranks["kendall_w"]["W"], entry["kendall_w"]["W"])
