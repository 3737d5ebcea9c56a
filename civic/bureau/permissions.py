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
from civic.identity.models import StateBody, Territory
from civic.identity.permissions import INSPECTOR, OFFICIAL, VERIFY_IN_PERSON, scopes

CONSULT = "bureau.consult"
SUPERVISE = "bureau.supervise"
ANSWER = "bureau.answer"
INSPECT = "bureau.inspect"
MANAGE = "bureau.manage"
#: The module's roles (``official`` and ``inspector`` are identity's, as they name a state body). Supervisors are
#: granted with ``flask bureau grant-supervisor`` or the role screen.
BUREAU_CONSULTANT = "bureau_consultant"
BUREAU_SUPERVISOR = "bureau_supervisor"
ROLES = {
    BUREAU_CONSULTANT: _l("Advice bureau consultant"),
    BUREAU_SUPERVISOR: _l("Advice bureau supervisor"),
}

PERMISSIONS = {
    CONSULT: _l("Advise clients of the citizen advice bureau: intake queue and own cases"),
    SUPERVISE: _l("Supervise the advice bureau: all cases of a territory, workload, reassignment, templates"),
    ANSWER: _l("Answer the advice bureau's referrals to one's state body"),
    INSPECT: _l("Inspect state bodies' answers to advice bureau referrals"),
    MANAGE: _l("Manage the advice bureau's categories"),
}
DEFAULTS = {
    BUREAU_CONSULTANT: {CONSULT, VERIFY_IN_PERSON},
    BUREAU_SUPERVISOR: {CONSULT, SUPERVISE},
    OFFICIAL: {ANSWER},
    INSPECTOR: {INSPECT},
}


def territory_ids_for(user, permission: str) -> list[int] | None:
    """Ids of the territories where ``user`` holds ``permission`` (subtrees included); None means everywhere."""
    found = scopes(user, permission)
    if found.everywhere:
        return None
    if not found.territory_paths:
        return []
    return list(db.session.scalars(select(Territory.id).where(found.territory_condition(Territory.path))))


def body_ids_for(user) -> list[int] | None:
    """Ids of the state bodies whose referrals ``user`` may answer (as official or head); None means all."""
    found = scopes(user, ANSWER)
    if found.everywhere:
        return None
    ids = set(db.session.scalars(select(StateBody.id).where(found.body_condition(StateBody.id)))) if found else set()
    ids.update(db.session.scalars(select(StateBody.id).where(StateBody.head_user_id == user.id)))
    return sorted(ids)


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
