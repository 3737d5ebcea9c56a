"""Read-side queries for the pages and the API. Each function runs a fixed number of SQL statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from civic import db
from civic.core.http import path_for
from civic.identity.models import Territory, User
from civic.identity.permissions import Scopes, scopes
from civic.petitions import rules, similarity
from civic.petitions.models import (
    PUBLIC_STATES,
    Petition,
    PetitionDailyCount,
    PetitionSignature,
    PetitionState,
    PetitionTerritoryCount,
)
from civic.petitions.permissions import MODERATE, RESPOND

S = PetitionState
PAGE_SIZES = (10, 20, 50, 100)
STATE_FILTERS = {"open": (S.OPEN,), "closed": (S.CLOSED,), "rejected": (S.REJECTED,), "all": PUBLIC_STATES}
SORTS = {
    "signed": _l("Most signed"),
    "newest": _l("Newest"),
    "closing": _l("Closing soon"),
}


@dataclass
class PetitionFilters:
    q: str = ""
    state: str = "open"
    territory_id: int | None = None
    category_id: int | None = None
    sort: str = "signed"
    page: int = 1
    per_page: int = 20

    @classmethod
    def from_args(cls, args) -> PetitionFilters:
        """Read filters from a query string, falling back to defaults for anything unexpected."""
        state = args.get("state", "open")
        sort = args.get("sort", "signed")
        per_page = args.get("per_page", 20, type=int)
        return cls(
            q=(args.get("q") or "").strip()[:200],
            state=state if state in STATE_FILTERS else "open",
            territory_id=args.get("territory", type=int) or None,
            category_id=args.get("category", type=int) or None,
            sort=sort if sort in SORTS else "signed",
            page=min(max(args.get("page", 1, type=int), 1), 100000),
            per_page=per_page if per_page in PAGE_SIZES else 20,
        )


def _filtered(filters: PetitionFilters) -> Select:
    stmt = select(Petition).where(Petition.state.in_(STATE_FILTERS[filters.state]))
    for term in similarity.normalise(filters.q).split()[:8]:
        stmt = stmt.where(Petition.search_text.contains(term, autoescape=True))
    if filters.territory_id:
        chosen = select(Territory.path).where(Territory.id == filters.territory_id).scalar_subquery()
        stmt = stmt.where(Petition.territory_id.in_(select(Territory.id).where(Territory.path.startswith(chosen))))
    if filters.category_id:
        stmt = stmt.where(Petition.category_id == filters.category_id)
    return stmt


def _ordered(stmt: Select, sort: str) -> Select:
    if sort == "newest":
        return stmt.order_by(
            func.coalesce(Petition.opened_at, Petition.moderated_at, Petition.created_at).desc(), Petition.id.desc()
        )
    if sort == "closing":
        return stmt.order_by(Petition.closes_at.is_(None), Petition.closes_at, Petition.id)
    return stmt.order_by(Petition.signature_count.desc(), Petition.id.desc())


def search(filters: PetitionFilters) -> tuple[list[Petition], bool]:
    """One page of public petitions (territory and category loaded in the same query) and whether more follow."""
    stmt = _ordered(_filtered(filters), filters.sort).options(
        joinedload(Petition.territory), joinedload(Petition.category)
    )
    rows = db.session.scalars(stmt.offset((filters.page - 1) * filters.per_page).limit(filters.per_page + 1)).all()
    return list(rows[: filters.per_page]), len(rows) > filters.per_page


def filtered(filters: PetitionFilters) -> Select:
    """The public petitions matching ``filters``, unordered (the open-data API pages them by id)."""
    return _filtered(filters)


def count_matching(filters: PetitionFilters) -> int:
    return db.session.scalar(select(func.count()).select_from(_filtered(filters).subquery())) or 0


# --- staff queues -------------------------------------------------------------------------------------------------
def _in_scope(stmt: Select, where: Scopes) -> Select:
    """Petitions of the territories ``where`` covers."""
    if where.everywhere:
        return stmt
    if not where.territory_paths:
        return stmt.where(Petition.id.is_(None))
    return stmt.join(Territory, Territory.id == Petition.territory_id).where(where.territory_condition(Territory.path))


def moderation_queue(user: User) -> list[Petition]:
    """Petitions awaiting moderation in the moderator's territories, oldest first."""
    stmt = (
        select(Petition)
        .where(Petition.state == S.AWAITING_MODERATION)
        .options(joinedload(Petition.territory), joinedload(Petition.category))
    )
    return list(db.session.scalars(_in_scope(stmt, scopes(user, MODERATE)).order_by(Petition.moderation_started_at)))


def moderation_marker(petition: Petition, now: datetime) -> str | None:
    """ "overdue" from day 14 in moderation, "nearly_overdue" from day 11, else None."""
    if petition.moderation_started_at is None:
        return None
    age = now - petition.moderation_started_at
    if age >= timedelta(days=rules.OVERDUE_DAYS):
        return "overdue"
    if age >= timedelta(days=rules.NEARLY_OVERDUE_DAYS):
        return "nearly_overdue"
    return None


def moderated_petition_ids(user: User, states=(S.OPEN,)) -> list[int]:
    stmt = select(Petition.id).where(Petition.state.in_(states))
    return list(db.session.scalars(_in_scope(stmt, scopes(user, MODERATE))))


def awaiting_response(user: User) -> list[Petition]:
    """Unanswered open or closed petitions routed to the official's bodies: due dates first, then most signed."""
    stmt = (
        select(Petition)
        .where(
            Petition.state.in_([S.OPEN, S.CLOSED]),
            Petition.responded_at.is_(None),
            scopes(user, RESPOND).body_condition(Petition.state_body_id),
        )
        .options(joinedload(Petition.territory), joinedload(Petition.category), joinedload(Petition.state_body))
    )
    return list(
        db.session.scalars(
            stmt.order_by(
                Petition.response_due_at.is_(None), Petition.response_due_at, Petition.signature_count.desc()
            ).limit(500)
        )
    )


def authored_by(user: User) -> list[Petition]:
    return list(
        db.session.scalars(
            select(Petition)
            .where(Petition.author_id == user.id)
            .options(joinedload(Petition.territory))
            .order_by(Petition.id.desc())
        )
    )


def followed_page(user: User) -> str | None:
    """Where a resident lands after signing in: the petitions they started, else those they signed (None: none)."""
    if db.session.scalar(select(Petition.id).where(Petition.author_id == user.id).limit(1)) is not None:
        return path_for("petitions.mine")
    if db.session.scalar(select(PetitionSignature.id).where(PetitionSignature.user_id == user.id).limit(1)):
        return path_for("petitions.signed")
    return None


def signed_by(user: User) -> list[tuple[PetitionSignature, Petition]]:
    return list(
        db.session.execute(
            select(PetitionSignature, Petition)
            .join(Petition, Petition.id == PetitionSignature.petition_id)
            .where(PetitionSignature.user_id == user.id)
            .options(joinedload(Petition.territory))
            .order_by(PetitionSignature.id.desc())
        )
    )


# --- the petition page's figures ----------------------------------------------------------------------------------
OUTSIDE, UNKNOWN = -1, 0


def signatures_by_area(petition: Petition) -> list[tuple[int, str, int]]:
    """(territory id, name, count) one level below the petition's territory, largest first.

    Signers living at the petition's own level count under it; signers outside it (possible when the residence rule is
    off) under "outside", and those without a home under "not given".
    """
    counts = db.session.execute(
        select(PetitionTerritoryCount.territory_id, PetitionTerritoryCount.count).where(
            PetitionTerritoryCount.petition_id == petition.id, PetitionTerritoryCount.count > 0
        )
    ).all()
    territories = {t.id: t for t in db.session.scalars(select(Territory))}
    totals: dict[int, int] = {}
    for territory_id, count in counts:
        area = _area_of(territories.get(territory_id), petition.territory_id)
        totals[area] = totals.get(area, 0) + count
    names = {OUTSIDE: str(_l("Outside the territory")), UNKNOWN: str(_l("Place not given"))}
    rows = [(area, names.get(area) or territories[area].name, n) for area, n in totals.items()]
    return sorted(rows, key=lambda row: (-row[2], row[1]))


def _area_of(territory: Territory | None, petition_territory_id: int) -> int:
    if territory is None:
        return UNKNOWN
    ancestors = territory.ancestor_ids
    if petition_territory_id not in ancestors:
        return OUTSIDE
    position = ancestors.index(petition_territory_id)
    return ancestors[position + 1] if position + 1 < len(ancestors) else territory.id


def signatures_by_day(petition: Petition) -> list[tuple[date, int]]:
    """Tallied signatures per day (Asia/Almaty), with the quiet days in between filled with zeros."""
    rows = db.session.execute(
        select(PetitionDailyCount.day, PetitionDailyCount.count)
        .where(PetitionDailyCount.petition_id == petition.id, PetitionDailyCount.count > 0)
        .order_by(PetitionDailyCount.day)
    ).all()
    if not rows:
        return []
    by_day = dict(rows)
    first, last = rows[0][0], rows[-1][0]
    return [
        (first + timedelta(days=i), by_day.get(first + timedelta(days=i), 0)) for i in range((last - first).days + 1)
    ]
