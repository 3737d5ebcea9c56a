"""Open data: the public accountability figures, per territory (rolled up from everything below it) and per state
body — received, answered on time, late, not answered and the median answer time, for appeals, petitions and
council recommendations — exactly as the accountability page shows them: public measures only, and a count
under a measure's threshold (the bureau's small cells) is suppressed (``value`` null, ``suppressed_below`` set)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _
from sqlalchemy import select

from civic import db
from civic.core import opendata
from civic.core.opendata import choice, parse_args, serve_list, subtree, text
from civic.dashboards import models
from civic.dashboards.measures import ACCOUNTABILITY_COLUMNS, Measure, all_measures
from civic.identity.models import StateBody, Territory

bp = Blueprint("dashboards_api", __name__, url_prefix="/api/v1")
SUBJECTS = ("territory", "body")


def public_measures() -> dict[str, Measure]:
    """The measures the accountability page shows, by key."""
    return {m.key: m for m in all_measures() if m.public and m.accountability}


def _suppressed_below(measure: Measure, value: float | None) -> int | None:
    """The page's rule (``tables._cell``): a public count under the measure's threshold is hidden."""
    if measure.suppress_below and value is not None and 0 < value < measure.suppress_below:
        return measure.suppress_below
    return None


def figure_item(figure: models.Figure, measures: dict[str, Measure]) -> dict:
    measure = measures[figure.measure_key]
    hidden = _suppressed_below(measure, figure.value)
    territory = db.session.get(Territory, figure.territory_id) if figure.territory_id is not None else None
    body = db.session.get(StateBody, figure.body_id) if figure.body_id is not None else None
    return {
        "id": figure.id,
        "family": measure.accountability[0],
        "column": measure.accountability[1],
        "measure": measure.key,
        "unit": measure.unit,
        "subject": "body" if figure.body_id is not None else "territory",
        "territory_code": territory.code if territory is not None else None,
        "body_code": body.code if body is not None else None,
        "value": None if hidden else figure.value,
        "suppressed_below": hidden,
        "refreshed_at": opendata.iso(figure.refreshed_at),
    }


@bp.get("/accountability")
@bp.get("/accountability.csv", endpoint="accountability_csv")
def accountability():
    """The public accountability figures (filter by territory with its subtree, body, family, column, subject)."""
    args = parse_args(
        {
            **opendata.PAGING,
            "territory": text(40),
            "body": text(40),
            "family": text(40),
            "column": choice(*ACCOUNTABILITY_COLUMNS),
            "subject": choice(*SUBJECTS),
        }
    )
    measures = public_measures()
    keys = list(measures)
    if "family" in args:
        keys = [k for k in keys if measures[k].accountability[0] == args["family"]]
        if not keys:
            abort(400, description=_("Unknown accountability family “%(name)s”.", name=args["family"][:40]))
    if "column" in args:
        keys = [k for k in keys if measures[k].accountability[1] == args["column"]]
    F = models.Figure
    stmt = select(F).where(F.measure_key.in_(keys or [""]), F.part == "", F.period_kind.in_((models.NOW, models.ALL)))
    if (inside := subtree(F.territory_id, args.get("territory"))) is not None:
        stmt = stmt.where(inside)
    if "body" in args:
        stmt = stmt.where(F.body_id == opendata.id_for(StateBody, "body", args["body"]))
    if args.get("subject") == "body":
        stmt = stmt.where(F.body_id.is_not(None))
    elif args.get("subject") == "territory":
        stmt = stmt.where(F.body_id.is_(None))
    return serve_list(
        stmt,
        F.id,
        args,
        lambda f: figure_item(f, measures),
        csv_columns=(
            "id",
            "family",
            "column",
            "subject",
            "territory_code",
            "body_code",
            "value",
            "suppressed_below",
            "unit",
            "refreshed_at",
        ),
        filename="accountability.csv",
    )
