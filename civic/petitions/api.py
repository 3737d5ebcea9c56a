"""Open data: a read-only JSON API and a CSV export of public petitions. No personal data ever leaves here.

The OpenAPI document (``openapi.py``) describes exactly these responses; a test checks them with schemathesis.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from civic import db
from civic.core import deadlines, opendata
from civic.core.opendata import choice, day, parse_args, subtree, text
from civic.db import utc_now
from civic.identity.models import Category, StateBody, Territory
from civic.petitions import queries, tallies
from civic.petitions.models import Petition

bp = Blueprint("petitions_api", __name__, url_prefix="/api/v1")
MAX_ID = 2**31 - 1


def _iso(value):
    return value.isoformat() if value is not None else None


_names = opendata.names


def _summary(petition: Petition, count: int, verified: dict | None = None) -> dict:
    verified = verified or {"eds": 0, "in_person_or_eds": 0}
    return {
        "id": petition.id,
        "title": petition.title,
        "state": petition.state,
        "territory": {
            "code": petition.territory.code,
            "level": petition.territory.level,
            "name": _names(petition.territory),
        },
        "category": {"code": petition.category.code, "name": _names(petition.category)},
        "signature_count": count,
        #: Of them, signers verified by digital signature (EDS), and in person or by EDS (valid signatures).
        "signatures_verified_by_eds": verified["eds"],
        "signatures_verified_in_person_or_eds": verified["in_person_or_eds"],
        #: The lowest signer verification level counted toward the thresholds: 2 IIN, 3 in person, 4 EDS.
        "threshold_level": petition.threshold_level,
        "opened_at": _iso(petition.opened_at),
        "closes_at": _iso(petition.closes_at),
        "closed_at": _iso(petition.closed_at),
        "response_threshold": petition.response_threshold,
        "hearing_threshold": petition.hearing_threshold,
        "response_threshold_reached_at": _iso(petition.response_threshold_reached_at),
        "response_due_at": _iso(petition.response_due_at),
        "hearing_threshold_reached_at": _iso(petition.hearing_threshold_reached_at),
        "responded_at": _iso(petition.responded_at),
        "rejection_code": petition.rejection_code,
        "url": url_for("petitions.detail", petition_id=petition.id, _external=True),
        "api_url": url_for("petitions_api.petition", petition_id=petition.id, _external=True),
    }


STATES = ("open", "closed", "rejected", "all")


def _list_args() -> dict:
    return parse_args(
        {
            **opendata.PAGING,
            "state": choice(*STATES),
            "q": text(200),
            "territory": text(40),
            "category": text(40),
            "body": text(40),
            "opened_from": day,
            "opened_to": day,
        }
    )


def _statement(args: dict):
    filters = queries.PetitionFilters(q=(args.get("q") or "").strip(), state=args.get("state", "open"))
    stmt = queries.filtered(filters).options(joinedload(Petition.territory), joinedload(Petition.category))
    if (inside := subtree(Petition.territory_id, args.get("territory"))) is not None:
        stmt = stmt.where(inside)
    if "category" in args:
        stmt = stmt.where(Petition.category_id == opendata.id_for(Category, "category", args["category"]))
    if "body" in args:
        stmt = stmt.where(Petition.state_body_id == opendata.id_for(StateBody, "body", args["body"]))
    if "opened_from" in args:
        stmt = stmt.where(Petition.opened_at >= deadlines.start_of_local_day(args["opened_from"]))
    if "opened_to" in args:
        stmt = stmt.where(Petition.opened_at < deadlines.start_of_local_day(args["opened_to"] + timedelta(days=1)))
    return stmt


@bp.get("/petitions")
def petitions():
    """List public petitions: filters by state, words, territory (with its subtree), category, body and dates."""
    args = _list_args()
    stmt = _statement(args)
    page = opendata.keyset_page(stmt, [Petition.id], args, lambda p: [p.id])
    pending = tallies.untallied_counts(p.id for p in page.rows)
    verified = tallies.verified_counts(p.id for p in page.rows)
    return opendata.cached(
        {
            "data": [_summary(p, p.signature_count + pending.get(p.id, 0), verified.get(p.id)) for p in page.rows],
            "links": opendata.links(page),
        }
    )


def _public_or_404(petition_id: int) -> Petition:
    petition = db.session.get(Petition, petition_id) if petition_id <= MAX_ID else None
    if petition is None or not petition.is_public:
        abort(404, description=_("There is no public petition with this number."))
    return petition


@bp.get("/petitions/<int:petition_id>")
def petition(petition_id: int):
    """One public petition with its figures, threshold moments, response or rejection."""
    parse_args({})
    item = _public_or_404(petition_id)
    body = item.response_body or item.state_body
    payload = _summary(item, tallies.live_count(item), tallies.verified_counts([item.id])[item.id])
    areas = queries.signatures_by_area(item)
    territories = dict(db.session.execute(select(Territory.id, Territory.code)).all())
    payload.update(
        {
            "text": item.text,
            "language": item.language,
            "state_body": {"code": body.code, "name": _names(body)} if body else None,
            "signatures_by_territory": [
                {"territory_code": territories.get(area_id), "group": _group(area_id), "count": n}
                for area_id, _name, n in areas
            ],
            "signatures_by_day": [{"date": day.isoformat(), "count": n} for day, n in queries.signatures_by_day(item)],
            "response": _response(item),
            "response_extension": _extension(item),
            "rejection": {
                "code": item.rejection_code,
                "details": item.rejection_details,
                "duplicate_of": item.duplicate_of_id,
            }
            if item.rejection_code
            else None,
        }
    )
    return opendata.cached(payload, item.response_updated_at or item.responded_at)


def _group(area_id: int) -> str:
    return {queries.OUTSIDE: "outside", queries.UNKNOWN: "unknown"}.get(area_id, "territory")


def _extension(item: Petition) -> dict | None:
    """The one extension of the answer term (15 to 30 days), or None."""
    if not item.response_extended:
        return None
    return {
        "reason": item.response_extension_reason,
        "reason_label": item.response_extension_label,
        "note": item.response_extension_note,
        "extended_at": _iso(item.response_extended_at),
    }


def _response(item: Petition) -> dict | None:
    if item.responded_at is None:
        return (
            {
                "text": None,
                "responded_at": None,
                "updated_at": None,
                "overdue_days": item.response_overdue_days(utc_now()),
            }
            if item.response_due_at
            else None
        )
    return {
        "text": item.response_text,
        "responded_at": _iso(item.responded_at),
        "updated_at": _iso(item.response_updated_at),
        "overdue_days": 0,
    }


CSV_COLUMNS = (
    "id",
    "title",
    "state",
    "territory_code",
    "category_code",
    "signature_count",
    "signatures_verified_by_eds",
    "opened_at",
    "closes_at",
    "closed_at",
    "response_threshold",
    "hearing_threshold",
    "response_threshold_reached_at",
    "response_due_at",
    "hearing_threshold_reached_at",
    "responded_at",
    "rejection_code",
    "url",
)


@bp.get("/petitions.csv")
def petitions_csv():
    """The filtered list as CSV (UTF-8 with BOM so spreadsheets show Kazakh and Russian letters)."""
    args = _list_args()
    if "cursor" in args or "limit" in args:
        abort(400, description=_("The CSV export has all matching rows: it takes no cursor or limit."))
    rows = list(db.session.scalars(_statement(args).order_by(Petition.id).limit(opendata.CSV_LIMIT)).unique())
    verified = tallies.verified_counts(p.id for p in rows)

    def row(p: Petition) -> list:
        item = _summary(p, p.signature_count, verified.get(p.id))  # the tallied count: at most a few seconds behind
        item["territory_code"], item["category_code"] = p.territory.code, p.category.code
        return [item[column] for column in CSV_COLUMNS]

    return opendata.csv_response("petitions.csv", CSV_COLUMNS, (row(p) for p in rows))
