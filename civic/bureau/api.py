"""Open data: the advice bureau's annual anonymised figures, exactly as the public annual report shows them —
every count under 5 suppressed (null), with the complementary suppression of ``civic.bureau.report``."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, abort
from flask_babel import gettext as _

from civic.bureau import report
from civic.core import opendata
from civic.core.opendata import parse_args

bp = Blueprint("bureau_api", __name__, url_prefix="/api/v1/bureau")


@bp.get("/figures")
def years():
    """The years with published figures, newest first, with links."""
    parse_args({})
    return opendata.cached(
        {
            "data": [
                {"year": year, "api_url": opendata.external("bureau_api.figures", year=year)}
                for year in report.available_years()
            ],
            "suppression_threshold": report.THRESHOLD,
        }
    )


@bp.get("/figures/<int:year>")
def figures(year: int):
    """One year's figures: cases by month, area, territory, channel, outcome, follow-up; referrals by state body."""
    parse_args({})
    if year not in report.available_years():
        abort(404, description=_("There are no figures for this year."))
    built = report.build(year)
    return opendata.cached(
        {
            "year": built.year,
            "cases_total": built.cases_total,
            "suppression_threshold": report.THRESHOLD,
            "sections": [
                {
                    "key": section.key,
                    "title": str(section.title),
                    "rows": [
                        {"key": str(row.key), "label": str(row.label), "value": row.value} for row in section.rows
                    ],
                }
                for section in built.sections
            ],
            "bodies": [{**asdict(body), "name": str(body.name)} for body in built.bodies],
        }
    )
