"""Geometry for the server-rendered SVG charts (no JavaScript, CSP-safe). Pure functions, no Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    max_value: int


def horizontal_bars(
    rows: list[tuple[str, int]], width: int = 640, label_width: int = 220, row_height: int = 26, limit: int = 20
) -> Chart:
    """One bar per row, longest = the largest value; labels sit left of the bars."""
    rows = rows[:limit]
    top = max((value for _label, value in rows), default=0) or 1
    span = width - label_width - 70
    bars = [
        Bar(label, value, label_width, 6 + i * row_height, round(span * value / top, 1), row_height - 8)
        for i, (label, value) in enumerate(rows)
    ]
    return Chart(width, 12 + len(rows) * row_height, bars, top)


def daily_columns(days: list[tuple[date, int]], width: int = 640, height: int = 200) -> Chart:
    """One column per day; the y axis runs from 0 to the busiest day."""
    top = max((value for _day, value in days), default=0) or 1
    plot_left, plot_bottom, plot_height = 48, height - 28, height - 44
    step = (width - plot_left - 8) / max(len(days), 1)
    bars = []
    for i, (day, value) in enumerate(days):
        column = round(plot_height * value / top, 1)
        bars.append(
            Bar(
                day.isoformat(),
                value,
                round(plot_left + i * step, 1),
                round(plot_bottom - column, 1),
                max(round(step * 0.8, 1), 1.0),
                column,
            )
        )
    return Chart(width, height, bars, top)
