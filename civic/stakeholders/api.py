"""Open data: the public part of stakeholder maps, as the map page shows it to everyone — the organisations, groups
and roles placed on the map with their mean interest and influence, their group (and the group they moved from),
and each group's engagement plan. Never the contact persons, their e-mails or phones, the assessors' individual
scores or the engagements held. Only maps whose owner (e.g. an initiative) is public."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request
from flask_babel import gettext as _
from sqlalchemy import select

from civic import db
from civic.core import links, opendata, providers
from civic.core.opendata import parse_args, subtree, text
from civic.stakeholders import services
from civic.stakeholders.models import GROUPS, MapEntry, StakeholderMap

bp = Blueprint("stakeholders_api", __name__, url_prefix="/api/v1")
MAX_ID = 2**31 - 1


def _owner_link(stakeholder_map: StakeholderMap):
    """The owner as a link an anonymous visitor may follow, or None (the map is then not public)."""
    if providers.owner(stakeholder_map.owner_type) is None:
        return None
    anonymous = current_app.login_manager.anonymous_user()
    return links.resolve(stakeholder_map.owner_type, stakeholder_map.owner_id, anonymous)


def map_item(stakeholder_map: StakeholderMap, owner) -> dict:
    from civic.identity.models import Territory

    territory = db.session.get(Territory, stakeholder_map.territory_id) if stakeholder_map.territory_id else None
    return {
        "id": stakeholder_map.id,
        "owner": {
            "type": stakeholder_map.owner_type,
            "id": stakeholder_map.owner_id,
            "title": owner.text or "",
            "url": _absolute(owner.url),
        },
        "territory_code": territory.code if territory is not None else None,
        "threshold": stakeholder_map.threshold,
        "url": opendata.external(
            "stakeholders.map_page", owner_type=stakeholder_map.owner_type, owner_id=stakeholder_map.owner_id
        ),
        "api_url": opendata.external("stakeholders_api.stakeholder_map", map_id=stakeholder_map.id),
    }


def _absolute(path: str) -> str:
    return path if "://" in path else request.host_url.rstrip("/") + path


@bp.get("/stakeholders/maps")
def stakeholder_maps():
    """Stakeholder maps of public owners (filter by territory with its subtree), ordered by id."""
    args = parse_args({**opendata.PAGING, "territory": text(40)})
    stmt = select(StakeholderMap)
    if (inside := subtree(StakeholderMap.territory_id, args.get("territory"))) is not None:
        stmt = stmt.where(inside)
    limit = int(args.get("limit") or opendata.PAGE_DEFAULT)
    after = args.get("cursor")
    if after is not None and (len(after) != 1 or not isinstance(after[0], int)):
        abort(400, description=f"cursor: {_('is not a cursor this API gave out')}")
    found: list[tuple[StakeholderMap, object]] = []
    more = False
    last = after[0] if after else 0
    while True:  # maps of owners hidden from the public are skipped; pages stay full and stable
        batch = list(
            db.session.scalars(stmt.where(StakeholderMap.id > last).order_by(StakeholderMap.id).limit(limit + 1))
        )
        for stakeholder_map in batch:
            owner = _owner_link(stakeholder_map)
            if owner is not None:
                if len(found) == limit:
                    more = True
                    break
                found.append((stakeholder_map, owner))
        if more or len(batch) <= limit:
            break
        last = batch[-1].id
    page = opendata.Page([m for m, _o in found], opendata.encode_cursor([found[-1][0].id]) if more else None)
    return opendata.cached({"data": [map_item(m, o) for m, o in found], "links": opendata.links(page)})


def _entry(entry: MapEntry) -> dict:
    return {
        "name": entry.stakeholder.name,
        "kind": entry.stakeholder.kind,
        "interest": entry.interest,
        "influence": entry.influence,
        "group": entry.group,
        "previous_group": entry.previous_group,
    }


@bp.get("/stakeholders/maps/<int:map_id>")
def stakeholder_map(map_id: int):
    """One map's public part: the placed stakeholders with their groups, and each group's engagement plan."""
    parse_args({})
    found = db.session.get(StakeholderMap, map_id) if map_id <= MAX_ID else None
    owner = _owner_link(found) if found is not None else None
    if owner is None:
        abort(404, description=_("There is no public stakeholder map with this number."))
    plans = services.plans(found)
    return opendata.cached(
        {
            **map_item(found, owner),
            "stakeholders": [_entry(e) for e in services.entries(found) if e.group is not None],
            "plans": [
                {
                    "group": group,
                    "level": plans[group].level if group in plans else None,
                    "mechanisms": plans[group].mechanisms if group in plans else None,
                }
                for group in GROUPS
            ],
        }
    )
