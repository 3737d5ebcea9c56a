"""Contest and hackathon scoring engine (pure: numpy only, no Flask, no database).

``score_contest(contest)`` turns the judges' criterion scores, the recusals and the public votes of one contest into
jury scores, public scores, combined scores and ranks. The arithmetic is fixed once for every contest on the platform
(``/work/shared/design/contests-scoring.md``), so anyone can recompute a published result from its breakdown:

1. **Criteria** have a positive ``weight`` and a numeric ``scale`` ``[lo, hi]`` (lo < hi). A score of an entry on a
   criterion must lie in the scale, inclusive. Weights need not sum to 1.
2. **A judge's total** for an entry is the weighted mean of the criterion scores rescaled to 0..1:
   ``t = Σ_c w_c · (s_c − lo_c) / (hi_c − lo_c) / Σ_c w_c``. It counts only when the judge scored *every* criterion
   of the entry. A pair scored on some but not all criteria is *incomplete*: reported, never used. A pair with no
   score at all is simply not scored (not reported).
3. **Recusals** are ``[judge, entry]`` pairs. A recused judge must not score that entry: any score given anyway is an
   input error, never silently used. A recused pair with no scores (or only nulls) is fine.
4. **Normalisation** (``normalise``): ``"none"`` uses the totals as they are. ``"z"`` replaces each complete total
   of judge j by ``G_mean + G_sd · z`` with ``z = (t − m_j) / s_j``: ``m_j``, ``s_j`` are the mean and population SD
   (ddof 0) of judge j's complete totals, ``G_mean``, ``G_sd`` those of all complete totals of all judges pooled.
   A judge with fewer than 2 complete totals, or with ``s_j = 0``, gets ``z = 0``. ``s_j = 0`` means the judge's
   totals all agree to within ``FLAT_TOLERANCE`` (1e-12; totals lie in 0..1, so this only absorbs float round-off
   between mathematically equal totals). The result is not clipped.
5. **Jury score** = mean of the (normalised) complete totals of the entry. An entry is **eligible** when at least
   ``min_judges`` (default 2) judges have a complete total for it; an ineligible entry gets ``rank`` null.
6. **Public score** = ``votes_e / max_e votes`` (the most-voted entry gets 1); all 0 when nobody voted.
7. **Combined** = ``weights.jury · jury_score + weights.public · public_score``; default weights jury 1, public 0;
   both ≥ 0, not both 0, used as given (not rescaled). Combined is null exactly when the jury score is null.
8. **Ranking** of eligible entries by combined score (descending), then jury score, then votes, each score compared
   after rounding to ``TIE_DECIMALS`` (12) decimals. Entries equal on all three share a rank, competition style
   (1, 2, 2, 4). ``order`` lists eligible entries by rank (ties in input order), then ineligible ones in input order.

Input and output are plain JSON types (see ``score_contest``); output numbers are unrounded and never NaN (null).
Bad input raises ``ScoringError`` (a ``ValueError``) with a stable ``code`` and an English message naming the
offending judge, entry or criterion. Decisions where the design leaves room are in ``docs/contests-scoring.md``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_MIN_JUDGES",
    "DEFAULT_NORMALISE",
    "DEFAULT_WEIGHTS",
    "FLAT_TOLERANCE",
    "NORMALISERS",
    "TIE_DECIMALS",
    "ScoringError",
    "score_contest",
]

DEFAULT_MIN_JUDGES = 2
DEFAULT_NORMALISE = "none"
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType({"jury": 1.0, "public": 0.0})
#: Scores are compared for ties after rounding to this many decimals (rule 8).
TIE_DECIMALS = 12
#: A judge whose complete totals spread over no more than this has ``s_j = 0`` (rule 4).
FLAT_TOLERANCE = 1e-12

_KEYS = frozenset(
    {"criteria", "entries", "judges", "scores", "recusals", "votes", "weights", "normalise", "min_judges"}
)
_REQUIRED = ("criteria", "entries", "judges")
# Score types the fast parser takes without a closer look (None = not scored).
_PLAIN = frozenset({int, float, type(None)})


class ScoringError(ValueError):
    """A contest cannot be scored because its input is invalid.

    ``code`` is a stable machine-readable identifier (e.g. ``"score_out_of_scale"``) that services map to translated,
    user-facing messages; ``str(exc)`` is an English developer message naming the offending ids.
    """

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


# --------------------------------------------------------------------------- input validation


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _finite(value: object, what: str, code: str) -> float:
    """``value`` as a finite float; refuse bools, strings, None, NaN and infinities."""
    if not _is_number(value):
        raise ScoringError(code, f"{what} must be a number, got {type(value).__name__} {value!r}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ScoringError(code, f"{what} must be a finite number, got {value!r}")
    return number


def _id_list(value: object, name: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ScoringError("invalid_input", f"{name} must be a list of ids, got {type(value).__name__}")
    ids = list(value)
    for item in ids:
        if not isinstance(item, str) or not item:
            raise ScoringError("invalid_id", f"{name}: ids must be non-empty strings, got {item!r}")
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        duplicate = next(item for item in ids if item in seen or seen.add(item))
        raise ScoringError("duplicate_id", f"{name}: duplicate id {duplicate!r}")
    return ids


def _criteria(value: object) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Criterion ids, weights, scale lows and scale highs."""
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise ScoringError("invalid_criteria", "criteria must be a non-empty list of {id, weight, scale}")
    for k, criterion in enumerate(value):
        if not isinstance(criterion, Mapping):
            raise ScoringError("invalid_criteria", f"criterion #{k} must be a mapping, got {type(criterion).__name__}")
        missing = [key for key in ("id", "weight", "scale") if key not in criterion]
        if missing:
            raise ScoringError("invalid_criteria", f"criterion #{k} lacks {', '.join(missing)}")
    ids = _id_list([c["id"] for c in value], "criteria")
    weights, lows, highs = [], [], []
    for cid, criterion in zip(ids, value, strict=True):
        weight = _finite(criterion["weight"], f"weight of criterion {cid!r}", "invalid_weight")
        if weight <= 0:
            raise ScoringError("invalid_weight", f"weight of criterion {cid!r} must be positive, got {weight!r}")
        scale = criterion["scale"]
        if isinstance(scale, str) or not isinstance(scale, Sequence) or len(scale) != 2:
            raise ScoringError("invalid_scale", f"scale of criterion {cid!r} must be [lo, hi], got {scale!r}")
        lo = _finite(scale[0], f"scale low of criterion {cid!r}", "invalid_scale")
        hi = _finite(scale[1], f"scale high of criterion {cid!r}", "invalid_scale")
        if lo >= hi:
            raise ScoringError("invalid_scale", f"scale of criterion {cid!r} must have lo < hi, got [{lo:g}, {hi:g}]")
        if not math.isfinite(hi - lo):
            raise ScoringError("invalid_scale", f"scale of criterion {cid!r} is too wide: [{lo:g}, {hi:g}]")
        weights.append(weight)
        lows.append(lo)
        highs.append(hi)
    w = np.array(weights)
    # Dividing by the largest weight changes nothing in rule 2 and keeps Σ w finite for absurdly large weights.
    return ids, w / w.max(), np.array(lows), np.array(highs)


def _weights(value: object) -> tuple[float, float]:
    if value is None:
        return DEFAULT_WEIGHTS["jury"], DEFAULT_WEIGHTS["public"]
    if not isinstance(value, Mapping) or set(value) != {"jury", "public"}:
        raise ScoringError("invalid_weights", f"weights must be {{'jury': w, 'public': w}}, got {value!r}")
    jury = _finite(value["jury"], "weights.jury", "invalid_weights")
    public = _finite(value["public"], "weights.public", "invalid_weights")
    if jury < 0 or public < 0:
        raise ScoringError("invalid_weights", f"weights must not be negative, got jury {jury:g}, public {public:g}")
    if jury == 0 and public == 0:
        raise ScoringError("invalid_weights", "weights.jury and weights.public must not both be 0")
    return jury, public


def _normaliser(value: object) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    name = DEFAULT_NORMALISE if value is None else value
    if not isinstance(name, str) or name not in NORMALISERS:
        raise ScoringError("unknown_normalise", f"normalise must be one of {sorted(NORMALISERS)}, got {value!r}")
    return NORMALISERS[name]


def _min_judges(value: object) -> int:
    if value is None:
        return DEFAULT_MIN_JUDGES
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ScoringError("invalid_min_judges", f"min_judges must be a positive integer, got {value!r}")
    return int(value)


def _votes(value: object, entry_index: Mapping[str, int]) -> np.ndarray:
    votes = np.zeros(len(entry_index), dtype=np.int64)
    if value is None:
        return votes
    if not isinstance(value, Mapping):
        raise ScoringError("invalid_votes", f"votes must be a mapping entry -> count, got {type(value).__name__}")
    counts = list(value.values())
    plain = set(map(type, counts)) <= {int} and all(map(entry_index.__contains__, value))
    if plain and min(counts, default=0) >= 0 and max(counts, default=0) <= 2**53:  # the usual case, in bulk
        votes[list(map(entry_index.__getitem__, value))] = counts
        return votes
    for eid, count in value.items():
        if eid not in entry_index:
            raise ScoringError("unknown_entry", f"votes: unknown entry {eid!r}")
        if isinstance(count, bool) or not isinstance(count, numbers.Integral):
            raise ScoringError("invalid_votes", f"votes of entry {eid!r} must be an integer, got {count!r}")
        if count < 0:
            raise ScoringError("negative_votes", f"votes of entry {eid!r} must not be negative, got {count!r}")
        if count > 2**53:
            raise ScoringError("invalid_votes", f"votes of entry {eid!r} are implausibly large: {count!r}")
        votes[entry_index[eid]] = int(count)
    return votes


def _recusals(value: object, judge_index: Mapping[str, int], entry_index: Mapping[str, int]) -> list[tuple[int, int]]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ScoringError("invalid_recusals", f"recusals must be a list of [judge, entry], got {type(value).__name__}")
    pairs = []
    for pair in value:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ScoringError("invalid_recusals", f"recusal must be a [judge, entry] pair, got {pair!r}")
        jid, eid = pair
        if not isinstance(jid, str) or jid not in judge_index:
            raise ScoringError("unknown_judge", f"recusal {list(pair)!r}: unknown judge {jid!r}")
        if not isinstance(eid, str) or eid not in entry_index:
            raise ScoringError("unknown_entry", f"recusal {list(pair)!r}: unknown entry {eid!r}")
        pairs.append((judge_index[jid], entry_index[eid]))
    return pairs


# --------------------------------------------------------------------------- the score array


def _plain_values(rows: list[Any], getters: list[Callable]) -> np.ndarray | None:
    """Scores of rows that each hold exactly ``len(getters)`` keys, when those are the criteria and the scores plain.

    Plain means ints, floats or None (not scored) and no explicit NaN. Returns ``None`` for anything else; the caller
    then reads the rows one by one (``_row_values``), which either accepts them (other numeric types) or names the
    exact error. One C-level ``map`` pass per criterion keeps this at about a microsecond per entry, and builds no
    tuple per entry (garbage the cyclic collector would have to walk), which is what makes 2,000 entries x 30
    judges fast.
    """
    try:
        columns = [list(map(get, rows)) for get in getters]  # every criterion present: exactly the criteria
    except KeyError:
        return None
    kinds: set[type] = set()
    for column in columns:
        kinds.update(map(type, column))
    if not kinds <= _PLAIN:
        return None
    try:
        array = np.array(columns, dtype=float).T  # None becomes NaN
    except OverflowError:
        return None
    if float in kinds:
        nulls = sum(column.count(None) for column in columns) if type(None) in kinds else 0
        if np.count_nonzero(np.isnan(array)) != nulls:
            return None  # an explicit NaN, not a null
    return array


def _row_values(jid: str, eid: str, row: object, crit_ids: list[str]) -> list[float]:
    """One judge's scores of one entry (NaN = not scored), with a precise error for anything invalid."""
    if not isinstance(row, Mapping):
        raise ScoringError(
            "invalid_input",
            f"scores of judge {jid!r} for entry {eid!r} must map criterion -> score, got {type(row).__name__}",
        )
    unknown = [cid for cid in row if cid not in crit_ids]
    if unknown:
        raise ScoringError(
            "unknown_criterion", f"scores of judge {jid!r} for entry {eid!r}: unknown criterion {unknown[0]!r}"
        )
    line = []
    for cid in crit_ids:
        score = row.get(cid)
        what = f"score of judge {jid!r} for entry {eid!r} on criterion {cid!r}"
        line.append(math.nan if score is None else _finite(score, what, "invalid_score"))
    return line


def _parse_judge(
    jid: str, row_map: Mapping[str, Any], entry_index: Mapping[str, int], crit_ids: list[str], getters: list[Callable]
) -> tuple[list[int], np.ndarray]:
    """One judge's scores: the entry positions and a (len, criteria) array, NaN where not scored."""
    n_crit = len(crit_ids)
    eids = list(row_map)
    cols = list(map(entry_index.get, eids))
    if None in cols:
        raise ScoringError("unknown_entry", f"scores of judge {jid!r}: unknown entry {eids[cols.index(None)]!r}")
    rows = list(row_map.values())
    values = np.full((len(rows), n_crit), np.nan)
    rest = range(len(rows))  # rows read one by one
    if set(map(type, rows)) <= {dict}:
        lens = list(map(len, rows))
        if lens.count(n_crit) == len(lens):  # the usual case: every row complete
            plain = _plain_values(rows, getters)
            if plain is not None:
                return cols, plain
        else:  # partly scored rows (fewer keys) are read one by one
            bulk = [i for i, n in enumerate(lens) if n == n_crit]
            plain = _plain_values([rows[i] for i in bulk], getters)
            if plain is not None:
                values[bulk] = plain
                rest = [i for i, n in enumerate(lens) if n != n_crit]
    for i in rest:
        if rows[i] is not None:
            values[i] = _row_values(jid, eids[i], rows[i], crit_ids)
    return cols, values


def _score_array(
    scores: object,
    judges: list[str],
    entry_index: Mapping[str, int],
    crit_ids: list[str],
    lows: np.ndarray,
    highs: np.ndarray,
) -> np.ndarray:
    """Scores as a (judges, entries, criteria) float array, NaN where not scored; scales checked."""
    array = np.full((len(judges), len(entry_index), len(crit_ids)), np.nan)
    if scores is None:
        return array
    if not isinstance(scores, Mapping):
        raise ScoringError("invalid_input", "scores must be a mapping judge -> entry -> criterion -> score")
    judge_index = {jid: j for j, jid in enumerate(judges)}
    for jid in scores:
        if jid not in judge_index:
            raise ScoringError("unknown_judge", f"scores: unknown judge {jid!r}")
    getters = [itemgetter(cid) for cid in crit_ids]
    for jid, row_map in scores.items():
        if row_map is None:
            continue
        if not isinstance(row_map, Mapping):
            raise ScoringError(
                "invalid_input", f"scores of judge {jid!r} must map entry -> scores, got {type(row_map).__name__}"
            )
        cols, values = _parse_judge(jid, row_map, entry_index, crit_ids, getters)
        array[judge_index[jid], cols] = values
    _check_scales(array, judges, list(entry_index), crit_ids, lows, highs)
    return array


def _check_scales(
    array: np.ndarray, judges: list[str], entries: list[str], crit_ids: list[str], lows: np.ndarray, highs: np.ndarray
) -> None:
    bad = np.isinf(array)
    if bad.any():
        j, e, c = np.argwhere(bad)[0]
        raise ScoringError(
            "invalid_score",
            f"score of judge {judges[j]!r} for entry {entries[e]!r} on criterion {crit_ids[c]!r} "
            f"must be a finite number, got {array[j, e, c]!r}",
        )
    bad = (array < lows) | (array > highs)  # NaN (not scored) compares False
    if bad.any():
        j, e, c = np.argwhere(bad)[0]
        raise ScoringError(
            "score_out_of_scale",
            f"score {array[j, e, c]:g} of judge {judges[j]!r} for entry {entries[e]!r} on criterion "
            f"{crit_ids[c]!r} is outside its scale [{lows[c]:g}, {highs[c]:g}]",
        )


# --------------------------------------------------------------------------- the arithmetic


def _judge_moments(totals: np.ndarray, complete: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per judge: number of complete totals, their mean, population SD (ddof 0) and spread (max − min)."""
    n = complete.sum(axis=1)
    mean = np.divide(np.where(complete, totals, 0.0).sum(axis=1), n, out=np.zeros(len(n)), where=n > 0)
    dev = np.where(complete, totals - mean[:, None], 0.0)
    sd = np.sqrt((dev * dev).sum(axis=1) / np.maximum(n, 1))
    spread = np.where(complete, totals, -np.inf).max(axis=1, initial=-np.inf) - np.where(complete, totals, np.inf).min(
        axis=1, initial=np.inf
    )
    return n, mean, sd, spread


def _normalise_none(totals: np.ndarray, complete: np.ndarray) -> np.ndarray:
    """Rule 4, ``"none"``: the totals as they are."""
    return totals


def _normalise_z(totals: np.ndarray, complete: np.ndarray) -> np.ndarray:
    """Rule 4, ``"z"``: each judge's totals mapped onto the pooled mean and population SD."""
    n, mean, sd, spread = _judge_moments(totals, complete)
    informative = (n >= 2) & (spread > FLAT_TOLERANCE)
    dev = totals - mean[:, None]
    z = np.divide(dev, sd[:, None], out=np.zeros_like(totals), where=informative[:, None] & complete)
    pooled = totals[complete]
    g_mean = float(pooled.mean()) if pooled.size else 0.0
    g_sd = float(pooled.std()) if pooled.size else 0.0
    return np.where(complete, g_mean + g_sd * z, np.nan)


#: Normalisation by name (rule 4).
NORMALISERS: Mapping[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = MappingProxyType(
    {"none": _normalise_none, "z": _normalise_z}
)


def _ranks(eligible: np.ndarray, combined: np.ndarray, jury: np.ndarray, votes: np.ndarray) -> tuple:
    """Competition ranks of the eligible entries (rule 8) and their positions in rank order (ties in input order)."""
    idx = np.flatnonzero(eligible)
    c, j, v = np.round(combined[idx], TIE_DECIMALS), np.round(jury[idx], TIE_DECIMALS), votes[idx]
    order = np.lexsort((idx, -v, -j, -c))  # last key is primary
    c, j, v = c[order], j[order], v[order]
    new = np.ones(len(idx), dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (j[1:] != j[:-1]) | (v[1:] != v[:-1])
    ranks = np.maximum.accumulate(np.where(new, np.arange(1, len(idx) + 1), 0))
    return idx[order], ranks


def _floats(array: np.ndarray) -> list[float | None]:
    return [None if value != value else value for value in array.tolist()]


def score_contest(contest: Mapping[str, Any]) -> dict[str, Any]:
    """Score one contest (rules 1–8 in the module docstring).

    Input (plain JSON types; only ``criteria``, ``entries`` and ``judges`` are required, null means the default)::

        {"criteria": [{"id": "impact", "weight": 3, "scale": [1, 10]}, ...],
         "entries": ["E1", ...], "judges": ["J1", ...],
         "scores": {"J1": {"E1": {"impact": 7, ...}, ...}, ...},  # missing or null = not scored
         "recusals": [["J2", "E3"]], "votes": {"E1": 120}, "weights": {"jury": 0.7, "public": 0.3},
         "normalise": "none" | "z", "min_judges": 2}

    Output (numbers unrounded, null never NaN)::

        {"entries": {"E1": {"judges": int, "jury_score": float|None, "public_score": float, "votes": int,
                            "combined": float|None, "eligible": bool, "rank": int|None}, ...},
         "judges": {"J1": {"complete": int, "mean": float|None, "sd": float|None}, ...},  # raw totals
         "order": ["E3", "E1", ...],
         "incomplete": [["J1", "E2"], ...]}  # judge order, then entry order

    :raises ScoringError: (a ``ValueError``) on any invalid input, with a ``code`` and a message naming the ids.
    """
    if not isinstance(contest, Mapping):
        raise ScoringError("invalid_input", f"contest must be a mapping, got {type(contest).__name__}")
    unknown = sorted(str(key) for key in contest if key not in _KEYS)
    if unknown:
        raise ScoringError("unknown_key", f"contest: unknown key(s) {', '.join(unknown)}; allowed: {sorted(_KEYS)}")
    missing = [key for key in _REQUIRED if key not in contest]
    if missing:
        raise ScoringError("invalid_input", f"contest lacks {', '.join(missing)}")

    crit_ids, weights, lows, highs = _criteria(contest["criteria"])
    entries = _id_list(contest["entries"], "entries")
    judges = _id_list(contest["judges"], "judges")
    entry_index = {eid: e for e, eid in enumerate(entries)}
    judge_index = {jid: j for j, jid in enumerate(judges)}
    recused = _recusals(contest.get("recusals"), judge_index, entry_index)
    votes = _votes(contest.get("votes"), entry_index)
    w_jury, w_public = _weights(contest.get("weights"))
    normalise = _normaliser(contest.get("normalise"))
    min_judges = _min_judges(contest.get("min_judges"))

    scores = _score_array(contest.get("scores"), judges, entry_index, crit_ids, lows, highs)
    scored = ~np.isnan(scores)
    for j, e in recused:
        if scored[j, e].any():
            given = [cid for cid, s in zip(crit_ids, scored[j, e], strict=True) if s]
            raise ScoringError(
                "recused_scored",
                f"judge {judges[j]!r} is recused from entry {entries[e]!r} but scored it on {', '.join(given)}",
            )

    # Rule 2: totals of complete pairs (NaN elsewhere); pairs scored on some criteria only are incomplete.
    n_scored = scored.sum(axis=2)
    complete = n_scored == len(crit_ids)
    incomplete = (n_scored > 0) & ~complete
    totals = ((scores - lows) / (highs - lows)) @ weights / weights.sum()

    # Rules 4-7.
    normed = normalise(totals, complete)
    n_judges = complete.sum(axis=0)
    jury = np.divide(
        np.where(complete, normed, 0.0).sum(axis=0), n_judges, out=np.full(len(entries), np.nan), where=n_judges > 0
    )
    top = int(votes.max(initial=0))
    public = votes / top if top else np.zeros(len(entries))
    combined = w_jury * jury + w_public * public
    eligible = n_judges >= min_judges

    # Rule 8.
    ranked, ranks = _ranks(eligible, combined, jury, votes)
    rank_of = dict(zip(ranked.tolist(), ranks.tolist(), strict=True))
    order = [entries[e] for e in ranked.tolist()] + [entries[e] for e in np.flatnonzero(~eligible).tolist()]

    n_complete, mean, sd, spread = _judge_moments(totals, complete)
    sd = np.where(spread > FLAT_TOLERANCE, sd, 0.0)  # rule 4's s_j = 0 is published as 0
    rows = zip(
        entries,
        n_judges.tolist(),
        _floats(jury),
        public.tolist(),
        votes.tolist(),
        _floats(combined),
        eligible.tolist(),
        strict=True,
    )
    return {
        "entries": {
            eid: {
                "judges": k,
                "jury_score": js,
                "public_score": ps,
                "votes": v,
                "combined": cs,
                "eligible": ok,
                "rank": rank_of.get(e),
            }
            for e, (eid, k, js, ps, v, cs, ok) in enumerate(rows)
        },
        "judges": {
            jid: {
                "complete": k,
                "mean": m if k else None,
                "sd": s if k >= 2 else None,
            }
            for jid, k, m, s in zip(judges, n_complete.tolist(), mean.tolist(), sd.tolist(), strict=True)
        },
        "order": order,
        "incomplete": [[judges[j], entries[e]] for j, e in np.argwhere(incomplete).tolist()],
    }
