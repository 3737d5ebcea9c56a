"""Geometry for the server-side SVG charts (templates/delphi/_charts.html draws them; no inline styles, no JS).

Every function returns plain dicts of numbers and short texts. Each chart is shown with a table carrying the same
figures in full, for screen readers and for reading exact values."""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 480
LABEL_CHARS = 16


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Chart:
    kind: str
    width: int
    height: int
    title: str
    shapes: dict = field(default_factory=dict)


def bars(title: str, labels: list[str], counts: list[int], highlight: int | None = None) -> Chart:
    """Vertical bars of a distribution; ``highlight`` is the index of the viewer's own answer."""
    height, top, bottom, left = 190, 26, 34, 8
    slot = (WIDTH - 2 * left) / max(len(counts), 1)
    tallest = max(max(counts, default=0), 1)
    plot = height - top - bottom
    items = []
    for index, (label, count) in enumerate(zip(labels, counts, strict=True)):
        h = plot * count / tallest
        x = left + index * slot + slot * 0.15
        items.append(
            {
                "x": round(x, 1),
                "y": round(top + plot - h, 1),
                "w": round(slot * 0.7, 1),
                "h": round(h, 1),
                "cx": round(x + slot * 0.35, 1),
                "label": _short(label, max(3, int(slot / 7))),
                "count": count,
                "own": index == highlight,
            }
        )
    return Chart(
        "bars",
        WIDTH,
        height,
        title,
        {"bars": items, "baseline": top + plot, "left": left, "right": WIDTH - left, "label_y": height - 12},
    )


def interval(
    title: str, q1: float, median: float, q3: float, low: float | None, high: float | None, own: float | None = None
) -> Chart:
    """A number line with the interquartile range as a box, the median as a line and the viewer's answer."""
    spread = max(q3 - q1, abs(median) * 0.1, 1.0)
    points = [q1, q3] + ([own] if own is not None else [])
    lo = low if low is not None else min(points) - spread
    hi = high if high is not None else max(points) + spread
    lo, hi = min(lo, *points), max(hi, *points)
    left, right, height = 20, WIDTH - 20, 96
    scale = (right - left) / ((hi - lo) or 1.0)

    def at(value: float) -> float:
        return round(left + (value - lo) * scale, 1)

    shapes = {
        "axis_y": 60,
        "left": left,
        "right": right,
        "box": {"x": at(q1), "w": max(at(q3) - at(q1), 2)},
        "median": at(median),
        "ticks": [{"x": at(lo), "text": _num(lo)}, {"x": at(hi), "text": _num(hi)}],
        "median_text": _num(median),
        "own": {"x": at(own), "text": _num(own)} if own is not None else None,
    }
    return Chart("interval", WIDTH, height, title, shapes)


def ranks(title: str, rows: list[tuple[str, float, float | None]], n_options: int) -> Chart:
    """One line per option: the group's mean rank as a dot on 1..n, the viewer's own rank as a diamond."""
    left, right, row_h, top = 150, WIDTH - 16, 26, 24
    scale = (right - left) / max(n_options - 1, 1)

    def at(rank: float) -> float:
        return round(left + (rank - 1) * scale, 1)

    lines = [
        {
            "y": top + i * row_h,
            "label": _short(label, 22),
            "mean": at(mean),
            "mean_text": _num(mean),
            "own": at(own) if own is not None else None,
        }
        for i, (label, mean, own) in enumerate(rows)
    ]
    ticks = [{"x": at(r), "text": str(r)} for r in range(1, n_options + 1)]
    return Chart(
        "ranks",
        WIDTH,
        top + len(rows) * row_h + 10,
        title,
        {"lines": lines, "ticks": ticks, "left": left, "right": right},
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
) -> Chart:
    """Median (or a share) per round with its interquartile range as a vertical bar, joined by a line."""
    left, right, top, bottom, height = 64, WIDTH - 40, 14, 30, 180
    plot = height - top - bottom
    step = (right - left) / max(len(rounds) - 1, 1)
    span = (y_max - y_min) or 1.0

    def y(value: float) -> float:
        return round(top + plot - (value - y_min) / span * plot, 1)

    marks = []
    for index, number in enumerate(rounds):
        x = round(left + index * step if len(rounds) > 1 else (left + right) / 2, 1)
        mark = {
            "x": x,
            "round": number,
            "y": y(medians[index]) if medians[index] is not None else None,
            "lo": y(q1s[index]) if q1s[index] is not None else None,
            "hi": y(q3s[index]) if q3s[index] is not None else None,
        }
        marks.append(mark)
    line = " ".join(f"{m['x']},{m['y']}" for m in marks if m["y"] is not None)
    fmt = (lambda v: f"{round(v * 100)}%") if percent else _num
    return Chart(
        "convergence",
        WIDTH,
        height,
        title,
        {
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


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
