"""Likert items (§1.1): descriptives, Tastle-Wierman, Kendall's W over items, stability and verdicts."""

from __future__ import annotations

from typing import Any

import numpy as np

from civic.delphi.stats.agreement import _kendall
from civic.delphi.stats.common import TOL, Array, Json, _ge, _is_consensus, _le, _mask, _nested, _rows
from civic.delphi.stats.kernels import (
    _asked,
    _category_counts,
    _change_columns,
    _count_quantiles,
    _deltas,
    _paired_counts,
    _row_counts,
    _tvd,
)
from civic.delphi.stats.parsing import _Study
from civic.delphi.stats.rand_ucla import _rand_columns
from civic.delphi.stats.significance import _chi2_change, _mwu_counts, _spearman, _wilcoxon_tallies


def _likert_round(st: _Study, r: int) -> tuple[Json, dict[str, Array]]:
    """Descriptives, Tastle-Wierman, RAND/UCLA and verdict per Likert item, plus Kendall's W across items."""
    codes = st.data[r]
    f = _category_counts(codes, st.k)[:, 1:].astype(np.float64)
    cols = _likert_columns(f, st)
    if st.rand:
        cols["rand"] = _rand_columns(f, cols["median"], st.k)
    cols["n_dont_know"], cols["n_abstain"] = st.dont_know[r], st.abstain[r]
    raw = {"f": f, "median": cols["median"], "iqr": cols["iqr"], "cv": cols["cv"], "mean": cols["mean"]}
    items = _rows(st.ids, cols)
    for item in items.values():
        item["verdict"] = _likert_verdict(item, st)
    return {"items": items, "kendall_w": _likert_kendall(codes, st)}, raw


def _likert_columns(f: Array, st: _Study) -> dict[str, Any]:
    """Per-item Likert statistics computed from the count matrix f[item, c-1]."""
    values = np.arange(1, st.k + 1, dtype=np.float64)
    n = f.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = _mask(n > 0, (f * values).sum(axis=1) / n)
        sd = _mask(n > 1, np.sqrt((f * (values - mean[:, None]) ** 2).sum(axis=1) / (n - 1)))
        q1, median, q3 = _count_quantiles(f, values, (0.25, 0.5, 0.75))
        within = np.abs(values - median[:, None]) <= 1 + TOL
        return {
            "n": n.astype(np.int64),
            "median": median,
            "mean": mean,
            "sd": sd,
            "q1": q1,
            "q3": q3,
            "iqr": q3 - q1,
            "cv": sd / mean,
            "pct_agree": _band_share(f, n, st.agree),
            "pct_disagree": _band_share(f, n, st.disagree),
            "pct_top_box": f[:, -1] / n,
            "pct_within1_median": (f * within).sum(axis=1) / n,
            "counts": f.astype(np.int64),
            "tw_consensus": _tastle_wierman(f, values, mean),
            "display_suppressed": n < st.cfg["n_min"],
            "verdict": [None] * len(n),
        }


def _band_share(f: Array, n: Array, band: tuple[int, int]) -> Array:
    """Share of answers inside an inclusive band [lo, hi] of scale points."""
    lo, hi = band
    return f[:, lo - 1 : hi].sum(axis=1) / n


def _tastle_wierman(f: Array, values: Array, mean: Array) -> Array:
    """Tastle-Wierman consensus 1 + sum p_c log2(1 - |c - mu| / d), d = k - 1; zero-count terms are skipped."""
    n = f.sum(axis=1, keepdims=True)
    used = f > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = 1 - np.abs(values - mean[:, None]) / (len(values) - 1)
        terms = np.where(used, f / n * np.log2(np.where(used, dist, 1.0)), 0.0)
    tw = 1 + terms.sum(axis=1)
    tw = np.where(used.sum(axis=1) == 1, 1.0, tw)  # unanimity is exactly 1 by definition
    return _mask(n[:, 0] > 0, tw)


def _likert_kendall(codes: Array, st: _Study) -> Json:
    """Kendall's W across the asked items (judges = complete panelists); higher rating = rank 1, via lookup tables."""
    codes, ids = _asked(codes, st.ids)
    counts = _row_counts(codes, st.k)
    complete = counts[:, 0] == 0  # listwise: a panelist with any missing item is dropped
    c = counts[complete, 1:].astype(np.float64)
    # Average descending rank of scale point v for one panelist: (#items rated above v) + (count_v + 1) / 2.
    above = np.cumsum(c[:, ::-1], axis=1)[:, ::-1] - c
    table = np.zeros((c.shape[0], st.k + 1))
    table[:, 1:] = above + (c + 1) / 2
    ranks = np.take_along_axis(table, codes[complete].astype(np.intp), axis=1)
    return _kendall(ranks.sum(axis=0), c.shape[0], float((c**3 - c).sum()), ids, st.cfg["n_min"])


def _likert_transition(st: _Study, r: int, prev: dict[str, Array], nxt: dict[str, Array]) -> Json:
    """Wilcoxon, % changed, TVD (paired and all available), deltas and the default stability verdict per item."""
    joint, jp = _paired_counts(st, r)
    n_pairs, pos, neg, changed = _change_columns(jp)
    steps = np.arange(1, st.k, dtype=np.float64)
    before, after = jp.sum(axis=2), jp.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_abs = ((pos + neg) * steps).sum(axis=1) / n_pairs
    cols = {
        "wilcoxon": _nested(st.ids, _wilcoxon_tallies(pos, neg, n_pairs)),
        "n_pairs": n_pairs.astype(np.int64),
        "pct_changed": changed,
        "mean_abs_change": mean_abs,
        "tvd": _tvd(before, after),
        "tvd_all_available": _tvd(prev["f"], nxt["f"]),
        **_deltas(prev, nxt),
        "stable": [None] * len(n_pairs),
        "chi2_change": _nested(st.ids, _chi2_change(before, after)),
        "attrition_mwu": _nested(st.ids, _mwu_counts(joint[:, 1:, 0], before)),
    }
    items = _rows(st.ids, cols)
    for item in items.values():
        item["stable"] = _likert_stable(item, st.cfg)
    return {"items": items, "spearman_item_means": _spearman(prev["mean"], nxt["mean"])}


def _likert_verdict(item: Json, st: _Study) -> str:
    """Consensus verdict of one Likert item under the configured preset, then the optional Tastle-Wierman gate."""
    cfg = st.cfg
    if item["n"] < cfg["n_min"]:
        return "insufficient"
    if cfg["preset"] == "rand_ucla":
        verdict = item["rand"]["rand_class"]
    elif cfg["preset"] == "comet_70_15":
        verdict = _comet_verdict(item["pct_agree"], item["pct_disagree"], cfg)
    elif (st.k == 9 and item["rand"]["disagreement"]) or not _le(item["iqr"], st.iqr_max):
        verdict = "no_consensus"
    elif _ge(item["pct_agree"], cfg["agree_threshold"]):
        verdict = "consensus_agree"
    elif _ge(item["pct_disagree"], cfg["agree_threshold"]):
        verdict = "consensus_disagree"
    else:
        verdict = "no_consensus"
    if cfg["tw_min"] is not None and _is_consensus(verdict) and not _ge(item["tw_consensus"], cfg["tw_min"]):
        return "no_consensus"
    return verdict


def _comet_verdict(agree: float, disagree: float, cfg: dict[str, Any]) -> str:
    """COMET/DelphiManager 70/15: in iff >= 70 % agree and < 15 % disagree; out is the mirror image."""
    if _ge(agree, cfg["comet_in_min"]) and not _ge(disagree, cfg["comet_other_max"]):
        return "consensus_in"
    if _ge(disagree, cfg["comet_in_min"]) and not _ge(agree, cfg["comet_other_max"]):
        return "consensus_out"
    return "no_consensus"


def _likert_stable(item: Json, cfg: dict[str, Any]) -> bool:
    """Likert stability: |P| >= n_min, Wilcoxon p >= alpha and paired TVD <= tvd_max."""
    return (
        item["n_pairs"] >= cfg["n_min"]
        and _ge(item["wilcoxon"]["p"], cfg["alpha"])
        and _le(item["tvd"], cfg["tvd_max"])
    )
