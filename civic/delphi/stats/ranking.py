"""Ranking instruments (§1.3): Kendall's W over options, per-option rank summaries, delta W and verdicts."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from civic.delphi.stats.agreement import _kendall, _schmidt_label
from civic.delphi.stats.common import Array, Json, _ge, _le, _rows
from civic.delphi.stats.parsing import _Study
from civic.delphi.stats.significance import _spearman, _wilcoxon_float


def _ranking_round(st: _Study, r: int) -> tuple[Json, dict[str, Array]]:
    """Kendall's W over options (judges = complete panelists), Schmidt label, per-option rank summaries, verdict."""
    x = st.data[r]
    complete = ~np.isnan(x).any(axis=1) if x.shape[1] else np.zeros(x.shape[0], dtype=bool)
    values = -x[complete] if st.scores else x[complete]  # scores: the highest score gets rank 1
    m, n = values.shape
    ranks_full = np.full(x.shape, np.nan)
    if m and n:
        ranks = stats.rankdata(values, axis=1, method="average")
        # tie group size of each element = max rank - min rank + 1; sum over elements of (t^2 - 1) = sum(t^3 - t)
        size = stats.rankdata(values, axis=1, method="max") - stats.rankdata(values, axis=1, method="min") + 1
        ties = float((size**2 - 1).sum())
        ranks_full[complete] = ranks
        q1, median, q3 = np.quantile(ranks, [0.25, 0.5, 0.75], axis=0, method="linear")
    else:
        ranks, ties = np.zeros((0, n)), 0.0
        q1 = median = q3 = np.full(n, np.nan)
    kw = _kendall(ranks.sum(axis=0), m, ties, st.ids, st.cfg["n_min"])
    mean_rank = np.array([np.nan if v is None else v for v in kw["mean_ranks"].values()], dtype=np.float64)
    options = _rows(st.ids, {"mean_rank": mean_rank, "median_rank": median, "iqr_rank": q3 - q1})
    order = [st.ids[j] for j in np.argsort(mean_rank, kind="stable")] if m else []
    entry = {
        "kendall_w": kw,
        "schmidt_label": _schmidt_label(kw["W"]),
        "options": options,
        "order": order,
        "verdict": _ranking_verdict(kw, st.cfg),
        "display_suppressed": m < st.cfg["n_min"],
    }
    return entry, {"ranks": ranks_full, "mean_rank": mean_rank}


def _ranking_transition(
    st: _Study, r: int, prev: dict[str, Array], nxt: dict[str, Array], w_prev: Json, w_next: Json
) -> Json:
    """Delta W, Spearman of option mean ranks, per-option Wilcoxon on panelists complete in both rounds."""
    delta = w_next["W"] - w_prev["W"] if w_prev["W"] is not None and w_next["W"] is not None else None
    enough = min(w_prev["m"], w_next["m"]) >= st.cfg["n_min"]
    return {
        "delta_W": delta,
        "spearman_mean_ranks": _spearman(prev["mean_rank"], nxt["mean_rank"]),
        "wilcoxon_per_option": _rows(st.ids, _wilcoxon_float(nxt["ranks"] - prev["ranks"])),
        "stable": bool(enough and delta is not None and _le(abs(delta), st.cfg["delta_w_max"])),
    }


def _ranking_verdict(kw: Json, cfg: dict[str, Any]) -> str:
    """Ranking consensus iff W >= w_min and p < alpha (Schmidt's 'strong')."""
    if kw["m"] < cfg["n_min"]:
        return "insufficient"
    strong = _ge(kw["W"], cfg["w_min"]) and kw["p"] is not None and not _ge(kw["p"], cfg["alpha"])
    return "consensus" if strong else "no_consensus"
