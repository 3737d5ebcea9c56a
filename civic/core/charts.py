"""Geometry for the server-rendered SVG charts of every module (no JavaScript, no inline styles: CSP-safe).

Pure functions, no Flask: they turn figures into coordinates, and the modules' Jinja macros draw them
(``templates/petitions/_macros.html``, ``templates/bureau/_macros.html``, ``templates/delphi/_charts.html``). Each
chart is shown beside a table carrying the same figures, for screen readers and exact values.

- ``horizontal_bars``: one labelled bar per row (petition signatures by district, bureau report sections);
- ``columns``: vertical columns on a baseline (petition signatures by day, a Delphi answer distribution);
- ``interval``, ``ranks``, ``convergence``: a number line with a box, dots per row, a series per round (Delphi).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bar:
    """One bar or column. ``value`` None means suppressed (e.g. fewer than 5 cases): nothing is drawn."""

    label: str
    value: float | None
    x: float
    y: float
    width: float
    height: float
    own: bool = False  # the viewer's own answer (highlighted)

    @property
    def cx(self) -> float:
        """The horizontal centre (for a column's labels)."""
        return round(self.x + self.width / 2, 1)


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    max_value: float = 0
    kind: str = "bars"
    title: str = ""
    #: Kind-specific extras (axis positions, ticks, a polyline) for the templates.
    shapes: dict = field(default_factory=dict)


def shorten(text, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_number(value: float | None) -> str:
    """An axis label: integers without decimals, others with at most two."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _largest(values) -> float:
    return max((v for v in values if v is not None), default=0)


def horizontal_bars(
    rows: list[tuple[str, float | None]],
    width: int = 640,
    label_width: int = 220,
    span: float | None = None,
    row_height: int = 26,
    bar_height: int | None = None,
    top: int = 6,
    bottom: int = 6,
    limit: int | None = 20,
) -> Chart:
    """One bar per row from ``x = label_width``; the largest value spans ``span`` (default: the width left after
    the labels and 70 px for the figure). Labels sit left of the bars, figures right of them."""
    rows = rows[:limit] if limit is not None else rows
    largest = _largest(value for _label, value in rows)
    span = width - label_width - 70 if span is None else span
    bar_height = row_height - 8 if bar_height is None else bar_height
    bars = [
        Bar(
            label,
            value,
            label_width,
            top + i * row_height,
            round(span * value / largest, 1) if value and largest else 0.0,
            bar_height,
        )
        for i, (label, value) in enumerate(rows)
    ]
    return Chart(width, top + len(rows) * row_height + bottom, bars, largest)


def columns(
    rows: list[tuple[str, float]],
    width: int = 640,
    height: int = 200,
    left: float = 48,
    right: float = 8,
    top: float = 16,
    bottom: float = 28,
    fill: float = 0.8,
    centred: bool = False,
    min_width: float = 1.0,
    highlight: int | None = None,
    fit_labels: bool = False,
    title: str = "",
) -> Chart:
    """One column per row in equal slots between ``left`` and ``width - right``; the tallest reaches ``top`` and the
    baseline is ``bottom`` above the foot. A column takes ``fill`` of its slot, at the slot's start or ``centred``;
    ``highlight`` marks the index of the viewer's own answer; ``fit_labels`` cuts labels to their slot (~7 px a
    character)."""
    largest = _largest(value for _label, value in rows)
    plot = height - top - bottom
    slot = (width - left - right) / max(len(rows), 1)
    offset = slot * (1 - fill) / 2 if centred else 0
    bars = []
    for i, (label, value) in enumerate(rows):
        h = plot * value / largest if largest else 0.0
        bars.append(
            Bar(
                shorten(label, max(3, int(slot / 7))) if fit_labels else label,
                value,
                round(left + i * slot + offset, 1),
                round(top + plot - h, 1),
                max(round(slot * fill, 1), min_width),
                round(h, 1),
                own=i == highlight,
            )
        )
    return Chart(
        width,
        height,
        bars,
        largest,
        title=title,
        shapes={"baseline": top + plot, "left": left, "right": width - right, "label_y": height - 12},
    )


def interval(
    title: str,
    q1: float,
    median: float,
    q3: float,
    low: float | None,
    high: float | None,
    own: float | None = None,
    width: int = 480,
) -> Chart:
    """A number line with the interquartile range as a box, the median as a line and the viewer's value."""
    spread = max(q3 - q1, abs(median) * 0.1, 1.0)
    points = [q1, q3] + ([own] if own is not None else [])
    lo = low if low is not None else min(points) - spread
    hi = high if high is not None else max(points) + spread
    lo, hi = min(lo, *points), max(hi, *points)
    left, right, height = 20, width - 20, 96
    scale = (right - left) / ((hi - lo) or 1.0)

    def at(value: float) -> float:
        return round(left + (value - lo) * scale, 1)

    shapes = {
        "axis_y": 60,
        "left": left,
        "right": right,
        "box": {"x": at(q1), "w": max(at(q3) - at(q1), 2)},
        "median": at(median),
        "ticks": [{"x": at(lo), "text": format_number(lo)}, {"x": at(hi), "text": format_number(hi)}],
        "median_text": format_number(median),
        "own": {"x": at(own), "text": format_number(own)} if own is not None else None,
    }
    return Chart(width, height, kind="interval", title=title, shapes=shapes)


def ranks(title: str, rows: list[tuple[str, float, float | None]], n_options: int, width: int = 480) -> Chart:
    """One line per option: the group's mean rank as a dot on 1..n, the viewer's own rank as a diamond."""
    left, right, row_h, top = 150, width - 16, 26, 24
    scale = (right - left) / max(n_options - 1, 1)

    def at(rank: float) -> float:
        return round(left + (rank - 1) * scale, 1)

    lines = [
        {
            "y": top + i * row_h,
            "label": shorten(label, 22),
            "mean": at(mean),
            "mean_text": format_number(mean),
            "own": at(own) if own is not None else None,
        }
        for i, (label, mean, own) in enumerate(rows)
    ]
    ticks = [{"x": at(r), "text": str(r)} for r in range(1, n_options + 1)]
    return Chart(
        width,
        top + len(rows) * row_h + 10,
        kind="ranks",
        title=title,
        shapes={"lines": lines, "ticks": ticks, "left": left, "right": right},
    )


def convergence(
    title: str,
    rounds: list[int],
    medians: list[float | None],
    q1s: list[float | None],
    q3s: list[float | None],
    y_min: float,
    y_max: float,
    percent: bool = False,
    width: int = 480,
) -> Chart:
    """A value per round (median or share) with its interquartile range as a vertical bar, joined by a line."""
    left, right, top, bottom, height = 64, width - 40, 14, 30, 180
    plot = height - top - bottom
    step = (right - left) / max(len(rounds) - 1, 1)
    span = (y_max - y_min) or 1.0

    def y(value: float) -> float:
        return round(top + plot - (value - y_min) / span * plot, 1)

    marks = []
    for index, number in enumerate(rounds):
        x = round(left + index * step if len(rounds) > 1 else (left + right) / 2, 1)
        marks.append(
            {
                "x": x,
                "round": number,
                "y": y(medians[index]) if medians[index] is not None else None,
                "lo": y(q1s[index]) if q1s[index] is not None else None,
                "hi": y(q3s[index]) if q3s[index] is not None else None,
            }
        )
    line = " ".join(f"{m['x']},{m['y']}" for m in marks if m["y"] is not None)
    fmt = (lambda v: f"{round(v * 100)}%") if percent else format_number
    return Chart(
        width,
        height,
        kind="convergence",
        title=title,
        shapes={
            "marks": marks,
            "line": line,
            "left": left,
            "right": right,
            "top": top,
            "bottom": top + plot,
            "y_top": fmt(y_max),
            "y_bottom": fmt(y_min),
            "label_y": height - 8,
        },
    )
