"""Roles, named permissions and the checks views use: one decorator on routes, predicates on objects."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import delete, select

from civic import db
from civic.identity import models

RESIDENT, COUNCIL_MEMBER, EXPERT, MODERATOR = "resident", "council_member", "expert", "moderator"
OFFICIAL, INSPECTOR, BUREAU_CONSULTANT, ADMIN = "official", "inspector", "bureau_consultant", "admin"
BUREAU_SUPERVISOR = "bureau_supervisor"
ROLES = (RESIDENT, COUNCIL_MEMBER, EXPERT, MODERATOR, OFFICIAL, INSPECTOR, BUREAU_CONSULTANT, BUREAU_SUPERVISOR, ADMIN)
ROLE_LABELS = {
    RESIDENT: _l("Resident"),
    COUNCIL_MEMBER: _l("Public council member"),
    EXPERT: _l("Expert"),
    MODERATOR: _l("Moderator"),
    OFFICIAL: _l("Official of a state body"),
    INSPECTOR: _l("Inspector"),
    BUREAU_CONSULTANT: _l("Advice bureau consultant"),
    BUREAU_SUPERVISOR: _l("Advice bureau supervisor"),
    ADMIN: _l("Administrator"),
}
#: Roles that only make sense inside one state body: assigning them names the body.
BODY_ROLES = frozenset({OFFICIAL, INSPECTOR})

MANAGE_USERS = "identity.manage_users"
ASSIGN_ROLES = "identity.assign_roles"
VIEW_AUDIT = "identity.view_audit"
VERIFY_IN_PERSON = "identity.verify_in_person"
MANAGE_DIRECTORY = "identity.manage_directory"

PERMISSIONS = {
    MANAGE_USERS: _l("Find users and see their roles"),
    ASSIGN_ROLES: _l("Assign and revoke roles"),
    VIEW_AUDIT: _l("Browse the audit log"),
    VERIFY_IN_PERSON: _l("Verify residents in person at a front office"),
    MANAGE_DIRECTORY: _l("Edit state bodies: heads and competences"),
}
DEFAULTS = {
    OFFICIAL: {VERIFY_IN_PERSON},
    BUREAU_CONSULTANT: {VERIFY_IN_PERSON},
}


def _role_grants() -> dict[str, set[str]]:
    grants = g.get("_role_grants")
    if grants is None:
        grants = {}
        for row in db.session.execute(select(models.RolePermission.role_name, models.RolePermission.permission)):
            grants.setdefault(row.role_name, set()).add(row.permission)
        g._role_grants = grants
    return grants


def _assignments(user) -> list[tuple[str, str | None, int | None]]:
    """(role, territory path or None, state body id or None) for the user, memoised per request."""
    cache = g.setdefault("_role_assignments", {})
    if user.id not in cache:
        rows = db.session.execute(
            select(models.UserRole.role_name, models.Territory.path, models.UserRole.state_body_id)
            .outerjoin(models.Territory, models.Territory.id == models.UserRole.territory_id)
            .where(models.UserRole.user_id == user.id)
        ).all()
        cache[user.id] = [(RESIDENT, None, None), *((r[0], r[1], r[2]) for r in rows)]
    return cache[user.id]


def forget_cached_permissions() -> None:
    g.pop("_role_assignments", None)
    g.pop("_role_grants", None)


def user_has_permission(user, permission: str, territory=None, body=None) -> bool:
    """True if one of the user's role assignments grants ``permission`` over ``territory``/``body``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    grants = _role_grants()
    for role, path, body_id in _assignments(user):
        if role != ADMIN and permission not in grants.get(role, ()):
            continue
        if territory is not None and path is not None and not territory.path.startswith(path):
            continue
        if body is not None and body_id is not None and body.id != body_id:
            continue
        return True
    return False


def user_roles(user) -> set[str]:
    return {role for role, _path, _body in _assignments(user)}


def require_permission(permission: str):
    """Route decorator: anonymous users go to the login page, users without the permission get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_permission(permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def require_level(level):
    """Route decorator: the signed-in user must have at least the given assurance level (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_level(level):
                abort(403, description=str(_l("This needs a higher verification level of your account.")))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def all_defaults() -> dict[str, set[str]]:
    """Merge every module's ``permissions.DEFAULTS``."""
    from civic.modules import collect

    merged: dict[str, set[str]] = {role: set() for role in ROLES}
    for defaults in collect("permissions", "DEFAULTS"):
        for role, names in defaults.items():
            merged.setdefault(role, set()).update(names)
    return merged


def all_permissions() -> dict[str, str]:
    from civic.modules import collect

    merged: dict[str, str] = {}
    for names in collect("permissions", "PERMISSIONS"):
        merged.update(names)
    return merged


def sync_roles() -> int:
    """Make the roles and role_permissions tables match the modules' declared defaults. Returns the grant count."""
    defaults = all_defaults()
    existing = set(db.session.scalars(select(models.Role.name)))
    for role in defaults:
        if role not in existing:
            db.session.add(models.Role(name=role))
    db.session.flush()
    db.session.execute(delete(models.RolePermission))
    count = 0
    for role, names in defaults.items():
        for name in sorted(names):
            db.session.add(models.RolePermission(role_name=role, permission=name))
            count += 1
    db.session.flush()
    if has_app_context():
        forget_cached_permissions()
    return count
