"""Benchmark the contest scoring engine: 2,000 entries x 30 judges x 6 criteria, z-normalised, with a public vote.

Builds one synthetic hackathon (integer scores on 1..10 and 0..5 scales, judges with their own leniency and spread,
~1 % recused pairs left unscored, a few judges who skipped a criterion somewhere, votes for every entry) and times
civic.contests.scoring.score_contest on it, the plain-JSON input parsed and checked each time, as the app will call it.
Prints the setup, then as its last line:

    contest_scoring: 2000 entries x 30 judges x 6 criteria <T> ms

(<T> = best wall time of 20 calls, z-normalisation). The line before it gives the best CPU time of the calling thread,
which neighbours on a shared machine disturb less. Exit status 1 when the CPU time exceeds 100 ms.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civic.contests.scoring import score_contest  # noqa: E402

ENTRIES, JUDGES, CRITERIA = 2_000, 30, 6
REPEAT = 20
LIMIT_MS = 100.0


def make_contest(seed: int = 2026, sloppy_judges: int = 3) -> dict[str, Any]:
    """A synthetic contest in the engine's plain-JSON input shape."""
    rng = np.random.default_rng(seed)
    criteria = [
        {"id": f"c{c}", "weight": int(rng.integers(1, 4)), "scale": [1, 10] if c % 2 == 0 else [0, 5]}
        for c in range(CRITERIA)
    ]
    entries = [f"E{e:04d}" for e in range(ENTRIES)]
    judges = [f"J{j:02d}" for j in range(JUDGES)]
    quality = rng.uniform(0, 1, ENTRIES)
    recused = rng.random((JUDGES, ENTRIES)) < 0.01
    scores: dict[str, dict[str, dict[str, int]]] = {}
    for j, jid in enumerate(judges):
        lenient, spread = rng.uniform(-0.15, 0.15), rng.uniform(0.5, 1.5)
        raw = quality[:, None] * spread + lenient + rng.normal(0, 0.15, (ENTRIES, CRITERIA))
        rows: dict[str, dict[str, int]] = {}
        for c, criterion in enumerate(criteria):
            lo, hi = criterion["scale"]
            raw[:, c] = np.clip(np.rint(lo + raw[:, c] * (hi - lo)), lo, hi)
        values = raw.astype(int).tolist()
        for e in np.flatnonzero(~recused[j]).tolist():
            rows[entries[e]] = dict(zip((c["id"] for c in criteria), values[e], strict=True))
        if j < sloppy_judges:  # skipped one criterion of one entry: an incomplete pair
            next(iter(rows.values())).pop("c0")
        scores[jid] = rows
    return {
        "criteria": criteria,
        "entries": entries,
        "judges": judges,
        "scores": scores,
        "recusals": [[judges[j], entries[e]] for j, e in np.argwhere(recused).tolist()],
        "votes": {eid: int(v) for eid, v in zip(entries, rng.poisson(40 * quality + 1), strict=True)},
        "weights": {"jury": 0.8, "public": 0.2},
        "normalise": "z",
        "min_judges": 3,
    }


def best_ms(contest: dict[str, Any], repeat: int = REPEAT) -> tuple[float, float, dict[str, Any]]:
    """Best wall time and best thread CPU time (ms) of ``repeat`` calls, and the last result."""
    wall, cpu, out = float("inf"), float("inf"), {}
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.thread_time()
        out = score_contest(contest)
        cpu = min(cpu, time.thread_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start)
    return wall * 1000, cpu * 1000, out


def main() -> int:
    contest = make_contest()
    print(
        f"contest bench: {ENTRIES} entries x {JUDGES} judges x {CRITERIA} criteria, "
        f"{len(contest['recusals'])} recusals; numpy {np.__version__}, {os.cpu_count()} CPUs",
        flush=True,
    )
    clean_ms, clean_cpu, _ = best_ms(make_contest(sloppy_judges=0))
    print(f"every pair complete or recused: best of {REPEAT} {clean_ms:.1f} ms (CPU {clean_cpu:.1f} ms)", flush=True)
    ms, cpu, out = best_ms(contest)
    eligible = sum(row["eligible"] for row in out["entries"].values())
    print(
        f"{len(out['incomplete'])} incomplete pairs, {eligible} eligible entries, winner {out['order'][0]}", flush=True
    )
    print(f"best CPU time {cpu:.1f} ms; load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"contest_scoring: {ENTRIES} entries x {JUDGES} judges x {CRITERIA} criteria {ms:.1f} ms")
    return 0 if cpu <= LIMIT_MS else 1


if __name__ == "__main__":
    sys.exit(main())
