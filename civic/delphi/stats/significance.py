"""Tests of significance (§2): Wilcoxon signed-rank, Mann-Whitney, chi2 of change, exact McNemar, Wilson and
Spearman, vectorised where the spec's sizes need it."""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from civic.delphi.stats.common import Array, Json, _mask, _num
from civic.delphi.stats.kernels import _column_ranks


def _wilcoxon_columns(n_pairs: Array, n_nonzero: Array, t_plus: Array, t_minus: Array, ties: Array) -> dict[str, Array]:
    """Asymptotic Wilcoxon signed-rank (no continuity correction, tie-corrected variance) with a signed z."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n = n_nonzero.astype(np.float64)
        sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - ties / 48)
        z = _mask(n > 0, (t_plus - n * (n + 1) / 4) / sigma)
        p = 2 * special.ndtr(-np.abs(z))
    no_shift = (n == 0) & (n_pairs > 0)  # every difference is 0: no evidence of a shift (scipy would give NaN)
    z = np.where(no_shift, 0.0, z)  # §7: z = 0.0 here; z is None only when P is empty
    p = np.where(no_shift, 1.0, p)
    return {
        "n_pairs": n_pairs.astype(np.int64),
        "n_nonzero": n_nonzero.astype(np.int64),
        "T_plus": _mask(n_pairs > 0, t_plus),
        "T_minus": _mask(n_pairs > 0, t_minus),
        "z": z,
        "p": _mask(n_pairs > 0, p),
    }


def _wilcoxon_tallies(pos: Array, neg: Array, n_pairs: Array) -> dict[str, Array]:
    """Wilcoxon from tallies of differences +v / -v (v = 1..k-1): |d| = v has rank sum(t_u, u < v) + (t_v + 1) / 2."""
    t = pos + neg
    rank = np.cumsum(t, axis=1) - t + (t + 1) / 2
    ties = (t**3 - t).sum(axis=1)
    return _wilcoxon_columns(n_pairs, t.sum(axis=1), (pos * rank).sum(axis=1), (neg * rank).sum(axis=1), ties)


def _wilcoxon_float(d: Array) -> dict[str, Array]:
    """Wilcoxon per column of paired differences d (NaN = pair missing); zero differences are dropped."""
    given = ~np.isnan(d)
    with np.errstate(invalid="ignore"):
        ranks, n_nonzero, ties = _column_ranks(np.where(given & (d != 0), np.abs(d), np.nan))
        t_plus = np.where(d > 0, ranks, 0.0).sum(axis=0)
        t_minus = np.where(d < 0, ranks, 0.0).sum(axis=0)
    return _wilcoxon_columns(given.sum(axis=0), n_nonzero, t_plus, t_minus, ties)


def _mwu_columns(n1: Array, n2: Array, r1: Array, ties: Array) -> dict[str, Array]:
    """Asymptotic two-sided Mann-Whitney U with continuity correction, as scipy.stats.mannwhitneyu computes it."""
    n1 = n1.astype(np.float64)
    n2 = n2.astype(np.float64)
    ok = (n1 > 0) & (n2 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        u1 = r1 - n1 * (n1 + 1) / 2
        n = n1 + n2
        sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
        z = (np.maximum(u1, n1 * n2 - u1) - n1 * n2 / 2 - 0.5) / sigma
        p = np.where(sigma > 0, np.clip(2 * special.ndtr(-z), 0, 1), 1.0)  # all answers tied: no evidence of bias
    return {"n_dropouts": n1.astype(np.int64), "n_stayers": n2.astype(np.int64), "U": _mask(ok, u1), "p": _mask(ok, p)}


def _mwu_counts(drop: Array, stay: Array) -> dict[str, Array]:
    """Mann-Whitney of dropouts vs stayers from per-category counts over ordered categories."""
    tot = drop + stay
    rank = np.cumsum(tot, axis=1) - tot + (tot + 1) / 2
    return _mwu_columns(drop.sum(axis=1), stay.sum(axis=1), (drop * rank).sum(axis=1), (tot**3 - tot).sum(axis=1))


def _chi2_change(a: Array, b: Array) -> dict[str, Array]:
    """Pearson chi2 of the 2 x K table (round r-1 counts, round r counts), empty categories dropped; informational."""
    col = a + b
    na, nb = a.sum(axis=1), b.sum(axis=1)
    total = na + nb
    keep = col > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ea = na[:, None] * col / total[:, None]
        eb = nb[:, None] * col / total[:, None]
        terms = np.where(keep, (a - ea) ** 2 / ea + (b - eb) ** 2 / eb, 0.0)
    chi2 = terms.sum(axis=1)
    df = keep.sum(axis=1) - 1
    ok = (na > 0) & (nb > 0)
    p = np.where(df > 0, stats.chi2.sf(chi2, np.maximum(df, 1)), 1.0)
    return {"chi2": _mask(ok, np.where(df > 0, chi2, 0.0)), "df": np.maximum(df, 0), "p": _mask(ok, p)}


def _wilson(k_yes: Array, n: Array) -> list[list[float] | None]:
    """Wilson 95% interval for p(yes) per item, as scipy's binomtest(...).proportion_ci(method="wilson")."""
    z = float(special.ndtri(0.975))
    out: list[list[float] | None] = []
    for k, m in zip(k_yes.tolist(), n.tolist(), strict=True):
        if m == 0:
            out.append(None)
            continue
        p = k / m
        denom = 2 * (m + z**2)
        center = (2 * m * p + z**2) / denom
        delta = z / denom * math.sqrt(4 * m * p * (1 - p) + z**2)
        out.append([0.0 if k == 0 else center - delta, 1.0 if k == m else center + delta])
    return out


def _mcnemar_exact(b: Array, c: Array) -> Array:
    """Exact two-sided McNemar p = binomtest(min(b, c), b + c, 0.5); 1 when b + c = 0."""
    n = b + c
    lo = np.minimum(b, c)
    # For p = 0.5 binomtest adds both tails: cdf(lo) + sf(n - lo - 1); equal tails (lo = n/2) give exactly 1.
    p = stats.binom.cdf(lo, n, 0.5) + stats.binom.sf(n - lo - 1, n, 0.5)
    return np.where((n == 0) | (2 * lo == n), 1.0, np.minimum(p, 1.0))


def _spearman(a: Array, b: Array) -> Json:
    """Spearman rho and p between two vectors over entries finite in both; None when undefined (n < 3, constant)."""
    ok = np.isfinite(a) & np.isfinite(b)
    x, y = a[ok], b[ok]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return {"rho": None, "p": None, "w_two_rounds": None, "n": int(len(x))}
    res = stats.spearmanr(x, y)
    rho = float(res.statistic)
    return {"rho": rho, "p": _num(res.pvalue), "w_two_rounds": (1 + rho) / 2, "n": int(len(x))}
