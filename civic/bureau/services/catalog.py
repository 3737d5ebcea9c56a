"""The bureau's categories: seven built-in areas plus the shared categories an administrator added."""

from __future__ import annotations

from sqlalchemy import select

from civic import db
from civic.bureau.models import BureauArea
from civic.core.i18n import collation_key
from civic.identity.models import Category

#: The bureau's areas named by the seed report (UK Citizens Advice model), in display order.
BUILTIN_AREAS = ("debts", "consumer", "benefits", "housing", "legal", "employment", "migration")


def bureau_categories() -> list[Category]:
    """Active categories the bureau works with, built-in areas first."""
    extra = select(BureauArea.category_id)
    rows = db.session.scalars(
        select(Category).where(Category.is_active.is_(True), Category.code.in_(BUILTIN_AREAS) | Category.id.in_(extra))
    ).all()
    order = {code: i for i, code in enumerate(BUILTIN_AREAS)}
    return sorted(rows, key=lambda c: (order.get(c.code, len(order)), collation_key(c.name)))


def is_bureau_category(category: Category | None) -> bool:
    if category is None or not category.is_active:
        return False
    if category.code in BUILTIN_AREAS:
        return True
    return db.session.get(BureauArea, category.id) is not None
