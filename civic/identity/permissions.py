"""Roles, named permissions and the checks views use: one decorator on routes, predicates on objects, and the two
questions every module asks: *where* does this user hold a permission (``scopes``) and *who* holds it here
(``holders``).

The scope rule, in one place. A role assignment that grants a permission covers
* a territory ``T`` when it names no territory or an ancestor-or-self of ``T`` (materialised ``Territory.path``);
  an assignment to a state body lies in the body's territory;
* a state body ``B`` when it names ``B``, or names no body and covers ``B``'s territory.
A check for both a territory and a body needs both. The
implicit ``resident`` role (every account) holds what is granted to residents, everywhere. Deleted accounts hold
nothing. The ``admin`` role holds every permission within its assignment's scope (unscoped: everywhere).

Roles: identity declares only its own (``resident``, ``admin``, and the body-bound ``official`` and ``inspector``,
whose assignment names a state body of the directory). Modules declare theirs in ``permissions.ROLES``
(``{name: lazy label}``) beside ``PERMISSIONS`` and ``DEFAULTS``; ``role_labels()`` merges them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, delete, exists, false, func, literal, null, or_, select, true, union_all
from sqlalchemy.orm import aliased

from civic import db
from civic.identity import models

RESIDENT, OFFICIAL, INSPECTOR, ADMIN = "resident", "official", "inspector", "admin"
#: Identity's own roles. ``official`` and ``inspector`` stay here because identity's logic needs them: assigning
#: them names a state body of identity's directory (``BODY_ROLES``), and officials verify residents in person.
ROLES = {
    RESIDENT: _l("Resident"),
    OFFICIAL: _l("Official of a state body"),
    INSPECTOR: _l("Inspector"),
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
}


def role_labels() -> dict[str, object]:
    """Every role the platform knows, with its label: identity's and each module's ``permissions.ROLES``, in
    module order, residents first and administrators last."""
    from civic.modules import collect

    labels: dict[str, object] = {}
    for declared in collect("permissions", "ROLES"):
        for name, label in declared.items():
            labels.setdefault(name, label)
    labels.pop(ADMIN, None)
    labels[ADMIN] = ROLES[ADMIN]
    return labels


def all_roles() -> tuple[str, ...]:
    return tuple(role_labels())


# --------------------------------------------------------------------------- scopes: where a user holds a permission


@dataclass(frozen=True)
class Scopes:
    """Where a user holds one permission.

    ``everywhere``: over every territory and body. ``territory_paths``: the territories (with their subtrees) of the
    granting assignments. ``body_ids``: the bodies the body-bound assignments name. ``wide_paths``: the territories
    of the assignments bound to no body, which also cover every body there.
    """

    everywhere: bool = False
    territory_paths: tuple[str, ...] = ()
    body_ids: tuple[int, ...] = ()
    wide_paths: tuple[str, ...] = ()

    @classmethod
    def of(cls, assignments) -> Scopes:
        """Build from the (territory path or None, body id or None) of each granting assignment."""
        assignments = list(assignments)
        if any(path is None and body_id is None for path, body_id in assignments):
            return cls(everywhere=True)
        return cls(
            territory_paths=tuple(sorted({path for path, _ in assignments if path is not None})),
            body_ids=tuple(sorted({body_id for _, body_id in assignments if body_id is not None})),
            wide_paths=tuple(sorted({path for path, body_id in assignments if body_id is None and path is not None})),
        )

    def __bool__(self) -> bool:
        return self.everywhere or bool(self.territory_paths or self.body_ids)

    def covers_territory(self, territory) -> bool:
        return self.everywhere or any(territory.path.startswith(path) for path in self.territory_paths)

    def covers_body(self, body) -> bool:
        if self.everywhere or body.id in self.body_ids:
            return True
        return any(body.territory.path.startswith(path) for path in self.wide_paths)

    def covers(self, territory=None, body=None) -> bool:
        """The permission over ``territory`` and ``body`` (either may be None); with neither: anywhere at all."""
        if territory is None and body is None:
            return bool(self)
        return (territory is None or self.covers_territory(territory)) and (body is None or self.covers_body(body))

    def territory_condition(self, path_column):
        """SQL condition on a ``Territory.path`` column: the row's territory is covered."""
        if self.everywhere:
            return true()
        if not self.territory_paths:
            return false()
        return or_(*(path_column.startswith(path) for path in self.territory_paths))

    def body_condition(self, body_id_column):
        """SQL condition on a state body id column: the row's body is covered."""
        if self.everywhere:
            return true()
        clauses = []
        if self.body_ids:
            clauses.append(body_id_column.in_(self.body_ids))
        if self.wide_paths:
            inside = (
                select(models.StateBody.id)
                .join(models.Territory, models.Territory.id == models.StateBody.territory_id)
                .where(or_(*(models.Territory.path.startswith(path) for path in self.wide_paths)))
            )
            clauses.append(body_id_column.in_(inside))
        return or_(*clauses) if clauses else false()


def _signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and bool(user.is_active)


def _assignment_rows():
    """(role, territory path, body id) of role assignments; an assignment to a body lies in the body's territory."""
    own, body_territory = aliased(models.Territory), aliased(models.Territory)
    return (
        select(
            models.UserRole.role_name,
            func.coalesce(own.path, body_territory.path).label("path"),
            models.UserRole.state_body_id,
        )
        .outerjoin(own, own.id == models.UserRole.territory_id)
        .outerjoin(models.StateBody, models.StateBody.id == models.UserRole.state_body_id)
        .outerjoin(body_territory, body_territory.id == models.StateBody.territory_id)
    )


def _granted_roles(permission: str):
    return select(models.RolePermission.role_name).where(models.RolePermission.permission == permission)


def scopes(user, permission: str) -> Scopes:
    """Where ``user`` holds ``permission``, in one query. Nowhere for anonymous or deleted accounts."""
    if not _signed_in(user):
        return Scopes()
    assigned = _assignment_rows().where(
        models.UserRole.user_id == user.id,
        or_(models.UserRole.role_name == ADMIN, models.UserRole.role_name.in_(_granted_roles(permission))),
    )
    implicit = select(literal(RESIDENT), null(), null()).where(
        exists().where(models.RolePermission.role_name == RESIDENT, models.RolePermission.permission == permission)
    )
    rows = db.session.execute(union_all(assigned, implicit)).all()
    return Scopes.of((None, None) if role == RESIDENT else (path, body_id) for role, path, body_id in rows)


def holders(permission: str, territory=None, body=None) -> list:
    """Active users whose role assignments grant ``permission`` over ``territory`` and ``body`` (see the rule at the
    top), in one query, ordered by id.

    Administrators are left out unless they hold the permission through another role: they hold every permission
    implicitly but are not the people on duty, and ``holders`` chooses who is notified, so a new petition in any
    district must not reach every administrator (docs/decisions.md). Likewise the implicit ``resident`` role counts
    only if the permission is granted to residents, and then every active account holds it.
    """
    return list(
        db.session.scalars(select(models.User).where(_holds(permission, territory, body)).order_by(models.User.id))
    )


def holder_ids(permission: str, territory=None, body=None):
    """The ids of ``holders(...)`` as a subquery, to join or filter on."""
    return select(models.User.id).where(_holds(permission, territory, body))


def _grants_over(territory, body):
    """SQL condition on a ``UserRole`` row: it covers ``territory`` and ``body`` (None: any)."""
    conditions = []
    if territory is not None:
        conditions.append(_covers_territory_ids(territory.ancestor_ids))
    if body is not None:
        conditions.append(
            or_(
                models.UserRole.state_body_id == body.id,
                models.UserRole.state_body_id.is_(None) & _covers_territory_ids(body.territory.ancestor_ids),
            )
        )
    return conditions


def _covers_territory_ids(ancestor_ids: list[int]):
    body_territory = (
        select(models.StateBody.territory_id)
        .where(models.StateBody.id == models.UserRole.state_body_id)
        .scalar_subquery()
    )
    place = func.coalesce(models.UserRole.territory_id, body_territory)
    return place.is_(None) | place.in_(ancestor_ids)


def _holds(permission: str, territory, body):
    """SQL condition on ``User``: active and granted ``permission`` over ``territory`` and ``body``."""

    def assignment(condition):
        return exists().where(
            models.UserRole.user_id == models.User.id,
            models.UserRole.role_name != ADMIN,
            models.UserRole.role_name.in_(_granted_roles(permission)),
            condition,
        )

    granted = [assignment(condition) for condition in _grants_over(territory, body)] or [assignment(true())]
    residents = exists().where(
        models.RolePermission.role_name == RESIDENT, models.RolePermission.permission == permission
    )
    return models.User.deleted_at.is_(None) & or_(residents, and_(*granted))


# --------------------------------------------------------------------------- checks (memoised per request)


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
        rows = db.session.execute(_assignment_rows().where(models.UserRole.user_id == user.id)).all()
        cache[user.id] = [(RESIDENT, None, None), *((r[0], r[1], r[2]) for r in rows)]
    return cache[user.id]


def forget_cached_permissions() -> None:
    g.pop("_role_assignments", None)
    g.pop("_role_grants", None)


def user_has_permission(user, permission: str, territory=None, body=None) -> bool:
    """True if the user's role assignments grant ``permission`` over ``territory``/``body``: the same rule as
    ``scopes`` and ``holders``, from the assignments memoised for the request."""
    if not _signed_in(user):
        return False
    grants = _role_grants()
    granting = (
        (path, body_id)
        for role, path, body_id in _assignments(user)
        if role == ADMIN or permission in grants.get(role, ())
    )
    return Scopes.of(granting).covers(territory, body)


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

    merged: dict[str, set[str]] = {role: set() for role in all_roles()}
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
