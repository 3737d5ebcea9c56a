"""Item types: scale presets and labels, parsing and checking one answer, showing a value in words."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civic.core.i18n import current_language
from civic.delphi.models import DelphiItem, ItemKind

KIND_LABELS = {
    ItemKind.LIKERT: _l("Rating scale (Likert)"),
    ItemKind.NUMERIC: _l("Numeric estimate"),
    ItemKind.RANKING: _l("Ranking of options"),
    ItemKind.YES_NO: _l("Yes / no"),
    ItemKind.CATEGORICAL: _l("One choice among options"),
}
KIND_HELP = {
    ItemKind.LIKERT: _l(
        "Panelists rate a statement on a scale with labelled points, e.g. 1 to 5 or the RAND/UCLA "
        "1 to 9 appropriateness scale."
    ),
    ItemKind.NUMERIC: _l("Panelists give a number (an amount, a share, a year) with a unit and optional bounds."),
    ItemKind.RANKING: _l("Panelists order a list of options from the highest priority to the lowest."),
    ItemKind.YES_NO: _l("Panelists answer yes or no."),
    ItemKind.CATEGORICAL: _l("Panelists pick one option from a short list."),
}

#: name -> (points, {point: label}); points without a label show only their number.
SCALE_PRESETS: dict[str, tuple[int, dict[int, Any]]] = {
    "agreement5": (
        5,
        {
            1: _l("Strongly disagree"),
            2: _l("Disagree"),
            3: _l("Neither agree nor disagree"),
            4: _l("Agree"),
            5: _l("Strongly agree"),
        },
    ),
    "agreement7": (
        7,
        {
            1: _l("Strongly disagree"),
            2: _l("Disagree"),
            3: _l("Somewhat disagree"),
            4: _l("Neither agree nor disagree"),
            5: _l("Somewhat agree"),
            6: _l("Agree"),
            7: _l("Strongly agree"),
        },
    ),
    "importance5": (
        5,
        {
            1: _l("Not important"),
            2: _l("Slightly important"),
            3: _l("Moderately important"),
            4: _l("Important"),
            5: _l("Very important"),
        },
    ),
    "importance9": (9, {1: _l("Not important"), 5: _l("Important but not critical"), 9: _l("Critical")}),
    "rand9": (9, {1: _l("Extremely inappropriate"), 5: _l("Uncertain"), 9: _l("Extremely appropriate")}),
}
SCALE_PRESET_LABELS = {
    "agreement5": _l("Agreement, 5 points"),
    "agreement7": _l("Agreement, 7 points"),
    "importance5": _l("Importance, 5 points"),
    "importance9": _l("Importance, 9 points (GRADE/COMET: 7–9 critical)"),
    "rand9": _l("Appropriateness, 9 points (RAND/UCLA method)"),
    "custom": _l("Custom: choose the number of points and label both ends"),
}
CUSTOM_POINTS = (3, 4, 5, 6, 7, 9, 10, 11)
MAX_OPTIONS = 12
JUSTIFICATION_MAX = 2000


class AnswerProblem(ValueError):
    """An answer that does not fit its item; ``str()`` is the translated message."""


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str

    @property
    def caption(self) -> str:
        return f"{self.value} — {self.label}" if self.label else str(self.value)


def _translated(entry: dict | None) -> str:
    """Pick the current language from {"kk": ..., "ru": ..., "en": ...}, falling back through ru, kk, en."""
    entry = entry or {}
    for code in (current_language(), "ru", "kk", "en"):
        if entry.get(code):
            return entry[code]
    return ""


def scale_points(item: DelphiItem) -> list[ScalePoint]:
    """The labelled points of a Likert item."""
    k = item.scale_points or 5
    if item.scale_preset in SCALE_PRESETS:
        labels = SCALE_PRESETS[item.scale_preset][1]
        return [ScalePoint(v, str(labels.get(v, ""))) for v in range(1, k + 1)]
    ends = item.labels or {}
    return [
        ScalePoint(v, _translated(ends.get("low")) if v == 1 else _translated(ends.get("high")) if v == k else "")
        for v in range(1, k + 1)
    ]


def option_label(item: DelphiItem, option_id: str) -> str:
    for option in item.options or []:
        if option["id"] == option_id:
            return _translated(option)
    return option_id


def options(item: DelphiItem) -> list[tuple[str, str]]:
    """(option id, label) pairs in the organiser's order."""
    return [(option["id"], _translated(option)) for option in item.options or []]


def choices(item: DelphiItem) -> list[tuple[str, str]]:
    """The categories of a yes/no or categorical item as (value, label)."""
    if item.kind == ItemKind.YES_NO:
        return [("yes", _("Yes")), ("no", _("No"))]
    return options(item)


def format_number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def scale_range(q1: float, q3: float) -> tuple[int, int]:
    """The points of an integer scale between which the middle half of the answers lie: from ⌊Q1⌋ to ⌈Q3⌉.

    The quartiles follow the spec (linear interpolation, Hyndman-Fan type 7): Q1 = 3.25 means a quarter of the way
    from an answer 3 to an answer 4, so the answers around the quartiles are 3 and 5 for Q1 3.25 and Q3 4.75, and
    the page says "from 3 to 5" instead of a fraction no panelist could give. The verdicts keep the exact values."""
    return math.floor(q1 + 1e-9), math.ceil(q3 - 1e-9)


def likert_iqr_text(stat: dict) -> str:
    """The middle half of a Likert item's answers as points of the scale ("from 3 to 5")."""
    low, high = scale_range(stat["q1"], stat["q3"])
    if low == high:
        return _("all on point %(p)s", p=low)
    return _("from %(low)s to %(high)s", low=low, high=high)


def likert_iqr_note(stat: dict) -> str:
    """The footnote that explains the interpolated quartiles behind :func:`likert_iqr_text`."""
    return _(
        "Middle half of the answers: the points of the scale between which the middle half of the panel answered. "
        "The quartiles themselves are interpolated between neighbouring answers (Q1 %(q1)s, Q3 %(q3)s, "
        "interquartile range %(iqr)s), and the consensus rule uses these exact values.",
        q1=format_number(stat["q1"]),
        q3=format_number(stat["q3"]),
        iqr=format_number(stat["iqr"]),
    )


def describe(item: DelphiItem, value: Any) -> str:
    """A value in words, for the panelist's own answer."""
    if value is None:
        return "—"
    if item.kind == ItemKind.LIKERT:
        point = next((p for p in scale_points(item) if p.value == int(value)), None)
        return point.caption if point else str(value)
    if item.kind == ItemKind.NUMERIC:
        return f"{format_number(value)} {item.unit or ''}".strip()
    if item.kind == ItemKind.RANKING:
        ordered = sorted(value.items(), key=lambda pair: pair[1])
        return "; ".join(f"{rank}. {option_label(item, oid)}" for oid, rank in ordered)
    return dict(choices(item)).get(value, str(value))


def parse_value(item: DelphiItem, raw: Any) -> Any:
    """Turn submitted text into a stored value, or None when the item was left empty; raise AnswerProblem."""
    if item.kind == ItemKind.RANKING:
        return parse_ranking(item, raw or {})
    text = (raw or "").strip() if isinstance(raw, str) else raw
    if text in (None, ""):
        return None
    if item.kind == ItemKind.LIKERT:
        return _parse_point(item, text)
    if item.kind == ItemKind.NUMERIC:
        return _parse_number(item, text)
    if text not in dict(choices(item)):
        raise AnswerProblem(_("Choose one of the offered answers."))
    return text


def _parse_point(item: DelphiItem, text: str) -> int:
    k = item.scale_points or 5
    try:
        point = int(text)
    except (TypeError, ValueError):
        point = 0
    if not 1 <= point <= k:
        raise AnswerProblem(_("Choose a point of the scale from 1 to %(k)s.", k=k))
    return point


def _parse_number(item: DelphiItem, text: Any) -> float:
    try:
        number = float(str(text).replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise AnswerProblem(_("Enter a number, for example 12 or 3.5.")) from None
    if not math.isfinite(number):
        raise AnswerProblem(_("Enter a number, for example 12 or 3.5."))
    low, high = item.min_value, item.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        raise AnswerProblem(bounds_text(item))
    return number


def bounds_text(item: DelphiItem) -> str:
    low, high = item.min_value, item.max_value
    if low is not None and high is not None:
        return _("Enter a number from %(low)s to %(high)s.", low=format_number(low), high=format_number(high))
    if low is not None:
        return _("Enter a number of at least %(low)s.", low=format_number(low))
    if high is not None:
        return _("Enter a number of at most %(high)s.", high=format_number(high))
    return ""


def parse_ranking(item: DelphiItem, raw: dict[str, str]) -> dict[str, int] | None:
    """{option id: rank text} -> {option id: rank}; every rank 1..n exactly once, or all left empty (None)."""
    ids = item.option_ids()
    n = len(ids)
    given = {oid: str(raw.get(oid) if raw.get(oid) is not None else "").strip() for oid in ids}  # text or stored
    if not any(given.values()):
        return None
    ranks: dict[str, int] = {}
    for oid, text in given.items():
        if not text.isdigit() or not 1 <= int(text) <= n:
            raise AnswerProblem(_("Give every option a rank from 1 to %(n)s.", n=n))
        ranks[oid] = int(text)
    used = sorted(ranks.values())
    duplicate = next((r for r in used if used.count(r) > 1), None)
    if duplicate is not None:
        missing = min(set(range(1, n + 1)) - set(used))
        raise AnswerProblem(
            _(
                "Each rank from 1 to %(n)s must be used once: rank %(dup)s is used twice and rank "
                "%(missing)s is missing.",
                n=n,
                dup=duplicate,
                missing=missing,
            )
        )
    return ranks
