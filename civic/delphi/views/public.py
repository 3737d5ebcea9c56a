"""Pages anyone allowed may read: the list of studies, a study, its results and exports."""

from __future__ import annotations

import json

from flask import Response, abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from civic import db
from civic.core import links
from civic.delphi import results, services
from civic.delphi.feedback import round_feedback
from civic.delphi.labels import preset_label
from civic.delphi.links import linked_object, related_studies
from civic.delphi.models import DelphiPanelist, DelphiStudy, StudyStatus
from civic.delphi.permissions import ORGANISE, can_manage, can_view, can_view_results, panelist_of
from civic.delphi.views import bp, load_study


def _require(allowed: bool) -> None:
    if not allowed:
        if not current_user.is_authenticated:
            abort(current_app.login_manager.unauthorized())
        abort(403)


@bp.get("/")
def index():
    """List published studies, and the viewer's panels and organised studies."""
    published = db.session.scalars(
        select(DelphiStudy)
        .where(DelphiStudy.results_published_at.is_not(None))
        .order_by(DelphiStudy.results_published_at.desc())
        .limit(100)
    ).all()
    mine, organised = [], []
    if current_user.is_authenticated:
        mine = db.session.scalars(
            select(DelphiStudy)
            .join(DelphiPanelist, DelphiPanelist.study_id == DelphiStudy.id)
            .where(DelphiPanelist.user_id == current_user.id)
            .order_by(DelphiStudy.id.desc())
        ).all()
        organised = db.session.scalars(
            select(DelphiStudy).where(DelphiStudy.organiser_id == current_user.id).order_by(DelphiStudy.id.desc())
        ).all()
    return render_template(
        "delphi/index.html",
        published=published,
        mine=mine,
        organised=organised,
        can_organise=current_user.is_authenticated and current_user.has_permission(ORGANISE),
    )


@bp.get("/<int:study_id>")
def study(study_id: int):
    """Show a study: its context, its rounds and what the viewer can do now."""
    study = load_study(study_id)
    _require(can_view(current_user, study))
    panelist = panelist_of(current_user, study)
    participation = (
        services.participation_of(study.open_round, current_user)
        if panelist is not None and study.open_round is not None
        else None
    )
    return render_template(
        "delphi/study.html",
        study=study,
        panelist=panelist,
        link=linked_object(study, current_user),
        participation=participation,
        organiser=can_manage(current_user, study),
        show_results=can_view_results(current_user, study),
        StudyStatus=StudyStatus,
    )


def _results_context(study: DelphiStudy) -> dict:
    organiser = can_manage(current_user, study)
    rounds = results.visible_rounds(study, organiser)
    report = results.latest_report(study, rounds)
    viewer = current_user if panelist_of(current_user, study) is not None else None
    return {
        "study": study,
        "organiser": organiser,
        "rounds": rounds,
        "report": report,
        "latest": _last_distributions(study, rounds, viewer),
        "convergence": [
            results.convergence(item, report, final=study.is_finished) for item in study.items if item.first_round
        ],
        "kendall": results.kendall_rows(study, rounds, report),
        "responses": results.response_rows(rounds),
        "stopping": results.stopping_rows(study, rounds),
        "config": results.effective_config(study),
        "link": linked_object(study, current_user),
        "preset_label": preset_label,
    }


def _last_distributions(study: DelphiStudy, rounds, viewer) -> dict:
    """Per item id: (round number, feedback) of the last visible round that asked it, with the viewer's answer."""
    out = {}
    for rnd in rounds:
        for view in round_feedback(rnd, viewer, with_justifications=False):
            out[view.item.id] = (rnd.number, view)
    return out


@bp.get("/<int:study_id>/results")
def results_page(study_id: int):
    """Show the aggregated results: verdicts, convergence, Kendall's W, stability, response rates."""
    study = load_study(study_id)
    _require(can_view_results(current_user, study))
    return render_template("delphi/results.html", printable=False, **_results_context(study))


@bp.get("/<int:study_id>/results/print")
def results_print(study_id: int):
    """Show the results as a printable report."""
    study = load_study(study_id)
    _require(can_view_results(current_user, study))
    return render_template("delphi/results.html", printable=True, **_results_context(study))


def _export_rounds(study: DelphiStudy):
    _require(can_view_results(current_user, study))
    return results.visible_rounds(study, can_manage(current_user, study))


@bp.get("/<int:study_id>/export/report.json")
def export_json(study_id: int):
    """Download the redacted report (JSON)."""
    study = load_study(study_id)
    payload = results.export_json(study, _export_rounds(study), current_user)
    body = json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="delphi-{study.id}-report.json"'},
    )


@bp.get("/<int:study_id>/export/statistics.csv")
def export_csv(study_id: int):
    """Download the aggregated per-round statistics (CSV)."""
    study = load_study(study_id)
    body = results.export_csv(study, _export_rounds(study))
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="delphi-{study.id}-statistics.csv"'},
    )


@bp.get("/linked/<object_type>/<int:object_id>")
def linked(object_type: str, object_id: int):
    """List the published studies linked to another module's object (404 if the viewer may not see that object)."""
    target = links.resolve(object_type, object_id, current_user)
    if target is None:
        abort(404)
    return render_template(
        "delphi/linked.html",
        studies=related_studies(object_type, object_id, current_user),
        target=target,
        object_type=object_type,
        object_id=object_id,
        label=target.label,
    )
