"""Stakeholder use cases: the register, maps per owner, scores and the averaged position, moves between groups,
the engagement plan and engagements, the step-6 check and the recipients of a report.

A map belongs to an owner named by ``(owner_type, owner_id)``; who works on it is the owner's business
(``civic.core.providers.owner(owner_type).can_manage``). Services add and flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from civic import db
from civic.core import providers
from civic.core.errors import DomainError, NotFound, PermissionDenied
from civic.db import utc_now
from civic.identity import audit
from civic.identity.models import Territory, User
from civic.stakeholders.models import (
    DEFAULT_PLAN,
    GROUPS,
    KINDS,
    LEVEL_LABELS,
    Engagement,
    EngagementPlan,
    Level,
    MapEntry,
    Stakeholder,
    StakeholderMap,
    StakeholderPosition,
    StakeholderScore,
    group_of,
)
from civic.stakeholders.permissions import REGISTER

# --------------------------------------------------------------------------- access


def can_manage_owner(user, owner_type: str, owner_id: int) -> bool:
    owner = providers.owner(owner_type)
    return bool(getattr(user, "is_authenticated", False)) and owner is not None and owner.can_manage(user, owner_id)


def can_keep_register(user, territory: Territory) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_permission(REGISTER, territory=territory)


def can_see_contacts(user, stakeholder_map: StakeholderMap | None, stakeholder: Stakeholder) -> bool:
    """Contact persons are personal data: the owner's team, and the keepers of the territory's register."""
    if stakeholder_map is not None and can_manage_owner(user, stakeholder_map.owner_type, stakeholder_map.owner_id):
        return True
    return can_keep_register(user, stakeholder.territory)


# --------------------------------------------------------------------------- register


@dataclass
class StakeholderData:
    name: str
    kind: str
    description: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def _check(data: StakeholderData) -> None:
    if not data.name.strip():
        raise DomainError(_l("Give the stakeholder's name."), field="name")
    if data.kind not in KINDS:
        raise DomainError(_l("Choose from the list."), field="kind")


def register_stakeholder(territory: Territory, data: StakeholderData, actor: User) -> Stakeholder:
    _check(data)
    stakeholder = Stakeholder(
        territory_id=territory.id,
        territory=territory,
        name=data.name.strip(),
        kind=data.kind,
        description=data.description.strip(),
        contact_name=data.contact_name.strip(),
        contact_email=data.contact_email.strip(),
        contact_phone=data.contact_phone.strip(),
    )
    if stakeholder.contact_email:
        account = db.session.scalar(
            select(User).where(func.lower(User.email) == stakeholder.contact_email.lower(), User.deleted_at.is_(None))
        )
        stakeholder.user_id = account.id if account else None
    db.session.add(stakeholder)
    db.session.flush()
    audit.record("stakeholder.register", stakeholder, actor=actor, after={"name": stakeholder.name})
    return stakeholder


def register_of(territory: Territory) -> list[Stakeholder]:
    """The territory's register and those of the territories above it (a district reuses the oblast's)."""
    return list(
        db.session.scalars(
            select(Stakeholder)
            .where(Stakeholder.territory_id.in_(territory.ancestor_ids or [territory.id]))
            .order_by(Stakeholder.name)
        )
    )


# --------------------------------------------------------------------------- maps


def map_of(owner_type: str, owner_id: int) -> StakeholderMap | None:
    return db.session.scalar(
        select(StakeholderMap).where(StakeholderMap.owner_type == owner_type, StakeholderMap.owner_id == owner_id)
    )


def open_map(owner_type: str, owner_id: int, actor: User) -> StakeholderMap:
    """The owner's map, created with the default plan on first use."""
    if not can_manage_owner(actor, owner_type, owner_id):
        raise PermissionDenied()
    found = map_of(owner_type, owner_id)
    if found is not None:
        return found
    owner = providers.owner(owner_type)
    stakeholder_map = StakeholderMap(
        owner_type=owner_type, owner_id=owner_id, territory_id=owner.territory_id(owner_id)
    )
    db.session.add(stakeholder_map)
    db.session.flush()
    for group, (level, mechanisms) in DEFAULT_PLAN.items():
        db.session.add(EngagementPlan(map_id=stakeholder_map.id, group=group, level=level, mechanisms=str(mechanisms)))
    db.session.flush()
    return stakeholder_map


def entries(stakeholder_map: StakeholderMap) -> list[MapEntry]:
    return list(
        db.session.scalars(
            select(MapEntry)
            .join(Stakeholder, Stakeholder.id == MapEntry.stakeholder_id)
            .where(MapEntry.map_id == stakeholder_map.id)
            .order_by(MapEntry.group.nulls_last(), Stakeholder.name)
        )
    )


def add_to_map(stakeholder_map: StakeholderMap, stakeholder: Stakeholder, actor: User) -> MapEntry:
    if not can_manage_owner(actor, stakeholder_map.owner_type, stakeholder_map.owner_id):
        raise PermissionDenied()
    if db.session.scalar(
        select(MapEntry.id).where(MapEntry.map_id == stakeholder_map.id, MapEntry.stakeholder_id == stakeholder.id)
    ):
        raise DomainError(_l("This stakeholder is already on the map."), field="stakeholder")
    entry = MapEntry(map_id=stakeholder_map.id, stakeholder_id=stakeholder.id, stakeholder=stakeholder)
    db.session.add(entry)
    db.session.flush()
    audit.record("stakeholder.map_add", stakeholder_map, actor=actor, after={"stakeholder_id": stakeholder.id})
    return entry


def set_threshold(stakeholder_map: StakeholderMap, actor: User, threshold: float) -> None:
    if not can_manage_owner(actor, stakeholder_map.owner_type, stakeholder_map.owner_id):
        raise PermissionDenied()
    if threshold is None or not 1 <= threshold <= 5:
        raise DomainError(_l("The threshold lies on the 1–5 scale."), field="threshold")
    before = {"threshold": stakeholder_map.threshold}
    stakeholder_map.threshold = float(threshold)
    for entry in entries(stakeholder_map):
        if entry.interest is not None:
            _place(entry, stakeholder_map, entry.interest, entry.influence)
    db.session.flush()
    audit.record("stakeholder.threshold", stakeholder_map, actor=actor, before=before, after={"threshold": threshold})


def _place(entry: MapEntry, stakeholder_map: StakeholderMap, interest: float, influence: float) -> None:
    group = group_of(interest, influence, stakeholder_map.threshold)
    if entry.group != group:
        entry.previous_group = entry.group
        entry.group = group
        entry.group_since = utc_now()
    entry.interest, entry.influence = interest, influence
    db.session.add(StakeholderPosition(entry_id=entry.id, interest=interest, influence=influence, group=group))


def score(entry: MapEntry, actor: User, interest: int, influence: int, assessor_label: str = "") -> None:
    """One assessor's scores (1–5 each). The position is the mean of each assessor's latest scores; every
    re-assessment is kept as a position, and a move into another group makes that group's plan due."""
    stakeholder_map = db.session.get(StakeholderMap, entry.map_id)
    if not can_manage_owner(actor, stakeholder_map.owner_type, stakeholder_map.owner_id):
        raise PermissionDenied()
    for name, value in (("interest", interest), ("influence", influence)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise DomainError(_l("Scores are whole numbers from 1 to 5."), field=name)
    label = assessor_label.strip()[:200]
    db.session.add(
        StakeholderScore(
            entry_id=entry.id,
            assessor_id=None if label else actor.id,
            assessor_label=label,
            interest=interest,
            influence=influence,
        )
    )
    db.session.flush()
    latest = {}
    for s in db.session.scalars(
        select(StakeholderScore).where(StakeholderScore.entry_id == entry.id).order_by(StakeholderScore.id)
    ):
        latest[(s.assessor_id, s.assessor_label)] = s
    mean_interest = round(sum(s.interest for s in latest.values()) / len(latest), 2)
    mean_influence = round(sum(s.influence for s in latest.values()) / len(latest), 2)
    before = {"group": entry.group}
    _place(entry, stakeholder_map, mean_interest, mean_influence)
    db.session.flush()
    audit.record(
        "stakeholder.score",
        entry,
        actor=actor,
        before=before,
        after={"group": entry.group, "interest": mean_interest, "influence": mean_influence},
    )


def history(entry: MapEntry) -> list[StakeholderPosition]:
    return list(
        db.session.scalars(
            select(StakeholderPosition).where(StakeholderPosition.entry_id == entry.id).order_by(StakeholderPosition.id)
        )
    )


def scores(entry: MapEntry) -> list[StakeholderScore]:
    return list(
        db.session.scalars(
            select(StakeholderScore).where(StakeholderScore.entry_id == entry.id).order_by(StakeholderScore.id)
        )
    )


# --------------------------------------------------------------------------- plans and engagements


def plans(stakeholder_map: StakeholderMap) -> dict[int, EngagementPlan]:
    return {
        p.group: p
        for p in db.session.scalars(select(EngagementPlan).where(EngagementPlan.map_id == stakeholder_map.id))
    }


def set_plan(stakeholder_map: StakeholderMap, actor: User, group: int, level: str, mechanisms: str) -> None:
    if not can_manage_owner(actor, stakeholder_map.owner_type, stakeholder_map.owner_id):
        raise PermissionDenied()
    if group not in GROUPS or level not in LEVEL_LABELS:
        raise DomainError(_l("Choose from the list."), field="level")
    plan = plans(stakeholder_map).get(group)
    before = {"group": group, "level": plan.level if plan else None}
    if plan is None:
        plan = EngagementPlan(map_id=stakeholder_map.id, group=group)
        db.session.add(plan)
    plan.level, plan.mechanisms = level, mechanisms.strip()
    db.session.flush()
    audit.record(
        "stakeholder.plan", stakeholder_map, actor=actor, before=before, after={"group": group, "level": level}
    )


def record_engagement(entry: MapEntry, actor: User, level: str, summary: str) -> Engagement:
    stakeholder_map = db.session.get(StakeholderMap, entry.map_id)
    if not can_manage_owner(actor, stakeholder_map.owner_type, stakeholder_map.owner_id):
        raise PermissionDenied()
    if level not in LEVEL_LABELS:
        raise DomainError(_l("Choose from the list."), field="level")
    if not summary.strip():
        raise DomainError(_l("Summarise the engagement."), field="summary")
    engagement = Engagement(entry_id=entry.id, level=level, summary=summary.strip(), actor_id=actor.id)
    db.session.add(engagement)
    db.session.flush()
    audit.record("stakeholder.engagement", entry, actor=actor, after={"level": level})
    return engagement


def engagements(entry: MapEntry) -> list[Engagement]:
    return list(
        db.session.scalars(select(Engagement).where(Engagement.entry_id == entry.id).order_by(Engagement.id.desc()))
    )


def plan_due(entry: MapEntry, plan: EngagementPlan | None) -> bool:
    """The group's plan is due when the entry is in a group whose plan engages (not monitoring) and nothing at
    that level has been recorded since it entered the group."""
    if entry.group is None or plan is None or plan.level == Level.MONITORING:
        return False
    done = db.session.scalar(
        select(func.count())
        .select_from(Engagement)
        .where(
            Engagement.entry_id == entry.id,
            Engagement.level == plan.level,
            Engagement.created_at >= entry.group_since,
        )
    )
    return not done


def find_entry(entry_id: int) -> MapEntry:
    entry = db.session.get(MapEntry, entry_id)
    if entry is None:
        raise NotFound()
    return entry


# --------------------------------------------------------------------------- providers (civic.core.providers)


def decision_check(owner_type: str, owner_id: int) -> providers.CheckResult:
    """Step 6: every group-4 stakeholder consulted since it entered group 4."""
    label = _l("Stakeholder check")
    stakeholder_map = map_of(owner_type, owner_id)
    if stakeholder_map is None:
        return providers.CheckResult("stakeholders", label, False, (_("No stakeholder map has been made."),))
    missing = []
    for entry in entries(stakeholder_map):
        if entry.group != 4:
            continue
        consulted = db.session.scalar(
            select(func.count())
            .select_from(Engagement)
            .where(
                Engagement.entry_id == entry.id,
                Engagement.level.in_((Level.CONSULTATION, Level.DIALOGUE, Level.PARTNERSHIP)),
                Engagement.created_at >= entry.group_since,
            )
        )
        if not consulted:
            missing.append(entry.stakeholder.name)
    if missing:
        return providers.CheckResult(
            "stakeholders",
            label,
            False,
            (_("Group 4 not yet consulted: %(names)s.", names=", ".join(missing)),),
        )
    return providers.CheckResult("stakeholders", label, True)


def report_recipients(owner_type: str, owner_id: int) -> list[providers.Recipient]:
    """Each group per its plan: every group whose plan is not monitoring gets the report (account or email)."""
    stakeholder_map = map_of(owner_type, owner_id)
    if stakeholder_map is None:
        return []
    group_plans = plans(stakeholder_map)
    found = []
    for entry in entries(stakeholder_map):
        plan = group_plans.get(entry.group)
        if plan is None or plan.level == Level.MONITORING:
            continue
        stakeholder = entry.stakeholder
        if stakeholder.user_id is not None or stakeholder.contact_email:
            found.append(
                providers.Recipient(stakeholder.user_id, stakeholder.contact_email or None, f"group {entry.group}")
            )
    return found


def register_providers(registry: providers.ProviderRegistry) -> None:
    registry.register_check("decision", "stakeholders", decision_check)
    registry.register_recipients("stakeholders", report_recipients)
