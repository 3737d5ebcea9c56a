"""Public pages: the bureau's front page and its annual alternative report (page with charts, and CSV)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from civic.bureau import clock, queries, report
from civic.bureau.permissions import ANSWER, CONSULT, INSPECT, SUPERVISE
from civic.bureau.services.catalog import bureau_categories
from civic.bureau.views import bp
from civic.core import charts
from civic.core.csv_export import csv_response, to_csv


@bp.get("/")
def index():
    """Explain the bureau and lead each visitor to their part: my cases, queues, referrals, inspection."""
    roles = {}
    if current_user.is_authenticated:
        roles = {
            "consult": current_user.has_permission(CONSULT),
            "supervise": current_user.has_permission(SUPERVISE),
            "answer": current_user.has_permission(ANSWER),
            "inspect": current_user.has_permission(INSPECT),
            "my_cases": queries.case_counts_for_client(current_user),
        }
    return render_template("bureau/index.html", roles=roles, categories=bureau_categories())


def _year() -> int:
    years = report.available_years()
    year = request.args.get("year", type=int) or years[0]
    if year not in years:
        abort(404)
    return year


@bp.get("/report")
def annual_report():
    """Show the annual alternative report: anonymised statistics with charts and tables (no cell under 5)."""
    year = _year()
    data = report.build(year)
    response = render_template(
        "bureau/report.html",
        report=data,
        charts={s.key: _chart(s) for s in (*data.sections, data.compliance_section)},
        years=report.available_years(),
        threshold=report.THRESHOLD,
        generated=clock.now(),
    )
    return response, 200, {"Cache-Control": "public, max-age=300"}


def _chart(section: report.Section) -> charts.Chart:
    """A report section's bars (templates/bureau/_macros.html); suppressed cells (None) get no bar."""
    rows = [(row.label, row.value) for row in section.rows]
    return charts.horizontal_bars(
        rows, width=660, label_width=230, span=340, bar_height=20, top=5, bottom=5, limit=None
    )


@bp.get("/report.csv")
def annual_report_csv():
    """Download the annual report's figures as CSV (suppressed cells read "<5")."""
    data = report.build(_year())
    return csv_response(
        to_csv(report.csv_rows(data)), f"bureau-report-{data.year}.csv", "public, max-age=300", bom=False
    )
