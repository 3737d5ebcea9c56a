"""The rules administrators can change: thresholds and signing window per territory level, supporters, residence."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.core import deadlines
from civic.core.errors import DomainError
from civic.identity import audit
from civic.identity.directory import LEVEL_ORDER
from civic.identity.models import Category
from civic.petitions.models import PetitionLevelRule, PetitionSettings

#: The shared categories a petition may be filed under (the others belong to the advice bureau).
PETITION_CATEGORY_CODES = (
    "energy",
    "housing",
    "transport_roads",
    "landscaping",
    "education",
    "health",
    "social_protection",
    "ecology",
    "other",
)
#: Calendar days the akimat has to answer once the first threshold is reached (the law on appeals), on the platform's
#: legal clock (``civic.core.deadlines``; computed in ``answer_deadline.py``).
RESPONSE_DAYS = deadlines.LEGAL_DAYS
#: Moderation queue markers, in days since the petition entered moderation (as the UK service).
NEARLY_OVERDUE_DAYS, OVERDUE_DAYS = 11, 14


@dataclass(frozen=True)
class LevelRule:
    level: str
    response_threshold: int
    hearing_threshold: int
    signing_days: int


DEFAULT_RULES = {
    "rural_district": LevelRule("rural_district", 100, 500, 90),
    "district": LevelRule("district", 500, 2500, 90),
    "city": LevelRule("city", 2000, 10000, 90),
    "oblast": LevelRule("oblast", 2000, 10000, 90),
    "republic": LevelRule("republic", 10000, 100000, 90),
}
DEFAULT_SUPPORTERS_NEEDED = 5


def level_rule(level: str) -> LevelRule:
    """The thresholds and window for a territory level (the stored row, else the default)."""
    row = db.session.get(PetitionLevelRule, level)
    if row is None:
        return DEFAULT_RULES[level]
    return LevelRule(row.level, row.response_threshold, row.hearing_threshold, row.signing_days)


def all_level_rules() -> list[LevelRule]:
    stored = {
        row.level: LevelRule(row.level, row.response_threshold, row.hearing_threshold, row.signing_days)
        for row in db.session.scalars(select(PetitionLevelRule))
    }
    return [stored.get(level, DEFAULT_RULES[level]) for level in LEVEL_ORDER]


def settings() -> PetitionSettings:
    """The module-wide settings (an unsaved row with the defaults when none is stored)."""
    row = db.session.get(PetitionSettings, 1)
    return row or PetitionSettings(id=1, supporters_needed=DEFAULT_SUPPORTERS_NEEDED, residence_required=True)


def save_level_rule(level: str, response_threshold: int, hearing_threshold: int, signing_days: int, actor) -> None:
    """Store a level's thresholds and window (audited). Petitions already open keep the thresholds they opened with."""
    if level not in DEFAULT_RULES:
        raise DomainError(_l("Unknown territory level."))
    if not 1 <= response_threshold < hearing_threshold:
        raise DomainError(
            _l("The hearing threshold must be higher than the response threshold."), field="hearing_threshold"
        )
    if not 1 <= signing_days <= 366:
        raise DomainError(_l("The signing window must be between 1 and 366 days."), field="signing_days")
    before = level_rule(level).__dict__
    row = db.session.get(PetitionLevelRule, level) or PetitionLevelRule(level=level)
    row.response_threshold, row.hearing_threshold, row.signing_days = (
        response_threshold,
        hearing_threshold,
        signing_days,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "petitions.rules_changed",
        actor=actor,
        object_type="petition_level_rules",
        object_id=level,
        before=dict(before),
        after=level_rule(level).__dict__,
    )


def save_settings(supporters_needed: int, residence_required: bool, actor) -> None:
    """Store the module-wide settings (audited)."""
    if not 1 <= supporters_needed <= 100:
        raise DomainError(_l("Between 1 and 100 supporters."), field="supporters_needed")
    row = db.session.get(PetitionSettings, 1) or PetitionSettings(id=1)
    before = {"supporters_needed": settings().supporters_needed, "residence_required": settings().residence_required}
    row.supporters_needed, row.residence_required = supporters_needed, residence_required
    db.session.add(row)
    db.session.flush()
    audit.record(
        "petitions.settings_changed",
        actor=actor,
        object_type="petition_settings",
        object_id=1,
        before=before,
        after={"supporters_needed": supporters_needed, "residence_required": residence_required},
    )


def petition_categories(active_only: bool = False) -> list[Category]:
    stmt = select(Category).where(Category.code.in_(PETITION_CATEGORY_CODES))
    if active_only:
        stmt = stmt.where(Category.is_active.is_(True))
    order = {code: i for i, code in enumerate(PETITION_CATEGORY_CODES)}
    return sorted(db.session.scalars(stmt), key=lambda c: order[c.code])


def update_category(category: Category, name_kk: str, name_ru: str, name_en: str, is_active: bool, actor) -> None:
    """Rename a petition category or switch it off for new petitions (audited)."""
    if category.code not in PETITION_CATEGORY_CODES:
        raise DomainError(_l("This category is not used for petitions."))
    names = [n.strip() for n in (name_kk, name_ru, name_en)]
    if not all(names):
        raise DomainError(_l("Give the name in all three languages."))
    before = {
        "name_kk": category.name_kk,
        "name_ru": category.name_ru,
        "name_en": category.name_en,
        "is_active": category.is_active,
    }
    category.name_kk, category.name_ru, category.name_en = names
    category.is_active = is_active
    db.session.flush()
    audit.record(
        "petitions.category_changed",
        category,
        actor=actor,
        before=before,
        after={"name_kk": names[0], "name_ru": names[1], "name_en": names[2], "is_active": is_active},
    )
