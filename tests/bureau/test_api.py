"""Open data for the bureau: the annual figures as the public report shows them, small cells suppressed."""

from __future__ import annotations

from civic.bureau import report


def test_figures_suppress_small_cells_like_the_report(app, client, cast, cases):
    for _ in range(5):
        cases.open(category_code="debts")
    cases.open(category_code="housing")
    years = client.get("/api/v1/bureau/figures").get_json()
    assert 2025 in [y["year"] for y in years["data"]]
    assert years["suppression_threshold"] == report.THRESHOLD
    figures = client.get("/api/v1/bureau/figures/2025")
    assert figures.status_code == 200
    body = figures.get_json()
    assert body["cases_total"] == 6
    sections = {s["key"]: s for s in body["sections"]}
    assert [row["value"] for row in sections["category"]["rows"]] == [None, None]  # as the page: 1 hides 5 too
    april = next(row for row in sections["month"]["rows"] if row["key"] == "4")
    assert april["value"] == 6
    assert "Айжан" not in figures.get_data(as_text=True)
    assert client.get("/api/v1/bureau/figures/1990").status_code == 404
    assert client.get("/api/v1/bureau/figures/2025?x=1").status_code == 400
