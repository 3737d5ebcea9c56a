"""Input parsing: validate a study dict and encode its answers as (rounds, panelists, items) arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from civic.delphi.stats.common import ABSTAIN, DEFAULT_CONFIG, DONT_KNOW, ITEM_TYPES, PRESETS, Array

_DEFAULT_BANDS = {5: ((4, 5), (1, 2)), 7: ((5, 7), (1, 3)), 9: ((7, 9), (1, 3)), 10: ((8, 10), (1, 3))}


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
