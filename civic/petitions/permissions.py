"""Petition permissions. Residents need none: signing and starting petitions depend on the assurance level."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.identity.models import RolePermission, Territory, UserRole

MODERATE = "petitions.moderate"
RESPOND = "petitions.respond"
CONFIGURE = "petitions.configure"

PERMISSIONS = {
    MODERATE: _l("Moderate petitions, route them and invalidate fraudulent signatures"),
    RESPOND: _l("Publish the official response to petitions routed to one's state body"),
    CONFIGURE: _l("Change petition thresholds, signing windows and categories"),
}
DEFAULTS = {
    "moderator": {MODERATE},
    "official": {RESPOND},
}


def permitted_scopes(user, permission: str) -> tuple[bool, list[str], list[int]]:
    """Where ``user`` holds ``permission``: (everywhere?, territory paths, state body ids)."""
    if not user.is_authenticated:
        return False, [], []
    rows = db.session.execute(
        select(UserRole.role_name, Territory.path, UserRole.state_body_id)
        .outerjoin(Territory, Territory.id == UserRole.territory_id)
        .where(UserRole.user_id == user.id)
    ).all()
    granted = set(db.session.scalars(select(RolePermission.role_name).where(RolePermission.permission == permission)))
    paths, bodies = [], []
    for role, path, body_id in rows:
        if role != "admin" and role not in granted:
            continue
        if role == "admin" or (path is None and body_id is None):
            return True, [], []
        if body_id is not None:
            bodies.append(body_id)
        elif path is not None:
            paths.append(path)
    return False, paths, bodies
