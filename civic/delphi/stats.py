"""Delphi convergence statistics (spec v1.0): per-round statistics, stability, verdicts and the stopping rule.

Pure numpy/scipy, no Flask and no SQLAlchemy. Work is vectorised over items and panelists; Python loops only run over
rounds, scale points and the small per-item report dictionaries. Decisions the spec leaves open are recorded in
docs/delphi-stats.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special, stats

Array = npt.NDArray[Any]
Json = dict[str, Any]

SPEC_VERSION = "1.0"
TOL = 1e-12
ITEM_TYPES = ("likert", "numeric", "ranking", "binary")
PRESETS = ("default", "comet_70_15", "rand_ucla")
DONT_KNOW = "dont_know"
ABSTAIN = "abstain"

DEFAULT_CONFIG: dict[str, Any] = {
    "n_min": 5,
    "agree_threshold": 0.75,
    "modal_threshold": 0.75,
    "bands": None,  # None: per-k defaults of §1.1
    "iqr_max": None,  # None: 1 for k <= 7, 2 for k >= 8
    "cv_max": 0.5,
    "w_min": 0.7,
    "alpha": 0.05,
    "tvd_max": 0.15,
    "rel_median_change_max": 0.15,
    "cv_change_max": 0.10,
    "delta_w_max": 0.05,
    "min_rounds": 2,
    "max_rounds": 3,
    "min_response_rate": 0.70,
    "tw_min": None,
    "preset": "default",
    "retire_closed_items": True,
    "comet_in_min": 0.70,  # comet_70_15: >= 70 % in the agree band ...
    "comet_other_max": 0.15,  # ... and < 15 % in the disagree band
}

_DEFAULT_BANDS = {5: ((4, 5), (1, 2)), 7: ((5, 7), (1, 3)), 9: ((7, 9), (1, 3)), 10: ((8, 10), (1, 3))}
_SCHMIDT = ((0.3, "very_weak"), (0.5, "weak"), (0.7, "moderate"), (0.9, "strong"))
_LANDIS_KOCH = ((0.81, "almost_perfect"), (0.61, "substantial"), (0.41, "moderate"), (0.21, "fair"), (0.0, "slight"))


# --------------------------------------------------------------------------------------------------------------------
# Scalar helpers: tolerant comparisons and JSON conversion
# --------------------------------------------------------------------------------------------------------------------


def _ge(a: float | None, b: float) -> bool:
    """Return a >= b with the spec's 1e-12 tolerance; None never passes."""
    return a is not None and a >= b - TOL


def _le(a: float | None, b: float) -> bool:
    """Return a <= b with the spec's 1e-12 tolerance; None never passes."""
    return a is not None and a <= b + TOL


def _num(x: Any) -> float | None:
    """Return a finite float, or None for NaN/inf/None."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _clean(v: Any) -> Any:
    """Replace non-finite floats by None, recursively through lists."""
    if isinstance(v, list):
        return [_clean(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _column(a: Any) -> list[Any]:
    """Turn a per-item array (or list) into a list of plain JSON values."""
    if isinstance(a, np.ndarray):
        return _clean(a.tolist()) if a.dtype.kind == "f" else a.tolist()
    return list(a)


def _rows(ids: tuple[Any, ...], cols: dict[str, Any]) -> dict[Any, Json]:
    """Transpose per-item columns into {item_id: {field: value}} keeping the field order."""
    lists = {name: _column(col) for name, col in cols.items()}
    return {item: {name: col[j] for name, col in lists.items()} for j, item in enumerate(ids)}


def _mask(ok: Array, values: Array) -> Array:
    """Return values where ok holds and NaN elsewhere."""
    return np.where(ok, values, np.nan)


def _is_consensus(verdict: str | None) -> bool:
    """Tell whether a verdict counts as a consensus for the stopping rule."""
    return verdict is not None and (verdict.startswith("consensus") or verdict in ("appropriate", "inappropriate"))


# --------------------------------------------------------------------------------------------------------------------
# Parsing the study dict
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Study:
    """One single-type study, validated and encoded as arrays."""

    kind: str
    sid: Any
    ids: tuple[Any, ...]
    panelists: tuple[Any, ...]
    data: Array  # (rounds, panelists, items): int8 codes with 0 = missing (likert, binary), else float64 with NaN
    dont_know: Array  # (rounds, items)
    abstain: Array  # (rounds, items)
    responded: Array  # (rounds, panelists) bool
    invited: tuple[int, ...]
    cfg: dict[str, Any]
    k: int = 0  # likert scale points, or number of categories
    categories: tuple[Any, ...] = ()
    agree: tuple[int, int] = (0, 0)
    disagree: tuple[int, int] = (0, 0)
    iqr_max: float = 1.0
    rand: bool = False
    scores: bool = False
    ratio: Array | None = None
    yes: int | None = None  # 0-based index of the "yes" category (binary items with two categories)


def _config(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Merge config overrides over the §3 defaults, rejecting unknown keys."""
    cfg = dict(DEFAULT_CONFIG)
    unknown = set(overrides or {}) - set(cfg)
    if unknown:
        raise ValueError(f"unknown config keys: {sorted(unknown)}")
    cfg.update(overrides or {})
    if cfg["preset"] not in PRESETS:
        raise ValueError(f"preset must be one of {PRESETS}")
    if cfg["n_min"] < 1 or cfg["min_rounds"] < 1 or cfg["max_rounds"] < 1:
        raise ValueError("n_min, min_rounds and max_rounds must be >= 1")
    return cfg


def _kind(study: dict[str, Any]) -> str:
    """Return the normalised item type; "categorical" is an alias of "binary"."""
    kind = study.get("type")
    kind = "binary" if kind == "categorical" else kind
    if kind not in ITEM_TYPES:
        raise ValueError(f"type must be one of {ITEM_TYPES} (or 'categorical', or 'mixed' with parts)")
    return kind


def _unique(values: Any, what: str) -> tuple[Any, ...]:
    """Return values as a tuple, rejecting duplicates."""
    out = tuple(values or ())
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate {what}")
    return out


def _likert_scale(study: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    """Resolve k, the agree/disagree bands and iqr_max of a Likert study."""
    scale = study.get("scale")
    if not scale or len(scale) != 2 or scale[0] != 1 or not 2 <= int(scale[1]) <= 120:
        raise ValueError("likert items need scale [1, k] with 2 <= k <= 120")
    k = int(scale[1])
    bands = cfg["bands"] or study.get("bands")
    if bands is None:
        mid = (k + 1) / 2  # outside the spec's table: the points strictly above / below the midpoint
        agree, disagree = _DEFAULT_BANDS.get(k, ((math.floor(mid) + 1, k), (1, math.ceil(mid) - 1)))
    else:
        agree, disagree = tuple(bands["agree"]), tuple(bands["disagree"])
    for lo, hi in (agree, disagree):
        if not 1 <= lo <= hi <= k:
            raise ValueError("bands must be [lo, hi] within the scale")
    iqr_max = cfg["iqr_max"] if cfg["iqr_max"] is not None else study.get("iqr_max")
    iqr_max = float(iqr_max if iqr_max is not None else (1 if k <= 7 else 2))
    rand = k == 9 or cfg["preset"] == "rand_ucla"
    return {
        "k": k,
        "agree": tuple(map(int, agree)),
        "disagree": tuple(map(int, disagree)),
        "iqr_max": iqr_max,
        "rand": rand,
    }


def _binary_scale(study: dict[str, Any]) -> dict[str, Any]:
    """Resolve the categories and the "yes" category of a binary/categorical study."""
    cats = _unique(study.get("categories", [0, 1]), "categories")
    if not 2 <= len(cats) <= 120:
        raise ValueError("binary/categorical items need 2..120 categories")
    yes = None
    if len(cats) == 2:
        wanted = study.get("yes_category")
        if wanted is None:
            wanted = next((c for c in (1, "yes") if c in cats), cats[1])
        if wanted not in cats:
            raise ValueError("yes_category is not one of the categories")
        yes = cats.index(wanted)
    return {"k": len(cats), "categories": cats, "yes": yes}


def _ratio_mask(study: dict[str, Any], ids: tuple[Any, ...]) -> Array:
    """Return which numeric items are ratio-scale (CV allowed): True, False or a list of item ids."""
    ratio = study.get("ratio_scale", True)
    if isinstance(ratio, bool):
        return np.full(len(ids), ratio)
    chosen = set(ratio)
    return np.array([i in chosen for i in ids], dtype=bool)


def _parse(study: dict[str, Any]) -> _Study:
    """Validate a single-type study dict and encode its answers as arrays."""
    kind = _kind(study)
    cfg = _config(study.get("config"))
    panelists = _unique(study.get("panelists"), "panelists")
    key = "options" if kind == "ranking" and "options" in study else "items"
    ids = _unique(study.get(key), "items/options")
    extra: dict[str, Any] = {}
    if kind == "likert":
        extra = _likert_scale(study, cfg)
        cfg = {
            **cfg,
            "bands": {"agree": list(extra["agree"]), "disagree": list(extra["disagree"])},
            "iqr_max": extra["iqr_max"],
        }
    elif kind == "binary":
        extra = _binary_scale(study)
    elif kind == "ranking":
        if study.get("input_kind", "ranks") not in ("ranks", "scores"):
            raise ValueError("input_kind must be 'ranks' or 'scores'")
        extra = {"scores": study.get("input_kind") == "scores"}
    else:
        extra = {"ratio": _ratio_mask(study, ids)}
    data, dk, ab, responded = _encode(study.get("responses"), kind, extra, panelists, ids)
    invited = study.get("invited") or [len(panelists)] * data.shape[0]
    if len(invited) != data.shape[0]:
        raise ValueError("invited needs one count per round")
    sid = study.get("id", "ranking" if kind == "ranking" else None)
    return _Study(
        kind=kind,
        sid=sid,
        ids=ids,
        panelists=panelists,
        data=data,
        dont_know=dk,
        abstain=ab,
        responded=responded,
        invited=tuple(int(v) for v in invited),
        cfg=cfg,
        **extra,
    )


# --------------------------------------------------------------------------------------------------------------------
# Encoding answers: nested JSON-like lists/dicts or a ready (rounds, panelists, items) array
# --------------------------------------------------------------------------------------------------------------------


def _encode(
    responses: Any, kind: str, extra: dict[str, Any], panelists: tuple[Any, ...], ids: tuple[Any, ...]
) -> tuple[Array, Array, Array, Array]:
    """Encode all rounds; returns data, don't-know counts, abstain counts and the responded mask."""
    shape = (len(panelists), len(ids))
    if isinstance(responses, np.ndarray):
        arr = responses
        if arr.ndim != 3 or arr.shape[1:] != shape:
            raise ValueError(f"responses array must have shape (rounds, {shape[0]}, {shape[1]})")
        zeros = np.zeros((arr.shape[0], shape[1]), dtype=np.int64)
        rounds = [_encode_values(arr[r], kind, extra) for r in range(arr.shape[0])]
        data = np.stack(rounds) if rounds else _empty(kind, shape)
        return data, zeros, zeros, _present(data).any(axis=2)
    grids = [_round_rows(rnd, panelists, ids) for rnd in (responses or [])]
    parts = [_decode_round(rows, kind, extra, shape) for rows in grids]
    if not parts:
        empty = np.zeros((0, shape[1]), dtype=np.int64)
        return _empty(kind, shape), empty, empty, np.zeros((0, shape[0]), dtype=bool)
    data, dk, ab, responded = (np.stack(x) for x in zip(*parts, strict=True))
    return data, dk, ab, responded


def _empty(kind: str, shape: tuple[int, int]) -> Array:
    """Return an empty (0, panelists, items) data array of the right dtype."""
    return np.zeros((0, *shape), dtype=np.int8 if kind in ("likert", "binary") else np.float64)


def _present(data: Array) -> Array:
    """Return the mask of given answers for encoded data."""
    return data != 0 if data.dtype == np.int8 else ~np.isnan(data)


def _round_rows(rnd: Any, panelists: tuple[Any, ...], ids: tuple[Any, ...]) -> list[list[Any]]:
    """Return one round as panelists x items cells; rows may be lists, dicts or None, rounds lists or dicts."""
    if isinstance(rnd, dict):
        unknown = set(rnd) - set(panelists)
        if unknown:
            raise ValueError(f"responses name unknown panelists: {sorted(map(str, unknown))[:5]}")
        rows = [rnd.get(p) for p in panelists]
    else:
        rows = list(rnd)
        if len(rows) != len(panelists):
            raise ValueError("each round needs one row per panelist")
    known = frozenset(ids)
    out = []
    for row in rows:
        if row is None:
            out.append([None] * len(ids))
        elif isinstance(row, dict):
            if not row.keys() <= known:
                raise ValueError(f"responses name unknown items: {sorted(map(str, row.keys() - known))[:5]}")
            out.append([row.get(i) for i in ids])
        else:
            row = list(row)
            if len(row) != len(ids):
                raise ValueError("each response row needs one cell per item")
            out.append(row)
    return out


def _decode_round(
    rows: list[list[Any]], kind: str, extra: dict[str, Any], shape: tuple[int, int]
) -> tuple[Array, Array, Array, Array]:
    """Turn one round of cells into encoded values plus don't-know/abstain counts and the responded mask."""
    categories = extra.get("categories", ())
    if not (kind == "binary" and not all(_is_real(c) for c in categories)):
        try:  # fast path: numbers and None only (None becomes NaN)
            values = np.array(rows, dtype=np.float64).reshape(shape)
            return _encode_values(values, kind, extra), *_no_markers(shape), ~np.isnan(values).all(axis=1)
        except (TypeError, ValueError):
            pass  # text cells (don't know, abstain, category labels): decode cell by cell
    dk = np.zeros(shape[1], dtype=np.int64)
    ab = np.zeros(shape[1], dtype=np.int64)
    values = np.full(shape, np.nan)
    responded = np.zeros(shape[0], dtype=bool)
    lookup = {c: float(j) for j, c in enumerate(categories)}
    for p, row in enumerate(rows):
        for i, v in enumerate(row):
            if v is None:
                continue
            responded[p] = True
            if isinstance(v, str) and v in (DONT_KNOW, ABSTAIN):
                (dk if v == DONT_KNOW else ab)[i] += 1
            elif kind == "binary":
                if v not in lookup:
                    raise ValueError(f"answer {v!r} is not one of the categories")
                values[p, i] = lookup[v]
            else:
                values[p, i] = _to_float(v)
    if kind == "binary":  # values hold 0-based category indices here
        return np.where(np.isnan(values), 0, values + 1).astype(np.int8), dk, ab, responded
    return _encode_values(values, kind, extra), dk, ab, responded


def _no_markers(shape: tuple[int, int]) -> tuple[Array, Array]:
    """Return zero don't-know and abstain counts."""
    return np.zeros(shape[1], dtype=np.int64), np.zeros(shape[1], dtype=np.int64)


def _is_real(v: Any) -> bool:
    """Tell whether a category is a plain number (so answers can be matched as floats)."""
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _to_float(v: Any) -> float:
    """Convert one answer to float, rejecting text other than the don't-know/abstain markers."""
    if isinstance(v, str):
        raise ValueError(f"unexpected text answer {v!r} (only {DONT_KNOW!r} and {ABSTAIN!r} are allowed)")
    return float(v)


def _encode_values(values: Array, kind: str, extra: dict[str, Any]) -> Array:
    """Encode one round: Likert codes 1..k and category codes 1..K as int8 (0 = missing), other types float64."""
    if kind == "likert":
        return _likert_codes(values, extra["k"])
    if kind == "binary":
        return _category_codes(values, extra["categories"])
    return np.asarray(values, dtype=np.float64)


def _likert_codes(values: Array, k: int) -> Array:
    """Validate Likert answers (integers 1..k; NaN, or 0 in integer arrays, = missing) and return int8 codes."""
    v = np.asarray(values)
    if v.dtype.kind in "iub":
        bad = (v < 0) | (v > k)
        codes = v
    else:
        v = v.astype(np.float64)
        given = ~np.isnan(v)
        with np.errstate(invalid="ignore"):
            bad = given & ((v != np.round(v)) | (v < 1) | (v > k))
        codes = np.where(given, v, 0)
    if bad.any():
        raise ValueError(f"likert answers must be integers in 1..{k}")
    return codes.astype(np.int8)


def _category_codes(values: Array, categories: tuple[Any, ...]) -> Array:
    """Return int8 category codes 1..K (0 = missing) from numeric category values (NaN = missing)."""
    if not all(_is_real(c) for c in categories):
        raise ValueError("array responses need numeric categories")
    v = np.asarray(values, dtype=np.float64)
    given = ~np.isnan(v)
    codes = np.zeros(v.shape, dtype=np.int8)
    for j, c in enumerate(categories):
        codes[given & (v == float(c))] = j + 1
    if (given & (codes == 0)).any():
        raise ValueError("answer is not one of the categories")
    return codes


# --------------------------------------------------------------------------------------------------------------------
# Array kernels (vectorised over items and panelists)
# --------------------------------------------------------------------------------------------------------------------


def _bincount2d(rows: int, width: int, cells: Array) -> Array:
    """Count codes per row: cells (panelists, rows) holds offsets already scaled into row*width + code."""
    return np.bincount(cells.ravel(), minlength=rows * width).reshape(rows, width)


def _index_dtype(size: int) -> type:
    """Return the narrowest safe integer dtype for flat count indices (int32 halves the memory traffic)."""
    return np.int32 if size < 2**31 else np.int64


def _category_counts(codes: Array, k: int) -> Array:
    """Return C[item, c] = number of panelists with code c (0 = missing) in one round; one bincount pass."""
    n_items, width = codes.shape[1], k + 1
    dtype = _index_dtype(n_items * width)
    return _bincount2d(n_items, width, np.arange(n_items, dtype=dtype) * width + codes)


def _row_counts(codes: Array, k: int) -> Array:
    """Return C[panelist, c] = number of items a panelist answered with code c."""
    n_rows, width = codes.shape[0], k + 1
    dtype = _index_dtype(n_rows * width)
    return _bincount2d(n_rows, width, np.arange(n_rows, dtype=dtype)[:, None] * width + codes)


def _joint_counts(prev: Array, nxt: Array, k: int) -> Array:
    """Return J[item, a, b] = panelists answering a in round r-1 and b in round r (code 0 = missing)."""
    n_items, width = prev.shape[1], k + 1
    dtype = _index_dtype(n_items * width * width)
    cells = np.arange(n_items, dtype=dtype) * (width * width) + prev.astype(dtype) * width + nxt
    return _bincount2d(n_items, width * width, cells).reshape(n_items, width, width)


def _lerp(a: Array, b: Array, t: Array) -> Array:
    """Interpolate exactly as numpy's quantile does (it switches formula at t >= 0.5)."""
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def _virtual_index(n: Array, q: float) -> tuple[Array, Array, Array]:
    """Return the lower/upper order-statistic indices and weights of type-7 quantile q for n values."""
    h = (n - 1) * q
    lo = np.floor(h)
    top = h >= n - 1  # numpy's boundary rule: both neighbours become the last value
    lo = np.where(top, n - 1, lo)
    hi = np.where(top, n - 1, lo + 1)
    return np.maximum(lo, 0).astype(np.int64), np.maximum(hi, 0).astype(np.int64), h - lo


def _count_quantiles(f: Array, values: Array, qs: tuple[float, ...]) -> list[Array]:
    """Type-7 quantiles per item from counts: the j-th order statistic is the first value whose cumsum exceeds j."""
    n = f.sum(axis=1)
    cum = np.cumsum(f, axis=1)
    last = len(values) - 1
    out = []
    for q in qs:
        lo, hi, g = _virtual_index(n, q)
        a = values[np.minimum((cum <= lo[:, None]).sum(axis=1), last)]
        b = values[np.minimum((cum <= hi[:, None]).sum(axis=1), last)]
        out.append(_mask(n > 0, _lerp(a, b, g)))
    return out


def _sorted_quantiles(s: Array, n: Array, qs: tuple[float, ...]) -> list[Array]:
    """Type-7 quantiles per column of a column-sorted array whose NaNs sort last."""
    out = []
    for q in qs:
        lo, hi, g = _virtual_index(n.astype(np.float64), q)
        if s.shape[0] == 0:
            out.append(np.full(s.shape[1], np.nan))
            continue
        a = np.take_along_axis(s, lo[None, :], axis=0)[0]
        b = np.take_along_axis(s, hi[None, :], axis=0)[0]
        out.append(_mask(n > 0, _lerp(a, b, g)))
    return out


def _column_ranks(a: Array) -> tuple[Array, Array, Array]:
    """Average ranks within each column ignoring NaN; returns ranks (NaN kept), counts and tie sums sum(t^3 - t)."""
    rows = a.shape[0]
    order = np.argsort(a, axis=0, kind="stable")  # NaN sorts last
    s = np.take_along_axis(a, order, axis=0)
    valid = ~np.isnan(s)
    idx = np.arange(rows)[:, None]
    starts = np.ones_like(valid)
    starts[1:] = s[1:] != s[:-1]
    ends = np.ones_like(valid)
    ends[:-1] = starts[1:]
    first = np.maximum.accumulate(np.where(starts, idx, 0), axis=0)
    last = np.minimum.accumulate(np.where(ends, idx, rows - 1)[::-1], axis=0)[::-1]
    size = (last - first + 1).astype(np.float64)
    ranks = np.empty_like(s, dtype=np.float64)
    np.put_along_axis(ranks, order, np.where(valid, (first + last) / 2 + 1, np.nan), axis=0)
    ties = np.where(valid & starts, size**3 - size, 0.0).sum(axis=0)
    return ranks, valid.sum(axis=0), ties


def _wilcoxon_columns(n_pairs: Array, n_nonzero: Array, t_plus: Array, t_minus: Array, ties: Array) -> dict[str, Array]:
    """Asymptotic Wilcoxon signed-rank (no continuity correction, tie-corrected variance) with a signed z."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n = n_nonzero.astype(np.float64)
        sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - ties / 48)
        z = _mask(n > 0, (t_plus - n * (n + 1) / 4) / sigma)
        p = 2 * special.ndtr(-np.abs(z))
    p = np.where((n == 0) & (n_pairs > 0), 1.0, p)  # every difference is 0: no shift (scipy would give NaN)
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


def _tvd(a: Array, b: Array) -> Array:
    """Total variation distance 0.5 * sum |p_a - p_b| between two rows of counts per item."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = a / a.sum(axis=1, keepdims=True)
        pb = b / b.sum(axis=1, keepdims=True)
        return 0.5 * np.abs(pa - pb).sum(axis=1)


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


# --------------------------------------------------------------------------------------------------------------------
# Per-round statistics by item type. Each returns (entry, raw): the JSON entry and the arrays transitions need.
# --------------------------------------------------------------------------------------------------------------------


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


def _asked(codes: Array, ids: tuple[Any, ...]) -> tuple[Array, tuple[Any, ...]]:
    """Keep the items somebody answered this round: retired (unasked) items would otherwise drop every judge."""
    asked = (codes != 0).any(axis=0)
    if asked.all():
        return codes, ids
    return codes[:, asked], tuple(i for i, keep in zip(ids, asked.tolist(), strict=True) if keep)


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
    return {"items": items, "fleiss_kappa": fleiss}, {"f": f.astype(np.float64)}


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


def _schmidt_label(w: float | None) -> str | None:
    """Schmidt 1997 interpretation of W as intervals: <0.3, <0.5, <0.7, <0.9, >=0.9."""
    if w is None:
        return None
    return next((name for cut, name in _SCHMIDT if not _ge(w, cut)), "unusually_strong")


# --------------------------------------------------------------------------------------------------------------------
# Stability between consecutive rounds (r-1 -> r). Each returns the transition entry without its round numbers.
# --------------------------------------------------------------------------------------------------------------------


def _deltas(prev: dict[str, Array], nxt: dict[str, Array]) -> dict[str, Array]:
    """Differences of the round statistics: IQR, median, |change| / |previous median| and CV."""
    dmed = nxt["median"] - prev["median"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(dmed == 0, 0.0, np.abs(dmed) / np.abs(prev["median"]))
    return {
        "delta_iqr": nxt["iqr"] - prev["iqr"],
        "delta_median": dmed,
        "rel_median_change": _mask(np.isfinite(rel), rel),
        "delta_cv": nxt["cv"] - prev["cv"],
    }


def _paired_counts(st: _Study, r: int) -> tuple[Array, Array]:
    """Return the joint count tensor over (r-1, r) and its part restricted to the paired set P."""
    joint = _joint_counts(st.data[r - 1], st.data[r], st.k).astype(np.float64)
    return joint, joint[:, 1:, 1:]


def _change_columns(jp: Array) -> tuple[Array, Array, Array, Array]:
    """Return n_pairs, tallies of +v and -v differences (v = 1..k-1) and the share of P that changed."""
    k = jp.shape[1]
    n_pairs = jp.sum(axis=(1, 2))
    pos = np.stack([np.trace(jp, offset=v, axis1=1, axis2=2) for v in range(1, k)], axis=1).reshape(len(jp), k - 1)
    neg = np.stack([np.trace(jp, offset=-v, axis1=1, axis2=2) for v in range(1, k)], axis=1).reshape(len(jp), k - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        changed = (pos + neg).sum(axis=1) / n_pairs
    return n_pairs, pos, neg, changed


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


def _binary_transition(st: _Study, r: int, prev: dict[str, Array], nxt: dict[str, Array]) -> Json:
    """McNemar (two categories), % changed and TVD per yes/no or categorical item, and its stability verdict."""
    joint, jp = _paired_counts(st, r)
    n_pairs = jp.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        changed = (n_pairs - np.trace(jp, axis1=1, axis2=2)) / n_pairs
    before, after = jp.sum(axis=2), jp.sum(axis=1)
    none = [None] * len(n_pairs)
    cols = {
        "mcnemar_exact": _mcnemar_columns(st, jp, n_pairs),
        "n_pairs": n_pairs.astype(np.int64),
        "pct_changed": changed,
        "mean_abs_change": none,
        "tvd": _tvd(before, after),
        "tvd_all_available": _tvd(prev["f"], nxt["f"]),
        "delta_iqr": none,
        "delta_median": none,
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


def _nested(ids: tuple[Any, ...], cols: dict[str, Array]) -> list[Json]:
    """Return per-item sub-dicts (for nested report blocks such as wilcoxon) in item order."""
    return list(_rows(ids, cols).values())


# --------------------------------------------------------------------------------------------------------------------
# Verdicts (§3) and stability verdicts (§2), evaluated on the plain per-item dicts
# --------------------------------------------------------------------------------------------------------------------


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


def _numeric_verdict(item: Json, cfg: dict[str, Any]) -> str:
    """Numeric consensus iff mean > 0 and CV <= cv_max (English & Kernan); CV is None off ratio scales."""
    if item["n"] < cfg["n_min"]:
        return "insufficient"
    ok = item["mean"] is not None and item["mean"] > TOL and _le(item["cv"], cfg["cv_max"])
    return "consensus" if ok else "no_consensus"


def _binary_verdict(item: Json, cfg: dict[str, Any]) -> str:
    """Categorical consensus on the mode iff the mode is unique and its share reaches modal_threshold."""
    if item["n"] < cfg["n_min"]:
        return "insufficient"
    if item["mode"] is not None and _ge(item["modal_share"], cfg["modal_threshold"]):
        return f"consensus_{item['mode']}"
    return "no_consensus"


def _ranking_verdict(kw: Json, cfg: dict[str, Any]) -> str:
    """Ranking consensus iff W >= w_min and p < alpha (Schmidt's 'strong')."""
    if kw["m"] < cfg["n_min"]:
        return "insufficient"
    strong = _ge(kw["W"], cfg["w_min"]) and kw["p"] is not None and not _ge(kw["p"], cfg["alpha"])
    return "consensus" if strong else "no_consensus"


def _likert_stable(item: Json, cfg: dict[str, Any]) -> bool:
    """Likert stability: |P| >= n_min, Wilcoxon p >= alpha and paired TVD <= tvd_max."""
    return (
        item["n_pairs"] >= cfg["n_min"]
        and _ge(item["wilcoxon"]["p"], cfg["alpha"])
        and _le(item["tvd"], cfg["tvd_max"])
    )


def _numeric_stable(item: Json, ratio: bool, cfg: dict[str, Any]) -> bool:
    """Numeric stability: |P| >= n_min, p >= alpha, relative median shift and (ratio scales) |delta CV| small."""
    cv_ok = not ratio or (item["delta_cv"] is not None and _le(abs(item["delta_cv"]), cfg["cv_change_max"]))
    return (
        item["n_pairs"] >= cfg["n_min"]
        and _ge(item["wilcoxon"]["p"], cfg["alpha"])
        and _le(item["rel_median_change"], cfg["rel_median_change_max"])
        and cv_ok
    )


def _binary_stable(item: Json, cfg: dict[str, Any]) -> bool:
    """Binary stability: |P| >= n_min, McNemar p >= alpha (two categories only) and paired TVD <= tvd_max."""
    mcnemar = item["mcnemar_exact"]
    return (
        item["n_pairs"] >= cfg["n_min"]
        and (mcnemar is None or _ge(mcnemar["p"], cfg["alpha"]))
        and _le(item["tvd"], cfg["tvd_max"])
    )


# --------------------------------------------------------------------------------------------------------------------
# Item status and the stopping decision (§3)
# --------------------------------------------------------------------------------------------------------------------


def _item_status(previous: str | None, verdict: str, stable: bool, r: int, cfg: dict[str, Any]) -> str:
    """Status of one item after round r: retired items stay closed; stable items close at r >= min_rounds."""
    if previous is not None and previous.startswith("closed") and cfg["retire_closed_items"]:
        return previous
    if r >= cfg["min_rounds"] and stable:
        return f"closed_consensus:{verdict}" if _is_consensus(verdict) else "closed_stable_dissensus"
    if verdict == "insufficient":
        return "insufficient_data"
    return f"open:{verdict}" if _is_consensus(verdict) else "open"


def _ranking_status(previous: str | None, verdict: str, stable: bool, r: int, cfg: dict[str, Any]) -> str:
    """Schmidt's rule as a status: strong and significant W closes with consensus, a W plateau closes without."""
    if previous is not None and previous.startswith("closed") and cfg["retire_closed_items"]:
        return previous
    if r >= cfg["min_rounds"] and verdict == "consensus":
        return "closed_consensus:consensus"
    if r >= cfg["min_rounds"] and stable and verdict != "insufficient":
        return "closed_stable_dissensus"
    if verdict == "insufficient":
        return "insufficient_data"
    return "open:consensus" if verdict == "consensus" else "open"


def _decision(r: int, statuses: dict[Any, str], rate: float | None, cfg: dict[str, Any], schmidt: bool) -> str:
    """The first applicable stopping decision after round r (Schmidt's variant for a ranking instrument)."""
    if r < cfg["min_rounds"]:
        return "continue"
    values = list(statuses.values())
    if schmidt and values and values[0].startswith("closed_consensus"):
        return "stop_consensus"
    if schmidt and values and values[0] == "closed_stable_dissensus":
        return "stop_w_plateau"
    if not schmidt and not any(s.startswith("open") for s in values):
        return "stop_all_items_closed"
    if r >= cfg["max_rounds"]:
        return "stop_max_rounds"
    if rate is not None and not _ge(rate, cfg["min_response_rate"]):
        return "pause_low_response_rate"
    return "continue"


def _stopping_entry(
    r: int, statuses: dict[Any, str], verdicts: dict[Any, str], rate: float | None, decision: str, cfg: dict[str, Any]
) -> Json:
    """One stopping record; at the round limit open items are listed with their last verdict as unconfirmed."""
    unconfirmed = {}
    if decision == "stop_max_rounds":
        unconfirmed = {i: verdicts[i] for i, s in statuses.items() if s.startswith("open")}
    return {
        "after_round": r,
        "response_rate": rate,
        "item_status": dict(statuses),
        "decision": decision,
        "unconfirmed": unconfirmed,
        "low_response_rate": rate is not None and not _ge(rate, cfg["min_response_rate"]),  # flagged every round
    }


def _part_statuses(st: _Study, per_round: list[Json], stability: list[Json]) -> list[tuple[dict, dict]]:
    """Per round: the status and last verdict of every item (a ranking instrument counts as one item)."""
    out: list[tuple[dict, dict]] = []
    previous: dict[Any, str] = {}
    for r, entry in enumerate(per_round, start=1):
        trans = stability[r - 2] if r >= 2 else None
        if st.kind == "ranking":
            verdicts = {st.sid: entry["verdict"]}
            stable = bool(trans and trans["stable"])
            statuses = {st.sid: _ranking_status(previous.get(st.sid), entry["verdict"], stable, r, st.cfg)}
        else:
            verdicts = {i: item["verdict"] for i, item in entry["items"].items()}
            statuses = {
                i: _item_status(previous.get(i), verdicts[i], bool(trans and trans["items"][i]["stable"]), r, st.cfg)
                for i in st.ids
            }
        out.append((statuses, verdicts))
        previous = statuses
    return out


# --------------------------------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------------------------------

_ROUND = {"likert": _likert_round, "numeric": _numeric_round, "binary": _binary_round, "ranking": _ranking_round}
_TRANSITION = {"likert": _likert_transition, "numeric": _numeric_transition, "binary": _binary_transition}


def _statistics(st: _Study) -> tuple[list[Json], list[Json]]:
    """Per-round entries and stability transitions of one single-type study (without round headers)."""
    rounds = [_ROUND[st.kind](st, r) for r in range(st.data.shape[0])]
    transitions = []
    for r in range(1, len(rounds)):
        (entry_prev, prev), (entry_next, nxt) = rounds[r - 1], rounds[r]
        if st.kind == "ranking":
            trans = _ranking_transition(st, r, prev, nxt, entry_prev["kendall_w"], entry_next["kendall_w"])
        else:
            trans = _TRANSITION[st.kind](st, r, prev, nxt)
        transitions.append({"from_round": r, "to_round": r + 1, **trans})
    return [entry for entry, _ in rounds], transitions


def _rates(responded: Array, invited: tuple[int, ...]) -> list[float | None]:
    """Response rate per round: responding / invited (None when nobody was invited)."""
    return [int(resp.sum()) / inv if inv > 0 else None for resp, inv in zip(responded, invited, strict=True)]


def _single_report(st: _Study) -> Json:
    """The full report of a single-type study."""
    entries, stability = _statistics(st)
    rates = _rates(st.responded, st.invited)
    per_round = [
        {"round": r, "responding_panelists": int(st.responded[r - 1].sum()), **entry}
        for r, entry in enumerate(entries, start=1)
    ]
    stopping = []
    for r, (statuses, verdicts) in enumerate(_part_statuses(st, entries, stability), start=1):
        decision = _decision(r, statuses, rates[r - 1], st.cfg, schmidt=st.kind == "ranking")
        stopping.append(_stopping_entry(r, statuses, verdicts, rates[r - 1], decision, st.cfg))
    head = {"spec_version": SPEC_VERSION, "type": st.kind, "config": st.cfg}
    if st.kind == "ranking":
        head["id"] = st.sid
    return {**head, "per_round": per_round, "stability": stability, "stopping": stopping}


def analyse_study(study: dict[str, Any]) -> dict[str, Any]:
    """Analyse a Delphi study (single item type per §5, or mixed with "parts") into a JSON-serialisable report."""
    if study.get("type") == "mixed" or "parts" in study:
        return analyse_mixed_study(study)
    return _single_report(_parse(study))


_PART_KEYS = (
    "id",
    "type",
    "scale",
    "bands",
    "iqr_max",
    "categories",
    "yes_category",
    "input_kind",
    "items",
    "options",
    "ratio_scale",
)


def _split_mixed(study: dict[str, Any]) -> list[dict[str, Any]]:
    """Split a mixed study into single-type sub-studies sharing panelists, config and invitations."""
    parts = study.get("parts") or []
    columns: list[Any] = []
    subs = []
    for j, part in enumerate(parts):
        unknown = set(part) - set(_PART_KEYS)
        if unknown:
            raise ValueError(f"unknown part keys: {sorted(unknown)}")
        ids = list(
            part.get("options") if part.get("type") == "ranking" and "options" in part else part.get("items") or []
        )
        sub = {key: part[key] for key in _PART_KEYS if key in part}
        sub["id"] = part.get("id", f"part{j + 1}")
        subs.append((sub, len(columns), ids))
        columns.extend(ids)
    _unique(columns, "item/option ids across parts")
    _unique([sub["id"] for sub, _, _ in subs], "part ids")
    out = []
    for sub, start, ids in subs:
        responses = _slice_responses(study.get("responses"), start, ids, frozenset(columns))
        out.append(
            {
                **sub,
                "panelists": study.get("panelists"),
                "config": study.get("config"),
                "invited": study.get("invited"),
                "responses": responses,
            }
        )
    return out


def _slice_responses(responses: Any, start: int, ids: list[Any], known: frozenset[Any]) -> Any:
    """Cut one part's columns out of the shared responses (array, list rows by position, dict rows by id)."""
    if isinstance(responses, np.ndarray):
        return responses[:, :, start : start + len(ids)]
    wanted = frozenset(ids)

    def cut(row: Any) -> Any:
        """Return one panelist's row restricted to this part."""
        if row is None:
            return None
        if isinstance(row, dict):
            if not row.keys() <= known:
                raise ValueError(f"responses name unknown items: {sorted(map(str, row.keys() - known))[:5]}")
            return {i: v for i, v in row.items() if i in wanted}
        return list(row)[start : start + len(ids)]

    out = []
    for rnd in responses or []:
        out.append({p: cut(row) for p, row in rnd.items()} if isinstance(rnd, dict) else [cut(row) for row in rnd])
    return out


def analyse_mixed_study(study: dict[str, Any]) -> dict[str, Any]:
    """Analyse a study mixing item types; items merge into one report and the stopping decision is combined."""
    subs = _split_mixed(study)
    parts = [_parse(sub) for sub in subs]
    if not parts:
        raise ValueError("a mixed study needs at least one part")
    cfg = _config(study.get("config"))
    rounds = parts[0].data.shape[0]
    if any(st.data.shape[0] != rounds for st in parts):
        raise ValueError("all parts need the same number of rounds")
    responded = np.logical_or.reduce([st.responded for st in parts])
    invited = parts[0].invited
    rates = _rates(responded, invited)
    stats_by_part = [(st, *_statistics(st)) for st in parts]
    per_round = [_merge_round(r, int(responded[r].sum()), stats_by_part) for r in range(rounds)]
    stability = [_merge_transition(t, stats_by_part) for t in range(max(rounds - 1, 0))]
    return {
        "spec_version": SPEC_VERSION,
        "type": "mixed",
        "config": cfg,
        "parts": {st.sid: st.kind for st in parts},
        "per_round": per_round,
        "stability": stability,
        "stopping": _merge_stopping(stats_by_part, rates, cfg),
    }


def _merge_round(r: int, responding: int, stats_by_part: list[tuple[_Study, list[Json], list[Json]]]) -> Json:
    """One merged per-round entry: items of all parts together, round-level blocks under parts[part_id]."""
    items: Json = {}
    blocks: Json = {}
    for st, entries, _ in stats_by_part:
        entry = entries[r]
        items.update(entry.get("items", {}))
        blocks[st.sid] = {"type": st.kind, **{key: v for key, v in entry.items() if key != "items"}}
    return {"round": r + 1, "responding_panelists": responding, "items": items, "parts": blocks}


def _merge_transition(t: int, stats_by_part: list[tuple[_Study, list[Json], list[Json]]]) -> Json:
    """One merged stability entry: item transitions together, transition-level blocks under parts[part_id]."""
    items: Json = {}
    blocks: Json = {}
    for st, _, transitions in stats_by_part:
        trans = transitions[t]
        items.update(trans.get("items", {}))
        blocks[st.sid] = {
            "type": st.kind,
            **{key: v for key, v in trans.items() if key not in ("items", "from_round", "to_round")},
        }
    return {"from_round": t + 1, "to_round": t + 2, "items": items, "parts": blocks}


def _merge_stopping(
    stats_by_part: list[tuple[_Study, list[Json], list[Json]]], rates: list[float | None], cfg: dict[str, Any]
) -> list[Json]:
    """Combined stopping: stop when no item of any part is open, or at the round limit; part decisions kept."""
    tracks = [(st, _part_statuses(st, entries, stability)) for st, entries, stability in stats_by_part]
    out = []
    for r in range(1, len(rates) + 1):
        statuses: dict[Any, str] = {}
        verdicts: dict[Any, str] = {}
        part_decisions = {}
        for st, track in tracks:
            part_status, part_verdicts = track[r - 1]
            statuses.update(part_status)
            verdicts.update(part_verdicts)
            part_decisions[st.sid] = _decision(r, part_status, rates[r - 1], st.cfg, schmidt=st.kind == "ranking")
        decision = _decision(r, statuses, rates[r - 1], cfg, schmidt=False)
        entry = _stopping_entry(r, statuses, verdicts, rates[r - 1], decision, cfg)
        entry["part_decisions"] = part_decisions
        out.append(entry)
    return out


def panel_feedback(item: dict[str, Any], n_min: int = 5) -> dict[str, Any] | None:
    """Return the aggregates §4 lets panelists see for one per-round item, or None below the n_min threshold."""
    if item.get("display_suppressed") or (item.get("n") or 0) < n_min:
        return None
    allowed = ("n", "median", "q1", "q3", "iqr", "counts", "proportions", "pct_agree", "pct_disagree", "tw_consensus")
    return {key: item[key] for key in allowed if key in item}
