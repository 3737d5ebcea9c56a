"""Territories, categories and state bodies: loading the reference data, lookups and routing by competence."""

from __future__ import annotations

from sqlalchemy import select

from civic import db
from civic.core.i18n import collation_key, current_language, sort_by_name
from civic.identity import reference_data
from civic.identity.models import Category, StateBody, Territory
from civic.identity.models.directory import StateBodyKind

#: Territory levels from the top; used for thresholds and eligibility in the modules.
LEVEL_ORDER = tuple(reference_data.LEVELS)


def load_reference_data() -> dict[str, int]:
    """Insert the territories, categories and state bodies that are missing (idempotent). Returns counts added."""
    added = {"territories": 0, "categories": 0, "state_bodies": 0}
    by_code = {t.code: t for t in db.session.scalars(select(Territory))}
    for code, level, parent_code, kk, ru, en in reference_data.TERRITORIES:
        if code in by_code:
            continue
        parent = by_code[parent_code] if parent_code else None
        territory = Territory(code=code, level=level, parent=parent, name_kk=kk, name_ru=ru, name_en=en)
        db.session.add(territory)
        db.session.flush()
        territory.path = f"{parent.path if parent else '/'}{territory.id}/"
        by_code[code] = territory
        added["territories"] += 1
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    for code, kk, ru, en in reference_data.CATEGORIES:
        if code not in categories:
            categories[code] = Category(code=code, name_kk=kk, name_ru=ru, name_en=en)
            db.session.add(categories[code])
            added["categories"] += 1
    existing_bodies = set(db.session.scalars(select(StateBody.code)))
    for code, territory_code, kind, kk, ru, en, category_codes in reference_data.STATE_BODIES:
        if code in existing_bodies:
            continue
        body = StateBody(
            code=code,
            territory=by_code[territory_code],
            kind=kind,
            name_kk=kk,
            name_ru=ru,
            name_en=en,
            categories=[categories[c] for c in category_codes],
        )
        db.session.add(body)
        added["state_bodies"] += 1
    db.session.flush()
    return added


def territory_by_code(code: str) -> Territory | None:
    return db.session.scalar(select(Territory).where(Territory.code == code))


def territory_choices() -> list[tuple[int, str]]:
    """(id, indented name) for select boxes, in tree order, siblings in the language's alphabetical order."""
    territories = list(db.session.scalars(select(Territory).order_by(Territory.path)))
    return [(t.id, "\u2014 " * (len(t.ancestor_ids) - 1) + t.name) for t in sort_territory_tree(territories)]


def sort_territory_tree(territories) -> list[Territory]:
    """Territories in tree order (each followed by its subtree), siblings alphabetically in the current language."""
    territories = list(territories)
    by_id = {t.id: t for t in territories}
    language = current_language()

    def sort_key(t: Territory):
        return [(collation_key(by_id[i].name, language), i) for i in t.ancestor_ids if i in by_id]

    return sorted(territories, key=sort_key)


def subtree_ids(territory: Territory) -> list[int]:
    return list(db.session.scalars(select(Territory.id).where(Territory.path.startswith(territory.path))))


def route_to_body(territory: Territory, category: Category) -> StateBody | None:
    """The competent body for an item: the nearest territory (itself, then its ancestors) that has a body competent
    for the category, preferring a department over the akimat; failing that, the nearest akimat."""
    ancestors = list(reversed(territory.ancestor_ids))  # nearest first
    bodies = list(db.session.scalars(select(StateBody).where(StateBody.territory_id.in_(ancestors))))
    rank = {tid: i for i, tid in enumerate(ancestors)}

    def preference(body: StateBody):
        return (rank[body.territory_id], 0 if body.kind == StateBodyKind.DEPARTMENT else 1)

    competent = sorted((b for b in bodies if b.is_competent_for(category)), key=preference)
    if competent:
        return competent[0]
    akimats = sorted((b for b in bodies if b.kind == StateBodyKind.AKIMAT), key=preference)
    return akimats[0] if akimats else None


def category_choices(active_only: bool = False) -> list[tuple[int, str]]:
    """(id, name) of the categories for select boxes, alphabetically in the current language."""
    stmt = select(Category)
    if active_only:
        stmt = stmt.where(Category.is_active.is_(True))
    return [(c.id, c.name) for c in sort_by_name(db.session.scalars(stmt))]


def state_body_choices() -> list[tuple[int, str]]:
    """(id, name) of the state bodies for select boxes, alphabetically in the current language."""
    return [(b.id, b.name) for b in sort_by_name(db.session.scalars(select(StateBody)))]
