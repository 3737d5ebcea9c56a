"""RAND/UCLA appropriateness (§1.1): IPRAS disagreement, the class and the classic count rule."""

from __future__ import annotations

import numpy as np

from civic.delphi.stats.common import TOL, Array, Json, _ge, _le, _rows
from civic.delphi.stats.kernels import _count_quantiles


def _rand_columns(f: Array, median: Array, k: int) -> list[Json]:
    """RAND/UCLA IPRAS disagreement, class and the classic count rule; other scales are mapped onto 1..9."""
    mapped = 1 + 8 * (np.arange(1, k + 1, dtype=np.float64) - 1) / (k - 1)
    n = f.sum(axis=1)
    p30, p70 = _count_quantiles(f, mapped, (0.3, 0.7))
    ipr = p70 - p30
    iprcp = (p30 + p70) / 2
    ai = np.abs(5 - iprcp)
    ipras = 2.35 + 1.5 * ai
    med9 = 1 + 8 * (median - 1) / (k - 1)
    low = f[:, mapped <= 3 + TOL].sum(axis=1)
    high = f[:, mapped >= 7 - TOL].sum(axis=1)
    region = np.where(med9 <= 3 + TOL, low, np.where(med9 >= 7 - TOL, high, n - low - high))
    cols = {"p30": p30, "p70": p70, "ipr": ipr, "iprcp": iprcp, "ai": ai, "ipras": ipras, "di": ipr / ipras}
    out = []
    for j, row in enumerate(_rows(tuple(range(len(n))), cols).values()):
        if n[j] == 0:
            out.append({**row, "disagreement": None, "rand_class": None, "count_rule": None, "scale_mapped": k != 9})
            continue
        disagree = bool(ipr[j] > ipras[j] + TOL)
        row["disagreement"] = disagree
        row["rand_class"] = _rand_class(float(med9[j]), disagree)
        row["count_rule"] = _count_rule(int(n[j]), int(region[j]), int(low[j]), int(high[j]))
        row["scale_mapped"] = k != 9  # the mapping of other scales onto 1..9 is an extension of the method
        out.append(row)
    return out


def _rand_class(median9: float, disagreement: bool) -> str:
    """RAND/UCLA class: median >= 7 appropriate, <= 3 inappropriate, otherwise (or any disagreement) uncertain."""
    if disagreement:
        return "uncertain"
    if _ge(median9, 7):
        return "appropriate"
    return "inappropriate" if _le(median9, 3) else "uncertain"


def _count_rule(n: int, in_region: int, low: int, high: int) -> Json:
    """Classic RAND count rule: agreement and disagreement by panelist counts in the 1-3 / 4-6 / 7-9 regions."""
    # Agreement: at most floor((n-2)/3) outside the median's region; disagreement: floor((n-2)/3) + 1 in both 1-3
    # and 7-9. This reproduces the published table (8-10: <=2/>=3, 11-13: <=3/>=4, 14-16: <=4/>=5).
    limit = (n - 2) // 3
    return {
        "n_outside_median_region": n - in_region,
        "max_outside_for_agreement": limit,
        "agreement": n - in_region <= limit,
        "n_low": low,
        "n_high": high,
        "min_each_for_disagreement": limit + 1,
        "disagreement": low >= limit + 1 and high >= limit + 1,
    }
