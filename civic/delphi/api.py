"""Open data: Delphi studies whose organisers published the results — the redacted report only (items, rounds,
response counts and the aggregated statistics, with the spec's small-panel suppression already applied). Answers,
panelists and pseudonyms never leave the module."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _
from sqlalchemy import select

from civic import db
from civic.core import opendata
from civic.core.opendata import parse_args, serve_list
from civic.delphi import results
from civic.delphi.models import DelphiStudy

bp = Blueprint("delphi_api", __name__, url_prefix="/api/v1/delphi")
MAX_ID = 2**31 - 1
LANGUAGES = opendata.LANGUAGES


def study_item(study: DelphiStudy) -> dict:
    return {
        "id": study.id,
        "title": {lang: getattr(study, f"title_{lang}") or "" for lang in LANGUAGES},
        "status": study.status,
        "results_published_at": opendata.iso(study.results_published_at),
        "url": opendata.external("delphi.results_page", study_id=study.id),
        "api_url": opendata.external("delphi_api.study", study_id=study.id),
    }


@bp.get("/studies")
@bp.get("/studies.csv", endpoint="studies_csv")
def studies():
    """Studies with published results (ordered by id)."""
    args = parse_args(opendata.PAGING)
    stmt = select(DelphiStudy).where(DelphiStudy.results_published_at.is_not(None))
    return serve_list(
        stmt,
        DelphiStudy.id,
        args,
        study_item,
        csv_row=lambda s: [
            s.id,
            s.title_kk,
            s.title_ru,
            s.title_en,
            s.status,
            s.results_published_at,
            study_item(s)["url"],
        ],
        csv_columns=("id", "title_kk", "title_ru", "title_en", "status", "results_published_at", "url"),
        filename="delphi-studies.csv",
    )


@bp.get("/studies/<int:study_id>")
def study(study_id: int):
    """One published study's redacted report: items, rounds with response counts, aggregated statistics."""
    parse_args({})
    found = db.session.get(DelphiStudy, study_id) if study_id <= MAX_ID else None
    if found is None or found.results_published_at is None:
        abort(404, description=_("There is no Delphi study with published results under this number."))
    report = results.export_json(found, results.visible_rounds(found, False), None)
    return opendata.cached(report, found.results_published_at)
