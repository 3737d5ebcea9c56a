"""Benchmark the Delphi statistics engine: 10,000 panelists x 200 items x 5 rounds (9-point Likert).

Times civic.delphi.stats.analyse_study (vectorised) against a naive report built item by item with numpy/scipy calls
(np.quantile, scipy.stats.wilcoxon, mannwhitneyu, chi2_contingency, rankdata per panelist row), checks that both
reports are identical (floats to 1e-12) and prints, as its last line:

    delphi: vectorised <T1> s, loop <T2> s, speedup <S>x, identical <yes|no>

Exit status 1 when the reports differ, the vectorised report takes over 1 s or the speedup is under 10x.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civic.delphi.stats import DEFAULT_CONFIG, analyse_study  # noqa: E402

ROUNDS, PANELISTS, ITEMS, K = 5, 10_000, 200, 9
AGREE, DISAGREE = (7, 9), (1, 3)
TOL = 1e-12


def make_study(seed: int = 2026) -> dict[str, Any]:
    """Simulate a converging 9-point study with ~5 % attrition per round and sparse skipped items."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(1.5, 8.5, ITEMS)
    spread = rng.uniform(0.5, 3.0, ITEMS)
    data = np.zeros((ROUNDS, PANELISTS, ITEMS), dtype=np.int8)
    active = np.ones(PANELISTS, dtype=bool)
    last = np.clip(np.rint(centre + spread * rng.standard_normal((PANELISTS, ITEMS))), 1, K).astype(np.int8)
    for r in range(ROUNDS):
        if r:
            active &= rng.random(PANELISTS) > 0.05
            fresh = np.clip(np.rint(centre + spread / (1 + r) * rng.standard_normal((PANELISTS, ITEMS))), 1, K)
            last = np.where(rng.random((PANELISTS, ITEMS)) < 0.6, last, fresh.astype(np.int8))
        x = last.copy()
        x[~active] = 0
        x[rng.random((PANELISTS, ITEMS)) < 0.001] = 0  # an occasional skipped item
        data[r] = x
    return {
        "type": "likert",
        "scale": [1, K],
        "items": [f"q{i}" for i in range(ITEMS)],
        "panelists": [f"p{i}" for i in range(PANELISTS)],
        "responses": data,
    }


# --------------------------------------------------------------------------------------------------------------------
# The naive reference: one item at a time, numpy/scipy per call, plain Python for the rules
# --------------------------------------------------------------------------------------------------------------------


def fin(x: Any) -> float | None:
    """Return a finite float or None."""
    return None if x is None or not math.isfinite(float(x)) else float(x)


def ge(a: float | None, b: float) -> bool:
    """a >= b with tolerance; None fails."""
    return a is not None and a >= b - TOL


def le(a: float | None, b: float) -> bool:
    """a <= b with tolerance; None fails."""
    return a is not None and a <= b + TOL


def loop_item(x: np.ndarray) -> dict[str, Any]:
    """Per-round statistics and verdict of one 9-point item from its answers (missing removed)."""
    n = len(x)
    counts = np.bincount(x.astype(int), minlength=K + 1)[1:]
    if n == 0:
        keys = (
            "median",
            "mean",
            "sd",
            "q1",
            "q3",
            "iqr",
            "cv",
            "pct_agree",
            "pct_disagree",
            "pct_top_box",
            "pct_within1_median",
            "tw_consensus",
        )
        rand = {key: None for key in ("p30", "p70", "ipr", "iprcp", "ai", "ipras", "di")}
        rand.update(disagreement=None, rand_class=None, count_rule=None, scale_mapped=False)
        return {
            "n": 0,
            **dict.fromkeys(keys),
            "counts": counts.tolist(),
            "display_suppressed": True,
            "verdict": "insufficient",
            "rand": rand,
            "n_dont_know": 0,
            "n_abstain": 0,
        }
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75], method="linear")
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if n > 1 else None
    p = counts / n
    scale = np.arange(1, K + 1)
    if np.count_nonzero(counts) == 1:
        tw = 1.0
    else:
        used = counts > 0
        tw = float(1 + (p[used] * np.log2(1 - np.abs(scale[used] - mean) / (K - 1))).sum())
    item = {
        "n": n,
        "median": float(med),
        "mean": mean,
        "sd": sd,
        "q1": float(q1),
        "q3": float(q3),
        "iqr": float(scipy.stats.iqr(x)),
        "cv": sd / mean if sd is not None else None,
        "pct_agree": float(counts[AGREE[0] - 1 : AGREE[1]].sum() / n),
        "pct_disagree": float(counts[DISAGREE[0] - 1 : DISAGREE[1]].sum() / n),
        "pct_top_box": float(counts[-1] / n),
        "pct_within1_median": float(np.mean(np.abs(x - med) <= 1 + TOL)),
        "counts": counts.tolist(),
        "tw_consensus": tw,
        "display_suppressed": n < 5,
        "verdict": None,
        "rand": loop_rand(x, float(med), counts),
        "n_dont_know": 0,
        "n_abstain": 0,
    }
    item["verdict"] = loop_verdict(item)
    return item


def loop_rand(x: np.ndarray, med: float, counts: np.ndarray) -> dict[str, Any]:
    """RAND/UCLA block for one item."""
    n = len(x)
    p30, p70 = (float(v) for v in np.quantile(x, [0.3, 0.7], method="linear"))
    ipr, iprcp = p70 - p30, (p30 + p70) / 2
    ai = abs(5 - iprcp)
    ipras = 2.35 + 1.5 * ai
    disagree = ipr > ipras + TOL
    klass = "uncertain" if disagree else "appropriate" if med >= 7 else "inappropriate" if med <= 3 else "uncertain"
    low, high = int(counts[:3].sum()), int(counts[6:].sum())
    inside = low if med <= 3 else high if med >= 7 else n - low - high
    limit = (n - 2) // 3
    rule = {
        "n_outside_median_region": n - inside,
        "max_outside_for_agreement": limit,
        "agreement": n - inside <= limit,
        "n_low": low,
        "n_high": high,
        "min_each_for_disagreement": limit + 1,
        "disagreement": low >= limit + 1 and high >= limit + 1,
    }
    return {
        "p30": p30,
        "p70": p70,
        "ipr": ipr,
        "iprcp": iprcp,
        "ai": ai,
        "ipras": ipras,
        "di": ipr / ipras,
        "disagreement": disagree,
        "rand_class": klass,
        "count_rule": rule,
        "scale_mapped": False,
    }


def loop_verdict(item: dict[str, Any]) -> str:
    """Default-preset verdict of one 9-point item."""
    if item["n"] < 5:
        return "insufficient"
    if item["rand"]["disagreement"] or item["iqr"] > 2 + TOL:
        return "no_consensus"
    if ge(item["pct_agree"], 0.75):
        return "consensus_agree"
    return "consensus_disagree" if ge(item["pct_disagree"], 0.75) else "no_consensus"


def loop_kendall(x: np.ndarray, ids: list[str]) -> dict[str, Any]:
    """Kendall's W over the asked items: rank each complete panelist's row on its own (higher rating = rank 1)."""
    asked = [j for j in range(x.shape[1]) if (x[:, j] > 0).any()]
    ids = [ids[j] for j in asked]
    x = x[:, asked]
    rows = x[(x > 0).all(axis=1)].astype(float)
    m, n = rows.shape
    rank_sums = np.zeros(n)
    ties = 0
    for row in rows:
        rank_sums += scipy.stats.rankdata(-row)
        _, sizes = np.unique(row, return_counts=True)
        ties += int((sizes**3 - sizes).sum())
    s = float(((rank_sums - m * (n + 1) / 2) ** 2).sum())
    full = m * m * (n**3 - n)
    w = 12 * s / (full - m * ties) if full - m * ties > 0 else None
    chi2 = m * (n - 1) * w if w is not None else None
    return {
        "m": m,
        "n": n,
        "rank_sums": dict(zip(ids, rank_sums.tolist(), strict=True)),
        "mean_ranks": dict(zip(ids, (rank_sums / m).tolist(), strict=True)),
        "S": s,
        "T": ties,
        "W": w,
        "W_uncorrected": 12 * s / full,
        "chi2": chi2,
        "df": n - 1,
        "p": fin(scipy.stats.chi2.sf(chi2, n - 1)) if chi2 is not None else None,
        "display_suppressed": m < 5,
    }


def loop_wilcoxon(a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Signed-rank block on paired answers a (r-1) and b (r), p from scipy's asymptotic test."""
    d = b - a
    nz = d[d != 0]
    if len(d) == 0:
        return {"n_pairs": 0, "n_nonzero": 0, "T_plus": None, "T_minus": None, "z": None, "p": None}
    if len(nz) == 0:
        return {"n_pairs": len(d), "n_nonzero": 0, "T_plus": 0.0, "T_minus": 0.0, "z": None, "p": 1.0}
    ranks = scipy.stats.rankdata(np.abs(nz))
    t_plus, t_minus = float(ranks[nz > 0].sum()), float(ranks[nz < 0].sum())
    res = scipy.stats.wilcoxon(
        a, b, zero_method="wilcox", correction=False, alternative="two-sided", method="asymptotic"
    )
    sign = 1.0 if t_plus > len(nz) * (len(nz) + 1) / 4 else -1.0
    return {
        "n_pairs": len(d),
        "n_nonzero": len(nz),
        "T_plus": t_plus,
        "T_minus": t_minus,
        "z": sign * abs(float(res.zstatistic)),
        "p": float(res.pvalue),
    }


def loop_transition(a_col: np.ndarray, b_col: np.ndarray, prev: dict[str, Any], nxt: dict[str, Any]) -> dict[str, Any]:
    """Stability of one item between two rounds."""
    paired = (a_col > 0) & (b_col > 0)
    a, b = a_col[paired].astype(float), b_col[paired].astype(float)
    n = len(a)
    ha, hb = (np.bincount(v.astype(int), minlength=K + 1)[1:] for v in (a, b))
    out: dict[str, Any] = {"wilcoxon": loop_wilcoxon(a, b), "n_pairs": n}
    if n:
        out.update(
            pct_changed=float(np.mean(a != b)),
            mean_abs_change=float(np.mean(np.abs(b - a))),
            tvd=float(0.5 * np.abs(ha / n - hb / n).sum()),
        )
    else:
        out.update(pct_changed=None, mean_abs_change=None, tvd=None)
    fa, fb = np.array(prev["counts"]), np.array(nxt["counts"])
    both = fa.sum() > 0 and fb.sum() > 0
    out["tvd_all_available"] = float(0.5 * np.abs(fa / fa.sum() - fb / fb.sum()).sum()) if both else None
    dmed = None if prev["median"] is None or nxt["median"] is None else nxt["median"] - prev["median"]
    out["delta_iqr"] = None if dmed is None else nxt["iqr"] - prev["iqr"]
    out["delta_median"] = dmed
    out["rel_median_change"] = None if dmed is None else 0.0 if dmed == 0 else abs(dmed) / abs(prev["median"])
    out["delta_cv"] = None if prev["cv"] is None or nxt["cv"] is None else nxt["cv"] - prev["cv"]
    out["stable"] = n >= 5 and ge(out["wilcoxon"]["p"], 0.05) and le(out["tvd"], 0.15)
    out["chi2_change"] = {"chi2": None, "df": 0, "p": None}
    if n:
        table = np.array([ha, hb])
        table = table[:, table.sum(axis=0) > 0]
        res = scipy.stats.chi2_contingency(table, correction=False)
        out["chi2_change"] = {"chi2": float(res.statistic), "df": int(res.dof), "p": float(res.pvalue)}
    dropped = a_col[(a_col > 0) & (b_col == 0)].astype(float)
    mwu = {"n_dropouts": len(dropped), "n_stayers": n, "U": None, "p": None}
    if len(dropped) and n:
        res = scipy.stats.mannwhitneyu(dropped, a, method="asymptotic")
        mwu.update(U=float(res.statistic), p=float(res.pvalue))
    out["attrition_mwu"] = mwu
    return out


def loop_spearman(prev: list[float | None], nxt: list[float | None]) -> dict[str, Any]:
    """Spearman of item means over items with an answer in both rounds."""
    pairs = [(a, b) for a, b in zip(prev, nxt, strict=True) if a is not None and b is not None]
    if len(pairs) < 3 or len({a for a, _ in pairs}) == 1 or len({b for _, b in pairs}) == 1:
        return {"rho": None, "p": None, "w_two_rounds": None, "n": len(pairs)}
    res = scipy.stats.spearmanr(*zip(*pairs, strict=True))
    rho = float(res.statistic)
    return {"rho": rho, "p": float(res.pvalue), "w_two_rounds": (1 + rho) / 2, "n": len(pairs)}


def loop_status(previous: str | None, verdict: str, stable: bool, r: int) -> str:
    """Item status after round r under the default rules (min_rounds 2, retirement on)."""
    if previous is not None and previous.startswith("closed"):
        return previous
    if r >= 2 and stable:
        return f"closed_consensus:{verdict}" if verdict.startswith("consensus") else "closed_stable_dissensus"
    if verdict == "insufficient":
        return "insufficient_data"
    return f"open:{verdict}" if verdict.startswith("consensus") else "open"


def loop_stopping(per_round: list[dict], stability: list[dict], rates: list[float]) -> list[dict[str, Any]]:
    """Stopping records under the default rules."""
    out: list[dict[str, Any]] = []
    statuses: dict[str, str] = {}
    for r, entry in enumerate(per_round, start=1):
        trans = stability[r - 2]["items"] if r >= 2 else {}
        statuses = {
            i: loop_status(statuses.get(i), item["verdict"], bool(trans and trans[i]["stable"]), r)
            for i, item in entry["items"].items()
        }
        if r < 2:
            decision = "continue"
        elif not any(s.startswith("open") for s in statuses.values()):
            decision = "stop_all_items_closed"
        elif r >= 3:
            decision = "stop_max_rounds"
        else:
            decision = "pause_low_response_rate" if rates[r - 1] < 0.7 - TOL else "continue"
        unconfirmed = {
            i: entry["items"][i]["verdict"]
            for i, s in statuses.items()
            if decision == "stop_max_rounds" and s.startswith("open")
        }
        out.append(
            {
                "after_round": r,
                "response_rate": rates[r - 1],
                "item_status": statuses,
                "decision": decision,
                "unconfirmed": unconfirmed,
                "low_response_rate": rates[r - 1] < 0.7 - TOL,
            }
        )
    return out


def loop_report(study: dict[str, Any]) -> dict[str, Any]:
    """The full report, item by item."""
    data, ids = study["responses"], study["items"]
    per_round = []
    for r in range(data.shape[0]):
        items = {i: loop_item(data[r, :, j][data[r, :, j] > 0].astype(float)) for j, i in enumerate(ids)}
        per_round.append(
            {
                "round": r + 1,
                "responding_panelists": int((data[r] > 0).any(axis=1).sum()),
                "items": items,
                "kendall_w": loop_kendall(data[r], ids),
            }
        )
    stability = []
    for r in range(1, data.shape[0]):
        before, after = per_round[r - 1]["items"], per_round[r]["items"]
        items = {i: loop_transition(data[r - 1, :, j], data[r, :, j], before[i], after[i]) for j, i in enumerate(ids)}
        spearman = loop_spearman([before[i]["mean"] for i in ids], [after[i]["mean"] for i in ids])
        stability.append({"from_round": r, "to_round": r + 1, "items": items, "spearman_item_means": spearman})
    rates = [e["responding_panelists"] / len(study["panelists"]) for e in per_round]
    config = {**DEFAULT_CONFIG, "bands": {"agree": list(AGREE), "disagree": list(DISAGREE)}, "iqr_max": 2.0}
    return {
        "spec_version": "1.0",
        "type": "likert",
        "config": config,
        "per_round": per_round,
        "stability": stability,
        "stopping": loop_stopping(per_round, stability, rates),
    }


# --------------------------------------------------------------------------------------------------------------------
# Comparison and timing
# --------------------------------------------------------------------------------------------------------------------


def compare(a: Any, b: Any, path: str, problems: list[str]) -> int:
    """Compare two reports recursively (floats to 1e-12 absolute or relative); returns the number of leaves."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            problems.append(f"{path}: keys differ {sorted(a.keys() ^ b.keys())}")
            return 0
        return sum(compare(a[key], b[key], f"{path}.{key}", problems) for key in a)
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return sum(compare(x, y, f"{path}[{j}]", problems) for j, (x, y) in enumerate(zip(a, b, strict=True)))
    numbers = (
        isinstance(a, int | float)
        and not isinstance(a, bool)
        and isinstance(b, int | float)
        and not isinstance(b, bool)
    )
    if numbers and math.isclose(a, b, rel_tol=TOL, abs_tol=TOL):
        return 1
    if not numbers and a == b and type(a) is type(b):
        return 1
    problems.append(f"{path}: {a!r} != {b!r}")
    return 1


def best_of(fn: Any, arg: Any, repeat: int) -> tuple[float, Any]:
    """Best wall time of repeat calls and the last result."""
    best, out = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(arg)
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> int:
    """Run the benchmark and print the summary line last."""
    blas = {key: os.environ.get(key) for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(
        f"delphi bench: {PANELISTS} panelists x {ITEMS} items x {ROUNDS} rounds, k={K}; numpy {np.__version__}, "
        f"scipy {scipy.__version__}, {os.cpu_count()} CPUs, {blas}",
        flush=True,
    )
    study = make_study()
    print(
        f"data: {study['responses'].nbytes / 1e6:.0f} MB int8, complete panelists per round "
        f"{[int((r > 0).all(axis=1).sum()) for r in study['responses']]}",
        flush=True,
    )
    t_vec, vec = best_of(analyse_study, study, 5)
    print(f"vectorised analyse_study: best of 5 {t_vec:.3f} s", flush=True)
    t_loop, loop = best_of(loop_report, study, 2)
    print(f"per-item loop over numpy/scipy: best of 2 {t_loop:.3f} s", flush=True)
    problems: list[str] = []
    leaves = compare(vec, loop, "report", problems)
    print(f"compared {leaves} values: {len(problems)} differences", flush=True)
    for line in problems[:10]:
        print("  " + line)
    print("decisions:", [s["decision"] for s in vec["stopping"]])
    speedup = t_loop / t_vec
    identical = not problems
    print(
        f"delphi: vectorised {t_vec:.3f} s, loop {t_loop:.3f} s, speedup {speedup:.1f}x, "
        f"identical {'yes' if identical else 'no'}"
    )
    return 0 if identical and t_vec <= 1.0 and speedup >= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
