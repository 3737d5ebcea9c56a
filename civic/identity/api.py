"""Open data: the directory (territories, categories, state bodies) that every other API refers to by code."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _
from sqlalchemy import select

from civic import db
from civic.core import opendata
from civic.core.opendata import choice, parse_args, serve_list, subtree, text
from civic.identity.models import Category, StateBody, Territory
from civic.identity.models.directory import StateBodyKind, TerritoryLevel

bp = Blueprint("directory_api", __name__, url_prefix="/api/v1")
LEVELS = tuple(level.value for level in TerritoryLevel)
KINDS = tuple(kind.value for kind in StateBodyKind)


def territory_item(territory: Territory) -> dict:
    return {
        "code": territory.code,
        "level": territory.level,
        "parent_code": territory.parent.code if territory.parent else None,
        "name": opendata.names(territory),
    }


def category_item(category: Category) -> dict:
    return {"code": category.code, "active": category.is_active, "name": opendata.names(category)}


def body_item(body: StateBody) -> dict:
    return {
        "code": body.code,
        "kind": body.kind,
        "territory_code": body.territory.code,
        "category_codes": sorted(c.code for c in body.categories),
        "name": opendata.names(body),
    }


@bp.get("/territories")
@bp.get("/territories.csv", endpoint="territories_csv")
def territories():
    """Territories: republic, oblasts, cities, districts, rural districts (filter by level and subtree)."""
    args = parse_args({**opendata.PAGING, "level": choice(*LEVELS), "territory": text(40)})
    stmt = select(Territory)
    if "level" in args:
        stmt = stmt.where(Territory.level == args["level"])
    if (inside := subtree(Territory.id, args.get("territory"))) is not None:
        stmt = stmt.where(inside)
    return serve_list(
        stmt,
        Territory.id,
        args,
        territory_item,
        csv_row=lambda t: [t.code, t.level, t.parent.code if t.parent else "", t.name_kk, t.name_ru, t.name_en],
        csv_columns=("code", "level", "parent_code", "name_kk", "name_ru", "name_en"),
        filename="territories.csv",
    )


@bp.get("/categories")
@bp.get("/categories.csv", endpoint="categories_csv")
def categories():
    """Subject categories (housing, energy, …) used to route petitions, cases and recommendations."""
    args = parse_args(opendata.PAGING)
    return serve_list(
        select(Category),
        Category.id,
        args,
        category_item,
        csv_row=lambda c: [c.code, c.is_active, c.name_kk, c.name_ru, c.name_en],
        csv_columns=("code", "active", "name_kk", "name_ru", "name_en"),
        filename="categories.csv",
    )


@bp.get("/bodies")
@bp.get("/bodies.csv", endpoint="bodies_csv")
def bodies():
    """State bodies (akimats, their departments, others) with their territory and competences."""
    args = parse_args({**opendata.PAGING, "territory": text(40), "kind": choice(*KINDS), "category": text(40)})
    stmt = select(StateBody)
    if (inside := subtree(StateBody.territory_id, args.get("territory"))) is not None:
        stmt = stmt.where(inside)
    if "kind" in args:
        stmt = stmt.where(StateBody.kind == args["kind"])
    if "category" in args:
        known = db.session.scalar(select(Category.id).where(Category.code == args["category"]))
        if known is None:
            abort(400, description=_("Unknown category code “%(code)s”.", code=args["category"][:40]))
        stmt = stmt.where(StateBody.categories.any(Category.id == known))
    return serve_list(
        stmt,
        StateBody.id,
        args,
        body_item,
        csv_row=lambda b: [
            b.code,
            b.kind,
            b.territory.code,
            " ".join(sorted(c.code for c in b.categories)),
            b.name_kk,
            b.name_ru,
            b.name_en,
        ],
        csv_columns=("code", "kind", "territory_code", "category_codes", "name_kk", "name_ru", "name_en"),
        filename="bodies.csv",
    )
