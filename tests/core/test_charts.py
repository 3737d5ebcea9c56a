"""Unit tests of the shared SVG chart geometry, `civic.core.charts` (pure: no Flask app, no database)."""

from __future__ import annotations

import pytest

from civic.core import charts


def test_horizontal_bars_scale_to_the_largest_value():
    chart = charts.horizontal_bars([("Almaly", 50), ("Bostandyq", 100), ("Medeu", 0)])
    # default span: 640 - 220 labels - 70 for the figure = 350 px for the largest value
    assert [bar.width for bar in chart.bars] == [175.0, 350.0, 0.0]
    assert [bar.y for bar in chart.bars] == [6, 32, 58]
    assert {bar.x for bar in chart.bars} == {220}
    assert {bar.height for bar in chart.bars} == {18}
    assert chart.height == 6 + 3 * 26 + 6
    assert chart.max_value == 100


def test_horizontal_bars_keep_suppressed_rows_without_a_bar():
    rows = [("Debts", 12), ("Housing", None), ("Benefits", 6)]
    chart = charts.horizontal_bars(rows, width=660, label_width=230, span=340, bar_height=20, top=5, bottom=5)
    assert [bar.value for bar in chart.bars] == [12, None, 6]
    assert [bar.width for bar in chart.bars] == [340.0, 0.0, 170.0]
    assert [bar.y for bar in chart.bars] == [5, 31, 57]
    assert chart.height == 3 * 26 + 10
    assert chart.max_value == 12


def test_horizontal_bars_limit_and_empty_input():
    rows = [(f"row {i}", i + 1) for i in range(30)]
    assert len(charts.horizontal_bars(rows).bars) == 20
    assert len(charts.horizontal_bars(rows, limit=None).bars) == 30
    empty = charts.horizontal_bars([])
    assert empty.bars == []
    assert empty.height == 12
    assert charts.horizontal_bars([("only suppressed", None)]).bars[0].width == 0.0


def test_columns_stand_on_the_baseline_and_reach_the_top():
    chart = charts.columns([("2026-01-01", 10), ("2026-01-02", 5)], width=648, height=200)
    # slots of (648 - 48 - 8) / 2 = 296 px from x = 48; the plot runs from y = 16 down to the baseline at 172
    first, second = chart.bars
    assert (first.x, first.y, first.height, first.width) == (48.0, 16.0, 156.0, 236.8)
    assert (second.x, second.y, second.height) == (344.0, 94.0, 78.0)
    assert first.y + first.height == second.y + second.height == chart.shapes["baseline"] == 172
    assert chart.max_value == 10


def test_centred_columns_highlight_the_viewers_answer_and_fit_labels():
    chart = charts.columns(
        [("1", 2), ("a very long option label that cannot fit under its column", 4)],
        width=480,
        height=190,
        left=8,
        right=8,
        top=26,
        bottom=34,
        fill=0.7,
        centred=True,
        min_width=0,
        highlight=1,
        fit_labels=True,
    )
    slot = (480 - 16) / 2
    first, second = chart.bars
    assert first.x == round(8 + slot * 0.15, 1)
    assert first.width == round(slot * 0.7, 1)
    assert first.cx == pytest.approx(8 + slot / 2, abs=0.1)
    assert [bar.own for bar in chart.bars] == [False, True]
    assert second.label.endswith("…")
    assert len(second.label) == int(slot / 7)
    assert second.height == 190 - 26 - 34


def test_columns_of_zeros_and_of_nothing():
    zeros = charts.columns([("a", 0), ("b", 0)])
    assert {bar.height for bar in zeros.bars} == {0.0}
    assert {bar.y for bar in zeros.bars} == {zeros.shapes["baseline"]}
    assert charts.columns([]).bars == []


def test_interval_places_box_median_and_own_value_on_the_line():
    chart = charts.interval("t", q1=2, median=3, q3=4, low=0, high=10, own=5)
    # 440 px for 0..10 from x = 20
    assert chart.shapes["box"] == {"x": 108.0, "w": 88.0}
    assert chart.shapes["median"] == 152.0
    assert chart.shapes["own"] == {"x": 240.0, "text": "5"}
    assert [tick["text"] for tick in chart.shapes["ticks"]] == ["0", "10"]


def test_ranks_and_convergence():
    ranked = charts.ranks("t", [("Parks", 1.0, 2.0), ("Roads", 3.0, None)], n_options=3)
    assert [line["mean"] for line in ranked.shapes["lines"]] == [150.0, 464.0]
    assert ranked.shapes["lines"][0]["own"] == 307.0
    assert ranked.shapes["lines"][1]["own"] is None
    series = charts.convergence("t", [1, 2], [5.0, None], [4.0, None], [6.0, None], y_min=0, y_max=10)
    first, second = series.shapes["marks"]
    assert (first["x"], first["y"], first["lo"], first["hi"]) == (64.0, 82.0, 95.6, 68.4)
    assert second["y"] is None
    assert series.shapes["line"] == "64.0,82.0"
    assert charts.convergence("t", [1], [0.5], [0.4], [0.6], 0, 1, percent=True).shapes["y_top"] == "100%"


def test_number_formatting_and_shortening():
    assert charts.format_number(3.0) == "3"
    assert charts.format_number(2.5) == "2.5"
    assert charts.format_number(1 / 3) == "0.33"
    assert charts.format_number(None) == "—"
    assert charts.shorten("abcdef", 4) == "abc…"
    assert charts.shorten("abc", 4) == "abc"
