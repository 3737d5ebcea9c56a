"""What an author should know before and while gathering: the territory trap and the pace of signing.

- ``territory_check(author, territory)``: does the author live there, and are there enough residents with a verified
  IIN living there to back the petition (supporters) and to reach the response threshold?
- ``signing_pace(petition, count, now)``: at the pace so far, will the open petition reach its response threshold
  before it closes?
- ``suggested_body(petition)``: the body routing suggests to the moderator, and why (territory + category).

Read only (pages call them on GET).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from civic import db
from civic.identity.directory import route_to_body
from civic.identity.models import AssuranceLevel, StateBody, Territory, User
from civic.petitions import rules
from civic.petitions.models import Petition


def eligible_residents(territory: Territory, exclude_user_id: int | None = None) -> int:
    """Active accounts with a verified IIN whose home lies in ``territory`` (its subtree included)."""
    stmt = (
        select(func.count())
        .select_from(User)
        .join(Territory, Territory.id == User.home_territory_id)
        .where(
            Territory.path.startswith(territory.path),
            User.assurance_level >= int(AssuranceLevel.IIN_VERIFIED),
            User.deleted_at.is_(None),
        )
    )
    if exclude_user_id is not None:
        stmt = stmt.where(User.id != exclude_user_id)
    return db.session.scalar(stmt) or 0


@dataclass(frozen=True)
class TerritoryCheck:
    territory: Territory
    home: Territory | None
    lives_elsewhere: bool  # the author's home is not in the territory (or unknown)
    residents: int  # eligible residents there, the author left out
    supporters_needed: int
    response_threshold: int

    @property
    def too_few_supporters(self) -> bool:
        return self.residents < self.supporters_needed

    @property
    def too_few_signers(self) -> bool:
        return self.residents < self.response_threshold

    @property
    def warns(self) -> bool:
        return self.lives_elsewhere or self.too_few_supporters


def territory_check(author: User, territory: Territory | None) -> TerritoryCheck | None:
    """The territory trap for ``author`` addressing ``territory``; None when signing is open to everyone."""
    if territory is None:
        return None
    settings = rules.settings()
    if settings.residence_required is False:
        return None
    home = author.home_territory
    return TerritoryCheck(
        territory=territory,
        home=home,
        lives_elsewhere=home is None or not home.path.startswith(territory.path),
        residents=eligible_residents(territory, exclude_user_id=author.id),
        supporters_needed=settings.supporters_needed,
        response_threshold=rules.level_rule(territory.level).response_threshold,
    )


@dataclass(frozen=True)
class Pace:
    per_day: float
    projected: int
    goal: int
    closes_at: datetime

    @property
    def at_risk(self) -> bool:
        return self.projected < self.goal


#: How long a petition must have been open before its pace says anything.
PACE_AFTER_DAYS = 1.0


def signing_pace(petition: Petition, count: int, now: datetime) -> Pace | None:
    """The open petition's pace towards its response threshold (None when reached, too early, or not open)."""
    if not petition.is_signable_at(now) or petition.opened_at is None or not petition.response_threshold:
        return None
    if petition.response_threshold_reached_at is not None or count >= petition.response_threshold:
        return None
    elapsed = (now - petition.opened_at).total_seconds() / 86400
    if elapsed < PACE_AFTER_DAYS:
        return None
    remaining = (petition.closes_at - now).total_seconds() / 86400
    per_day = count / elapsed
    return Pace(
        per_day=per_day,
        projected=int(count + per_day * remaining),
        goal=petition.response_threshold,
        closes_at=petition.closes_at,
    )


def suggested_body(petition: Petition) -> tuple[StateBody | None, str]:
    """The body routing suggests for the petition and, in words, why: its competence for the petition's category
    in the nearest territory at or above the petition's, else the nearest akimat."""
    body = route_to_body(petition.territory, petition.category)
    if body is None:
        return None, str(_l("No state body is registered for this territory: choose one."))
    values = {
        "body": body.name,
        "category": petition.category.name,
        "territory": petition.territory.name,
        "body_territory": body.territory.name,
    }
    if body.is_competent_for(petition.category):
        if body.territory_id == petition.territory_id:
            return body, str(_l("%(body)s is competent for “%(category)s” in %(territory)s.", **values))
        return body, str(
            _l(
                "No body of %(territory)s is competent for “%(category)s”; %(body)s is, for %(body_territory)s, "
                "which includes %(territory)s.",
                **values,
            )
        )
    return body, str(
        _l(
            "No body is registered as competent for “%(category)s” in %(territory)s or above it: the akimat "
            "answers, %(body)s.",
            **values,
        )
    )
