"""Agreement coefficients across items or options: Kendall's W (§1.3) and Fleiss' kappa (§1.4) with their labels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special, stats

from civic.delphi.stats.common import TOL, Array, Json, _ge, _num
from civic.delphi.stats.kernels import _category_counts

_SCHMIDT = ((0.3, "very_weak"), (0.5, "weak"), (0.7, "moderate"), (0.9, "strong"))


_LANDIS_KOCH = ((0.81, "almost_perfect"), (0.61, "substantial"), (0.41, "moderate"), (0.21, "fair"), (0.0, "slight"))


def _kendall(rank_sums: Array, m: int, ties: float, ids: tuple[Any, ...], n_min: int) -> Json:
    """Kendall's W (tie-corrected, Siegel & Castellan) with its chi2 test, from rank sums of m complete judges."""
    n = len(ids)
    ok = m > 0 and n >= 2
    full = m * m * (n**3 - n)  # Python ints: exact
    ties_int = int(round(ties))
    denom = full - m * ties_int
    s = float(((rank_sums - m * (n + 1) / 2) ** 2).sum()) if ok else None
    w = 12 * s / denom if ok and denom > 0 else None
    chi2 = m * (n - 1) * w if w is not None else None
    sums = rank_sums.tolist() if m > 0 else [None] * n
    return {
        "m": int(m),
        "n": n,
        "rank_sums": dict(zip(ids, sums, strict=True)),
        "mean_ranks": dict(zip(ids, (v / m if v is not None else None for v in sums), strict=True)),
        "S": s,
        "T": ties_int if ok else None,
        "W": w,
        "W_uncorrected": 12 * s / full if ok else None,
        "chi2": chi2,
        "df": n - 1 if ok else None,
        "p": _num(stats.chi2.sf(chi2, n - 1)) if chi2 is not None else None,
        "display_suppressed": m < n_min,
    }


def _fleiss(codes: Array, k: int, n_min: int) -> Json:
    """Fleiss' kappa across the asked items of a round (items = subjects, complete panelists = raters)."""
    # z and p use the spec's Fleiss (1971) variance. z_1979/p_1979 use the Fleiss-Nee-Landis (1979) variance that R's
    # irr::kappam.fleiss reports: the spec attributes its formula to irr, but irr uses the 1979 one.
    complete = (codes != 0).all(axis=1) if codes.shape[1] else np.zeros(codes.shape[0], dtype=bool)
    m, n_items = int(complete.sum()), codes.shape[1]
    out: Json = {
        "kappa": None,
        "p_bar": None,
        "pe_bar": None,
        "z": None,
        "p": None,
        "z_1979": None,
        "p_1979": None,
        "m": m,
        "n_items": n_items,
        "label": None,
        "display_suppressed": m < n_min,
    }
    if m < 2 or n_items < 1:
        return out
    nij = _category_counts(codes[complete], k)[:, 1:].astype(np.float64)
    p_bar = float((((nij**2).sum(axis=1) - m) / (m * (m - 1))).mean())
    pj = nij.sum(axis=0) / (n_items * m)
    pe = float((pj**2).sum())
    out.update(p_bar=p_bar, pe_bar=pe)
    if pe >= 1 - TOL:  # every answer in one category: kappa is undefined
        return out
    kappa = (p_bar - pe) / (1 - pe)
    scale = 2 / (n_items * m * (m - 1))
    var_1971 = scale * (pe - (2 * m - 3) * pe**2 + 2 * (m - 2) * float((pj**3).sum())) / (1 - pe) ** 2
    pq = pj * (1 - pj)
    var_1979 = scale * (pq.sum() ** 2 - float((pq * (1 - 2 * pj)).sum())) / pq.sum() ** 2
    label = next((name for cut, name in _LANDIS_KOCH if _ge(kappa, cut)), "poor")
    out.update(kappa=kappa, label=label)
    for suffix, var in (("", var_1971), ("_1979", var_1979)):
        if var > 0:
            z = kappa / math.sqrt(var)
            out.update({f"z{suffix}": z, f"p{suffix}": _num(2 * special.ndtr(-abs(z)))})
    return out


def _schmidt_label(w: float | None) -> str | None:
    """Schmidt 1997 interpretation of W as intervals: <0.3, <0.5, <0.7, <0.9, >=0.9."""
    if w is None:
        return None
    return next((name for cut, name in _SCHMIDT if not _ge(w, cut)), "unusually_strong")
