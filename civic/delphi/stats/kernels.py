"""Array kernels vectorised over items and panelists: count tensors, type-7 quantiles, ranks and deltas."""

from __future__ import annotations

from typing import Any

import numpy as np

from civic.delphi.stats.common import Array, _mask
from civic.delphi.stats.parsing import _Study


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


def _tvd(a: Array, b: Array) -> Array:
    """Total variation distance 0.5 * sum |p_a - p_b| between two rows of counts per item."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = a / a.sum(axis=1, keepdims=True)
        pb = b / b.sum(axis=1, keepdims=True)
        return 0.5 * np.abs(pa - pb).sum(axis=1)


def _asked(codes: Array, ids: tuple[Any, ...]) -> tuple[Array, tuple[Any, ...]]:
    """Keep the items somebody answered this round: retired (unasked) items would otherwise drop every judge."""
    asked = (codes != 0).any(axis=0)
    if asked.all():
        return codes, ids
    return codes[:, asked], tuple(i for i, keep in zip(ids, asked.tolist(), strict=True) if keep)


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
