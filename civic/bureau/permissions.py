"""Who may do what in the advice bureau: named permissions, role defaults, and the per-case access rules.

* Consultants (``bureau_consultant``, scoped to a territory) hold ``bureau.consult``: they see the intake queue
  (new and triaged cases not yet assigned) of their territory and the cases assigned to them, nothing else.
* Supervisors hold ``bureau.supervise`` over a territory: every case there, the workload view, reassignment,
  templates. Administrators have it everywhere; the module role ``bureau_supervisor`` grants it (see docs/bureau.md).
* Officials (``official`` with a state body) hold ``bureau.answer``: only the referred content for their body.
* Inspectors hold ``bureau.inspect`` over the territory of their body: they review the answers of the bodies there.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from civic import db
from civic.identity.models import RolePermission, StateBody, Territory, User, UserRole
from civic.identity.permissions import ADMIN, BUREAU_CONSULTANT, INSPECTOR, OFFICIAL

CONSULT = "bureau.consult"
SUPERVISE = "bureau.supervise"
ANSWER = "bureau.answer"
INSPECT = "bureau.inspect"
MANAGE = "bureau.manage"
#: A module role (not one of the foundation's): bureau supervisors, granted with ``flask bureau grant-supervisor``.
BUREAU_SUPERVISOR = "bureau_supervisor"

PERMISSIONS = {
    CONSULT: _l("Advise clients of the citizen advice bureau: intake queue and own cases"),
    SUPERVISE: _l("Supervise the advice bureau: all cases of a territory, workload, reassignment, templates"),
    ANSWER: _l("Answer the advice bureau's referrals to one's state body"),
    INSPECT: _l("Inspect state bodies' answers to advice bureau referrals"),
    MANAGE: _l("Manage the advice bureau's categories"),
}
DEFAULTS = {
    BUREAU_CONSULTANT: {CONSULT},
    BUREAU_SUPERVISOR: {CONSULT, SUPERVISE},
    OFFICIAL: {ANSWER},
    INSPECTOR: {INSPECT},
}


def scopes(user, permission: str) -> list[tuple[str | None, int | None]]:
    """(territory path or None for everywhere, state body id or None) of each assignment granting ``permission``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    granted = select(RolePermission.role_name).where(RolePermission.permission == permission)
    rows = db.session.execute(
        select(UserRole.role_name, Territory.path, UserRole.state_body_id)
        .outerjoin(Territory, Territory.id == UserRole.territory_id)
        .where(UserRole.user_id == user.id, (UserRole.role_name == ADMIN) | UserRole.role_name.in_(granted))
    ).all()
    return [(None, None) if role == ADMIN else (path, body_id) for role, path, body_id in rows]


def territory_ids_for(user, permission: str) -> list[int] | None:
    """Ids of the territories where ``user`` holds ``permission`` (subtrees included); None means everywhere."""
    paths = [path for path, _body in scopes(user, permission)]
    if not paths:
        return []
    if any(path is None for path in paths):
        return None
    condition = None
    for path in paths:
        clause = Territory.path.startswith(path)
        condition = clause if condition is None else condition | clause
    return list(db.session.scalars(select(Territory.id).where(condition)))


def body_ids_for(user) -> list[int] | None:
    """Ids of the state bodies whose referrals ``user`` may answer (as official or head); None means all."""
    found: set[int] = set()
    for _path, body_id in scopes(user, ANSWER):
        if body_id is None:
            return None
        found.add(body_id)
    found.update(db.session.scalars(select(StateBody.id).where(StateBody.head_user_id == user.id)))
    return sorted(found)


# --------------------------------------------------------------------------- per-object predicates


def is_client(user, case) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and case.client_id == user.id


def is_supervisor(user, case) -> bool:
    return user.has_permission(SUPERVISE, territory=case.territory)


def is_assigned_consultant(user, case) -> bool:
    return case.consultant_id == user.id and user.has_permission(CONSULT)


def can_take_from_intake(user, case) -> bool:
    """A consultant of the case's territory may see and pick up an unassigned case."""
    return case.consultant_id is None and user.has_permission(CONSULT, territory=case.territory)


def can_work_on(user, case) -> bool:
    """Staff access to the whole case: the assigned consultant, an intake consultant, or a supervisor."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_assigned_consultant(user, case) or can_take_from_intake(user, case) or is_supervisor(user, case)


def can_view_case(user, case) -> bool:
    return is_client(user, case) or can_work_on(user, case)


def is_body_official(user, referral) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_permission(ANSWER, body=referral.body) or referral.body.head_user_id == user.id


def is_inspector_for(user, referral) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_permission(
        INSPECT, territory=referral.body.territory
    )


def can_view_referral(user, referral) -> bool:
    return is_body_official(user, referral) or is_inspector_for(user, referral) or can_work_on(user, referral.case)


def holders(permission: str, *, territory=None, body=None) -> list:
    """Active users whose role assignments grant ``permission`` over ``territory``/``body`` (administrators, who
    hold every permission implicitly, are not included: they are not the people on duty)."""
    rows = db.session.execute(
        select(User, Territory.path, UserRole.state_body_id)
        .join(UserRole, UserRole.user_id == User.id)
        .join(
            RolePermission, (RolePermission.role_name == UserRole.role_name) & (RolePermission.permission == permission)
        )
        .outerjoin(Territory, Territory.id == UserRole.territory_id)
        .where(User.deleted_at.is_(None))
        .order_by(User.id)
    ).all()
    found = {}
    for user, path, body_id in rows:
        if territory is not None and path is not None and not territory.path.startswith(path):
            continue
        if body is not None and body_id is not None and body.id != body_id:
            continue
        found[user.id] = user
    return list(found.values())
