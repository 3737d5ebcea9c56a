"""Shared constants, the default configuration and small helpers: tolerant comparisons and JSON conversion."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

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


def _nested(ids: tuple[Any, ...], cols: dict[str, Array]) -> list[Json]:
    """Return per-item sub-dicts (for nested report blocks such as wilcoxon) in item order."""
    return list(_rows(ids, cols).values())


def _is_consensus(verdict: str | None) -> bool:
    """Tell whether a verdict counts as a consensus for the stopping rule."""
    return verdict is not None and (verdict.startswith("consensus") or verdict in ("appropriate", "inappropriate"))
