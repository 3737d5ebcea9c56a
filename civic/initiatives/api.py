"""Open data: public initiatives (step, decisions, steps passed, the public report), their indicators with targets,
and the indicators' values rolled up by territory and period. No team members, no weak-spot reports, no
initiatives that are not public."""

from __future__ import annotations

import re

from flask import Blueprint, abort
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from civic import db
from civic.core import opendata
from civic.core.opendata import BadParameter, choice, integer, parse_args, serve_list, subtree, text
from civic.identity.models import StateBody, Territory
from civic.initiatives import services, values
from civic.initiatives.models import LAST_STEP, SECTORS, Indicator, Initiative, Rollup

bp = Blueprint("initiatives_api", __name__, url_prefix="/api/v1")
MAX_ID = 2**31 - 1
PERIOD = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$")
PERIOD_PATTERN = PERIOD.pattern


def period(raw: str) -> str:
    if not PERIOD.match(raw):
        raise BadParameter(_("must be a year (YYYY) or a month (YYYY-MM)"))
    return raw


def initiative_item(initiative: Initiative) -> dict:
    return {
        "id": initiative.id,
        "title": initiative.title,
        "summary": initiative.summary,
        "territory_code": initiative.territory.code,
        "body_code": initiative.body.code if initiative.body is not None else None,
        "sector": initiative.sector,
        "step": initiative.step,
        "horizon_years": initiative.horizon_years,
        "created_at": opendata.iso(initiative.created_at),
        "reported_at": opendata.iso(initiative.reported_at),
        "url": opendata.external("initiatives.detail", initiative_id=initiative.id),
        "api_url": opendata.external("initiatives_api.initiative", initiative_id=initiative.id),
    }


def _public_or_404(initiative_id: int) -> Initiative:
    found = db.session.get(Initiative, initiative_id) if initiative_id <= MAX_ID else None
    if found is None or not found.is_public:
        abort(404, description=_("There is no public initiative with this number."))
    return found


@bp.get("/initiatives")
@bp.get("/initiatives.csv", endpoint="initiatives_csv")
def initiatives():
    """Public initiatives (filter by territory with its subtree, state body, sector and step)."""
    args = parse_args(
        {
            **opendata.PAGING,
            "territory": text(40),
            "body": text(40),
            "sector": choice(*SECTORS),
            "step": integer(1, LAST_STEP),
        }
    )
    stmt = (
        select(Initiative)
        .where(Initiative.is_public.is_(True))
        .options(selectinload(Initiative.territory), selectinload(Initiative.body))
    )
    if (inside := subtree(Initiative.territory_id, args.get("territory"))) is not None:
        stmt = stmt.where(inside)
    if "body" in args:
        stmt = stmt.where(Initiative.body_id == opendata.id_for(StateBody, "body", args["body"]))
    if "sector" in args:
        stmt = stmt.where(Initiative.sector == args["sector"])
    if "step" in args:
        stmt = stmt.where(Initiative.step == args["step"])
    return serve_list(
        stmt,
        Initiative.id,
        args,
        initiative_item,
        csv_columns=(
            "id",
            "title",
            "territory_code",
            "body_code",
            "sector",
            "step",
            "horizon_years",
            "created_at",
            "reported_at",
            "url",
        ),
        filename="initiatives.csv",
    )


def indicator_item(indicator: Indicator, initiative: Initiative) -> dict:
    progress = values.progress(indicator, initiative.territory)
    return {
        "id": indicator.id,
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "level": indicator.level,
        "aggregation": indicator.aggregation,
        "target_value": indicator.target_value,
        "target_period": indicator.target_period,
        "first_value": progress["first"],
        "latest_value": progress["latest"],
        "progress_percent": progress["share"],
    }


@bp.get("/initiatives/<int:initiative_id>")
def initiative(initiative_id: int):
    """One public initiative: its steps passed, decisions, the decision with targets, indicators and the report."""
    parse_args({})
    item = _public_or_404(initiative_id)
    return opendata.cached(
        {
            **initiative_item(item),
            "decision": item.decision_text or None,
            "steps": [
                {"from_step": m.from_step, "to_step": m.to_step, "note": m.note, "at": opendata.iso(m.created_at)}
                for m in services.moves(item)
            ],
            "decisions": [
                {"step": d.step, "text": d.text, "at": opendata.iso(d.created_at)} for d in services.decisions(item)
            ],
            "indicators": [indicator_item(i, item) for i in values.indicators_of(item)],
            "report": {"text": item.report_text, "reported_at": opendata.iso(item.reported_at)}
            if item.reported_at is not None
            else None,
            "values_url": opendata.external("initiatives_api.indicator_values", initiative_id=item.id),
        }
    )


VALUE_COLUMNS = ("indicator_code", "territory_code", "period", "value", "count")


@bp.get("/initiatives/<int:initiative_id>/values")
@bp.get("/initiatives/<int:initiative_id>/values.csv", endpoint="indicator_values_csv")
def indicator_values(initiative_id: int):
    """The indicators' values rolled up by territory and period (filter by indicator, territory with its subtree,
    and period range); ordered by indicator, territory and period."""
    args = parse_args(
        {
            **opendata.PAGING,
            "indicator": text(40),
            "territory": text(40),
            "period_from": period,
            "period_to": period,
        }
    )
    item = _public_or_404(initiative_id)
    indicators = {i.id: i for i in values.indicators_of(item)}
    stmt = select(Rollup).where(Rollup.indicator_id.in_(list(indicators) or [0]))
    if "indicator" in args:
        wanted = [i.id for i in indicators.values() if i.code == args["indicator"]]  # another code: no rows
        stmt = stmt.where(Rollup.indicator_id.in_(wanted or [0]))
    if (inside := subtree(Rollup.territory_id, args.get("territory"))) is not None:
        stmt = stmt.where(inside)
    if "period_from" in args:
        stmt = stmt.where(Rollup.period >= args["period_from"])
    if "period_to" in args:
        last = args["period_to"]
        stmt = stmt.where(or_(Rollup.period <= last, Rollup.period.like(f"{last}-%")))
    keys = [Rollup.indicator_id, Rollup.territory_id, Rollup.period]
    if opendata.wants_csv():
        rows = list(db.session.scalars(stmt.order_by(*keys).limit(opendata.CSV_LIMIT)))
        codes = _codes(rows)
        return opendata.csv_response(
            f"initiative-{item.id}-values.csv",
            VALUE_COLUMNS,
            ([indicators[r.indicator_id].code, codes.get(r.territory_id), r.period, r.value, r.count] for r in rows),
        )
    page = opendata.keyset_page(stmt, keys, args, lambda r: [r.indicator_id, r.territory_id, r.period])
    codes = _codes(page.rows)
    return opendata.cached(
        {
            "data": [
                {
                    "indicator_code": indicators[r.indicator_id].code,
                    "territory_code": codes.get(r.territory_id),
                    "period": r.period,
                    "value": r.value,
                    "count": r.count,
                }
                for r in page.rows
            ],
            "links": opendata.links(page),
        }
    )


def _codes(rows) -> dict[int, str]:
    ids = sorted({r.territory_id for r in rows})
    if not ids:
        return {}
    return dict(db.session.execute(select(Territory.id, Territory.code).where(Territory.id.in_(ids))).all())
