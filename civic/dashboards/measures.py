"""The measures every module declares in ``civic/<module>/indicators.py`` (the contract: docs/dashboards.md),
read through ``civic.modules.collect`` and checked once: the dashboards import no module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from civic.modules import collect

FLOW, STATE = "flow", "state"
ROLLUPS = ("sum", "max", "median")
UNITS = ("count", "days", "percent")
ACCOUNTABILITY_COLUMNS = ("received", "on_time", "late", "unanswered", "median_days")

#: Accountability families the dashboards know; a module may add one with ``family_label``.
FAMILIES = {
    "appeals": _l("Appeals (citizen advice bureau referrals)"),
    "petitions": _l("Petitions"),
    "recommendations": _l("Public council recommendations"),
}
ACCOUNTABILITY_LABELS = {
    "received": _l("Received"),
    "on_time": _l("Answered on time"),
    "late": _l("Answered late"),
    "unanswered": _l("Not answered, overdue"),
    "median_days": _l("Median answer time, days"),
}


class MeasureError(ValueError):
    """A module's measure does not follow the contract."""


@dataclass(frozen=True)
class Measure:
    key: str
    label: Any
    section: Any
    query: Callable
    kind: str = FLOW
    rollup: str = "sum"
    unit: str = "count"
    public: bool = False
    suppress_below: int = 0
    breakdown: Any = None
    accountability: tuple | None = None
    family_label: Any = None
    digest: bool = False
    #: Tables whose writes make the figures stale (``civic.dashboards.onchange``); empty: every table of the module
    sources: tuple = ()
    extra: dict = field(default_factory=dict)

    @property
    def module(self) -> str:
        return self.key.partition(".")[0]

    def part_label(self, part: str, categories: dict) -> str:
        if self.breakdown == "category":
            return categories.get(part, part)
        if isinstance(self.breakdown, dict):
            label = self.breakdown.get(part)
            if label is None:
                label = next((v for k, v in self.breakdown.items() if str(k) == part), part)
            return str(label)
        return part


KNOWN_KEYS = {f.name for f in Measure.__dataclass_fields__.values()} - {"extra"}


def normalise(spec: dict) -> Measure:
    if not isinstance(spec, dict):
        raise MeasureError(f"a measure must be a dict, not {type(spec).__name__}")
    missing = {"key", "label", "section", "query"} - set(spec)
    if missing:
        raise MeasureError(f"measure {spec.get('key')!r} lacks {sorted(missing)}")
    known = {k: v for k, v in spec.items() if k in KNOWN_KEYS}
    sources = known.get("sources", ())
    if isinstance(sources, str) or not all(isinstance(t, str) for t in sources):
        raise MeasureError(f"measure {spec.get('key')!r}: sources must be a list of table names")
    known["sources"] = tuple(sources)
    measure = Measure(**known, extra={k: v for k, v in spec.items() if k not in KNOWN_KEYS})
    key = measure.key
    if "." not in key or len(key) > 80:
        raise MeasureError(f"measure key {key!r} must be '<module>.<name>', at most 80 characters")
    if measure.kind not in (FLOW, STATE):
        raise MeasureError(f"{key}: kind must be 'flow' or 'state'")
    if measure.rollup not in ROLLUPS:
        raise MeasureError(f"{key}: rollup must be one of {ROLLUPS}")
    if measure.unit not in UNITS:
        raise MeasureError(f"{key}: unit must be one of {UNITS}")
    if not callable(measure.query):
        raise MeasureError(f"{key}: query must be callable")
    if measure.breakdown is not None and measure.breakdown != "category" and not isinstance(measure.breakdown, dict):
        raise MeasureError(f"{key}: breakdown must be 'category' or a dict")
    if measure.accountability is not None:
        family, column = measure.accountability
        if column not in ACCOUNTABILITY_COLUMNS:
            raise MeasureError(f"{key}: accountability column must be one of {ACCOUNTABILITY_COLUMNS}")
        if family not in FAMILIES and measure.family_label is None:
            raise MeasureError(f"{key}: a new accountability family {family!r} needs family_label")
    return measure


def all_measures() -> list[Measure]:
    """Every module's measures, in ``MODULES`` order; a duplicate key is an error."""
    measures, seen = [], set()
    for declared in collect("indicators", "MEASURES"):
        for spec in declared:
            measure = normalise(spec)
            if measure.key in seen:
                raise MeasureError(f"measure key {measure.key!r} declared twice")
            seen.add(measure.key)
            measures.append(measure)
    return measures


def by_key() -> dict[str, Measure]:
    return {m.key: m for m in all_measures()}


def family_labels() -> dict:
    labels = dict(FAMILIES)
    for m in all_measures():
        if m.accountability and m.accountability[0] not in labels:
            labels[m.accountability[0]] = m.family_label
    return labels
