"""Configuration by administrators and supervisors: extra bureau areas, response templates, supervisors."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.bureau import clock
from civic.bureau.models import BureauArea, ResponseTemplate
from civic.bureau.permissions import BUREAU_SUPERVISOR, MANAGE, SUPERVISE
from civic.config import LANGUAGES
from civic.core.errors import Conflict, DomainError, PermissionDenied
from civic.identity import audit
from civic.identity.models import Category, Territory, User, UserRole
from civic.identity.permissions import forget_cached_permissions

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def add_area(actor: User, *, existing: Category | None = None, code: str = "", names: dict | None = None) -> Category:
    """Let the bureau use a category: an existing shared one, or a new one with names in kk/ru/en."""
    if not actor.has_permission(MANAGE):
        raise PermissionDenied()
    category = existing or _new_category(code, names or {})
    if db.session.get(BureauArea, category.id) is not None:
        raise Conflict(_l("The bureau already uses this category."), field="existing")
    db.session.add(BureauArea(category_id=category.id, added_by_id=actor.id, added_at=clock.now()))
    db.session.flush()
    audit.record("bureau.add_area", category, actor=actor, after={"code": category.code})
    return category


def _new_category(code: str, names: dict) -> Category:
    code = (code or "").strip().lower()
    if not _CODE.match(code):
        raise DomainError(
            _l("Choose an existing category, or give a code of 2–40 latin letters, digits or underscores."),
            field="code",
        )
    if db.session.scalar(select(Category.id).where(Category.code == code)) is not None:
        raise Conflict(_l("A category with this code already exists: choose it from the list."), field="code")
    if not all((names.get(lang) or "").strip() for lang in LANGUAGES):
        raise DomainError(_l("Give the name in Kazakh, Russian and English."), field="name_kk")
    category = Category(code=code, **{f"name_{lang}": names[lang].strip() for lang in LANGUAGES})
    db.session.add(category)
    db.session.flush()
    return category


def save_template(
    actor: User,
    template: ResponseTemplate | None,
    *,
    category: Category | None,
    language: str,
    title: str,
    body: str,
    is_active: bool,
) -> ResponseTemplate:
    """Create or update a response template (kept per category and language)."""
    if not actor.has_permission(SUPERVISE):
        raise PermissionDenied()
    if language not in LANGUAGES:
        raise DomainError(_l("Choose a language."), field="language")
    before = None if template is None else {"title": template.title, "active": template.is_active}
    if template is None:
        template = ResponseTemplate(created_by_id=actor.id, created_at=clock.now())
        db.session.add(template)
    template.category, template.language, template.title = category, language, title.strip()
    template.body, template.is_active, template.updated_at = body.strip(), is_active, clock.now()
    db.session.flush()
    audit.record(
        "bureau.template",
        template,
        actor=actor,
        before=before,
        after={"title": template.title, "active": template.is_active},
    )
    return template


def grant_supervisor(user: User, territory: Territory | None, actor: User | None = None) -> UserRole:
    """Make ``user`` a bureau supervisor for ``territory`` (everywhere when None); used by the CLI."""
    duplicate = db.session.scalar(
        select(UserRole.id).where(
            UserRole.user_id == user.id,
            UserRole.role_name == BUREAU_SUPERVISOR,
            UserRole.territory_id.is_(None) if territory is None else UserRole.territory_id == territory.id,
        )
    )
    if duplicate:
        raise Conflict(_l("The user already supervises the bureau here."))
    assignment = UserRole(
        user_id=user.id, role_name=BUREAU_SUPERVISOR, territory=territory, granted_by_id=getattr(actor, "id", None)
    )
    db.session.add(assignment)
    db.session.flush()
    audit.record(
        "bureau.grant_supervisor",
        user,
        actor=actor,
        after={"role": BUREAU_SUPERVISOR, "territory": getattr(territory, "code", None)},
    )
    forget_cached_permissions()
    return assignment
