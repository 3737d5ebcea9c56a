"""Geometry of the interest × influence grid (pure, no Flask): a ``civic.core.charts.Chart`` whose ``shapes`` hold
the quadrant lines at the threshold, one dot per stakeholder and, for those that moved, a line from the previous
position. Interest runs left to right, influence bottom to top, both on the 1–5 scale."""

from __future__ import annotations

from dataclasses import dataclass

from civic.core.charts import Chart


@dataclass(frozen=True)
class Dot:
    number: int
    label: str
    x: float
    y: float
    group: int
    from_x: float | None = None
    from_y: float | None = None


def grid(rows, threshold: float, width: int = 480, height: int = 360, margin: int = 40) -> Chart:
    """``rows``: (label, interest, influence, group, previous (interest, influence) or None)."""
    plot_w, plot_h = width - 2 * margin, height - 2 * margin

    def x(v: float) -> float:
        return round(margin + (v - 1) / 4 * plot_w, 1)

    def y(v: float) -> float:
        return round(height - margin - (v - 1) / 4 * plot_h, 1)

    dots = []
    for number, (label, interest, influence, group, previous) in enumerate(rows, start=1):
        fx = fy = None
        if previous is not None and previous != (interest, influence):
            fx, fy = x(previous[0]), y(previous[1])
        dots.append(Dot(number, label, x(interest), y(influence), group, fx, fy))
    return Chart(
        width,
        height,
        kind="grid",
        shapes={
            "dots": dots,
            "split_x": x(threshold),
            "split_y": y(threshold),
            "left": margin,
            "right": width - margin,
            "top": margin,
            "bottom": height - margin,
            # quadrant label anchors: group -> (x, y)
            "quadrants": {
                1: (x(threshold) + 6, margin + 14),
                2: (width - margin - 6, margin + 14),
                3: (margin + 6, height - margin - 6),
                4: (margin + 6, margin + 14),
            },
        },
    )
