"""Numeric estimates (§1.2): robust descriptives, CV, stability (median shift, CV change) and verdicts."""

from __future__ import annotations

from typing import Any

import numpy as np

from civic.delphi.stats.common import TOL, Array, Json, _ge, _le, _mask, _nested, _rows
from civic.delphi.stats.kernels import _column_ranks, _deltas, _sorted_quantiles
from civic.delphi.stats.parsing import _Study
from civic.delphi.stats.significance import _mwu_columns, _wilcoxon_float


def _numeric_round(st: _Study, r: int) -> tuple[Json, dict[str, Array]]:
    """Robust descriptives and CV per numeric-estimate item."""
    x = st.data[r]
    given = ~np.isnan(x)
    n = given.sum(axis=0)
    q1, median, q3 = _sorted_quantiles(np.sort(x, axis=0), n, (0.25, 0.5, 0.75))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = _mask(n > 0, np.where(given, x, 0.0).sum(axis=0) / n)
        sq = np.where(given, (x - mean) ** 2, 0.0).sum(axis=0)
        sd = _mask(n > 1, np.sqrt(sq / (n - 1)))
        cv = _mask(st.ratio & (mean > 0), sd / mean)  # CV only on ratio scales with a positive mean (§1.2)
        iqr = q3 - q1
        riqr = _mask(median != 0, iqr / np.abs(median))
    cols = {
        "n": n,
        "median": median,
        "mean": mean,
        "sd": sd,
        "q1": q1,
        "q3": q3,
        "iqr": iqr,
        "cv": cv,
        "riqr": riqr,
        "display_suppressed": n < st.cfg["n_min"],
        "verdict": [None] * len(n),
        "ratio_scale": st.ratio,
        "n_dont_know": st.dont_know[r],
        "n_abstain": st.abstain[r],
    }
    items = _rows(st.ids, cols)
    for item in items.values():
        item["verdict"] = _numeric_verdict(item, st.cfg)
    return {"items": items}, {"median": median, "iqr": iqr, "cv": cv}


def _numeric_transition(st: _Study, r: int, prev: dict[str, Array], nxt: dict[str, Array]) -> Json:
    """Wilcoxon, % changed, deltas and the numeric stability verdict (median shift and CV change) per item."""
    before, after = st.data[r - 1], st.data[r]
    d = after - before  # NaN unless the panelist answered in both rounds
    paired = ~np.isnan(d)
    n_pairs = paired.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        changed = (paired & (d != 0)).sum(axis=0) / n_pairs
        mean_abs = np.where(paired, np.abs(d), 0.0).sum(axis=0) / n_pairs
    ranks, n_prev, ties = _column_ranks(before)
    dropped = ~np.isnan(before) & np.isnan(after)
    mwu = _mwu_columns(dropped.sum(axis=0), n_pairs, np.where(dropped, ranks, 0.0).sum(axis=0), ties)
    none = [None] * len(n_pairs)
    cols = {
        "wilcoxon": _nested(st.ids, _wilcoxon_float(d)),
        "n_pairs": n_pairs,
        "pct_changed": changed,
        "mean_abs_change": mean_abs,
        "tvd": none,
        "tvd_all_available": none,
        **_deltas(prev, nxt),
        "stable": none,
        "chi2_change": none,
        "attrition_mwu": _nested(st.ids, mwu),
    }
    items = _rows(st.ids, cols)
    for j, item in enumerate(items.values()):
        item["stable"] = _numeric_stable(item, bool(st.ratio[j]), st.cfg)
    return {"items": items}


def _numeric_verdict(item: Json, cfg: dict[str, Any]) -> str:
    """Numeric consensus iff mean > 0 and CV <= cv_max (English & Kernan); CV is None off ratio scales."""
    if item["n"] < cfg["n_min"]:
        return "insufficient"
    ok = item["mean"] is not None and item["mean"] > TOL and _le(item["cv"], cfg["cv_max"])
    return "consensus" if ok else "no_consensus"


def _numeric_stable(item: Json, ratio: bool, cfg: dict[str, Any]) -> bool:
    """Numeric stability: |P| >= n_min, p >= alpha, relative median shift and (ratio scales) |delta CV| small."""
    cv_ok = not ratio or (item["delta_cv"] is not None and _le(abs(item["delta_cv"]), cfg["cv_change_max"]))
    return (
        item["n_pairs"] >= cfg["n_min"]
        and _ge(item["wilcoxon"]["p"], cfg["alpha"])
        and _le(item["rel_median_change"], cfg["rel_median_change_max"])
        and cv_ok
    )
