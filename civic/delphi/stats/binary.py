"""Yes/no and categorical items (§1.4): counts, mode, Wilson CI, Fleiss' kappa, McNemar and verdicts."""

from __future__ import annotations

from typing import Any

import numpy as np

from civic.delphi.stats.agreement import _fleiss
from civic.delphi.stats.common import Array, Json, _ge, _le, _mask, _nested, _rows
from civic.delphi.stats.kernels import _asked, _category_counts, _count_quantiles, _paired_counts, _tvd
from civic.delphi.stats.parsing import _Study
from civic.delphi.stats.significance import _chi2_change, _mcnemar_exact, _mwu_counts, _wilson


def _binary_round(st: _Study, r: int) -> tuple[Json, dict[str, Array]]:
    """Counts, proportions, mode, modal share and Wilson CI per yes/no or categorical item, plus Fleiss' kappa."""
    codes = st.data[r]
    f = _category_counts(codes, st.k)[:, 1:]
    n = f.sum(axis=1)
    top = f.max(axis=1) if f.size else np.zeros(len(n), dtype=np.int64)
    unique_mode = (f == top[:, None]).sum(axis=1) == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        proportions = f / n[:, None]
        modal_share = _mask(n > 0, top / n)
    modes = [
        st.categories[j] if ok and m > 0 else None
        for j, ok, m in zip(f.argmax(axis=1).tolist(), unique_mode.tolist(), n.tolist(), strict=True)
    ]
    wilson = _wilson(f[:, st.yes], n) if st.yes is not None else [None] * len(n)
    cols = {
        "n": n,
        "counts": f,
        "proportions": proportions,
        "mode": modes,
        "modal_share": modal_share,
        "p_yes_wilson95": wilson,
        "display_suppressed": n < st.cfg["n_min"],
        "verdict": [None] * len(n),
        "n_dont_know": st.dont_know[r],
        "n_abstain": st.abstain[r],
    }
    items = _rows(st.ids, cols)
    for item in items.values():
        item["verdict"] = _binary_verdict(item, st.cfg)
    fleiss = _fleiss(_asked(codes, st.ids)[0], st.k, st.cfg["n_min"])
    return {"items": items, "fleiss_kappa": fleiss}, {"f": f.astype(np.float64), **_yes_no_quartiles(st, f)}


def _yes_no_quartiles(st: _Study, f: Array) -> dict[str, Array]:
    """Median and IQR of a yes/no item coded no = 0, yes = 1 (§7); empty for items with more categories."""
    if st.yes is None:
        return {}
    coded = f[:, [1 - st.yes, st.yes]].astype(np.float64)
    q1, median, q3 = _count_quantiles(coded, np.array([0.0, 1.0]), (0.25, 0.5, 0.75))
    return {"median": median, "iqr": q3 - q1}


def _binary_transition(st: _Study, r: int, prev: dict[str, Array], nxt: dict[str, Array]) -> Json:
    """McNemar (two categories), % changed and TVD per yes/no or categorical item, and its stability verdict."""
    joint, jp = _paired_counts(st, r)
    n_pairs = jp.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        changed = (n_pairs - np.trace(jp, axis1=1, axis2=2)) / n_pairs
    before, after = jp.sum(axis=2), jp.sum(axis=1)
    none = [None] * len(n_pairs)
    yes_no = st.yes is not None  # §7: yes/no answers coded 0/1, so |change| is 1 exactly when the answer changed
    cols = {
        "mcnemar_exact": _mcnemar_columns(st, jp, n_pairs),
        "n_pairs": n_pairs.astype(np.int64),
        "pct_changed": changed,
        "mean_abs_change": changed if yes_no else none,
        "tvd": _tvd(before, after),
        "tvd_all_available": _tvd(prev["f"], nxt["f"]),
        "delta_iqr": nxt["iqr"] - prev["iqr"] if yes_no else none,
        "delta_median": nxt["median"] - prev["median"] if yes_no else none,
        "rel_median_change": none,
        "delta_cv": none,
        "stable": none,
        "chi2_change": _nested(st.ids, _chi2_change(before, after)),
        "attrition_mwu": _nested(st.ids, _mwu_counts(joint[:, 1:, 0], before)) if st.k == 2 else none,
    }
    items = _rows(st.ids, cols)
    for item in items.values():
        item["stable"] = _binary_stable(item, st.cfg)
    return {"items": items}


def _mcnemar_columns(st: _Study, jp: Array, n_pairs: Array) -> list[Json | None]:
    """Exact McNemar per item for two-category items (b = no->yes, c = yes->no); None otherwise."""
    if st.yes is None:
        return [None] * len(n_pairs)
    yes, no = st.yes, 1 - st.yes
    b, c = jp[:, no, yes], jp[:, yes, no]
    cols = {
        "n_pairs": n_pairs.astype(np.int64),
        "no_to_yes": b.astype(np.int64),
        "yes_to_no": c.astype(np.int64),
        "p": _mask(n_pairs > 0, _mcnemar_exact(b, c)),
    }
    return _nested(st.ids, cols)


def _binary_verdict(item: Json, cfg: dict[str, Any]) -> str:
    """Categorical consensus on the mode iff the mode is unique and its share reaches modal_threshold."""
    if item["n"] < cfg["n_min"]:
        return "insufficient"
    if item["mode"] is not None and _ge(item["modal_share"], cfg["modal_threshold"]):
        return f"consensus_{item['mode']}"
    return "no_consensus"


def _binary_stable(item: Json, cfg: dict[str, Any]) -> bool:
    """Binary stability: |P| >= n_min, McNemar p >= alpha (two categories only) and paired TVD <= tvd_max."""
    mcnemar = item["mcnemar_exact"]
    return (
        item["n_pairs"] >= cfg["n_min"]
        and (mcnemar is None or _ge(mcnemar["p"], cfg["alpha"]))
        and _le(item["tvd"], cfg["tvd_max"])
    )
