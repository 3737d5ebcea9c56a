"""Initiative use cases: templates, starting and editing, the team, step moves with their records, decisions,
subscriptions, and weak-spot reports. Indicators, values and the roll-up are in ``indicators_service``.

Services add and flush, never commit; staff actions are audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import aliased

from civic import db
from civic.core import providers
from civic.core.errors import DomainError, InvalidTransition, PermissionDenied
from civic.core.http import path_for
from civic.db import utc_now
from civic.identity import audit
from civic.identity.models import StateBody, Territory, User
from civic.identity.notifications import notify
from civic.identity.permissions import scopes
from civic.initiatives.models import (
    LAST_STEP,
    SECTORS,
    Decision,
    Indicator,
    Initiative,
    StepMove,
    Subscription,
    TeamMember,
    Template,
    WeakSpot,
)
from civic.initiatives.permissions import MANAGE, WEAK_SPOTS, can_manage, can_send_weak_spots

OWNER_TYPE = "initiative"
#: The moment initiatives asks the providers' checks about before step 6 is passed (``civic.core.providers``).
DECISION_CHECK = "decision"


# --------------------------------------------------------------------------- templates


def template_records() -> list[dict]:
    text = resources.files("civic.initiatives").joinpath("data/cases.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_templates(records: list[dict] | None = None) -> tuple[int, int]:
    """Create or update the catalogue by case number; returns (created, updated). Running it again changes nothing."""
    created = updated = 0
    existing = {t.case_no: t for t in db.session.scalars(select(Template))}
    fields = (
        "title_kk",
        "title_ru",
        "title_en",
        "sector",
        "horizon_years",
        "data_to_collect",
        "mechanisms",
        "indicators",
        "source_line",
    )
    for record in records if records is not None else template_records():
        template = existing.get(record["case_no"])
        if template is None:
            db.session.add(Template(case_no=record["case_no"], **{f: record[f] for f in fields}))
            created += 1
        elif any(getattr(template, f) != record[f] for f in fields):
            for f in fields:
                setattr(template, f, record[f])
            updated += 1
    db.session.flush()
    return created, updated


# --------------------------------------------------------------------------- initiatives


@dataclass
class InitiativeData:
    title: str
    summary: str
    territory: Territory
    sector: str
    horizon_years: int
    body: StateBody | None = None
    is_public: bool = False


def _check_data(data: InitiativeData) -> None:
    if data.sector not in SECTORS:
        raise DomainError(_l("Choose a sector from the list."), field="sector")
    if not 1 <= data.horizon_years <= 30:
        raise DomainError(_l("The horizon is between 1 and 30 years."), field="horizon_years")
    if (
        data.body is not None
        and not data.territory.contains(data.body.territory)
        and not data.body.territory.contains(data.territory)
    ):
        raise DomainError(_l("The owner body does not work in this territory."), field="body")


def start_initiative(actor: User, data: InitiativeData, template: Template | None = None) -> Initiative:
    """Start an initiative at step 1, from a template (its indicators copied) or from scratch; the actor joins the
    team. Needs ``initiatives.manage`` over the territory and body."""
    _check_data(data)
    if not actor.has_permission(MANAGE, territory=data.territory, body=data.body):
        raise PermissionDenied()
    initiative = Initiative(
        title=data.title.strip(),
        summary=data.summary.strip(),
        territory=data.territory,
        territory_id=data.territory.id,
        body=data.body,
        sector=data.sector,
        horizon_years=data.horizon_years,
        is_public=data.is_public,
        template=template,
        created_by_id=actor.id,
        step=1,
    )
    db.session.add(initiative)
    db.session.flush()
    db.session.add(TeamMember(initiative_id=initiative.id, user_id=actor.id))
    if template is not None:
        from civic.core.i18n import current_language

        language = current_language()
        for spec in template.indicators or []:
            db.session.add(
                Indicator(
                    initiative_id=initiative.id,
                    code=spec["code"],
                    name=spec.get(f"name_{language}") or spec["name_en"],
                    unit=spec["unit"],
                    direction=spec["direction"],
                    level=spec["level"],
                    aggregation=spec["aggregation"],
                )
            )
    db.session.flush()
    db.session.expire(initiative, ["team"])
    audit.record(
        "initiative.start",
        initiative,
        actor=actor,
        after={"title": initiative.title, "template": template.case_no if template else None},
    )
    return initiative


def update_initiative(initiative: Initiative, actor: User, data: InitiativeData) -> None:
    _require_manage(initiative, actor)
    _check_data(data)
    before = {
        "title": initiative.title,
        "sector": initiative.sector,
        "horizon_years": initiative.horizon_years,
        "is_public": initiative.is_public,
    }
    initiative.title, initiative.summary = data.title.strip(), data.summary.strip()
    initiative.territory, initiative.territory_id = data.territory, data.territory.id
    initiative.body, initiative.sector, initiative.horizon_years = data.body, data.sector, data.horizon_years
    initiative.is_public = data.is_public
    db.session.flush()
    audit.record(
        "initiative.update",
        initiative,
        actor=actor,
        before=before,
        after={
            "title": initiative.title,
            "sector": initiative.sector,
            "horizon_years": initiative.horizon_years,
            "is_public": initiative.is_public,
        },
    )


def _require_manage(initiative: Initiative, actor) -> None:
    if not can_manage(actor, initiative):
        raise PermissionDenied()


def add_team_member(initiative: Initiative, actor: User, email: str) -> User:
    _require_manage(initiative, actor)
    member = db.session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.deleted_at.is_(None))
    )
    if member is None:
        raise DomainError(_l("No account with this email address."), field="email")
    if initiative.on_team(member):
        raise DomainError(_l("This person is already on the team."), field="email")
    db.session.add(TeamMember(initiative_id=initiative.id, user_id=member.id))
    db.session.flush()
    db.session.expire(initiative, ["team"])
    audit.record("initiative.team_add", initiative, actor=actor, after={"user_id": member.id})
    return member


def remove_team_member(initiative: Initiative, actor: User, member_id: int) -> None:
    _require_manage(initiative, actor)
    if len(initiative.team) <= 1:
        raise DomainError(_l("An initiative keeps at least one team member."))
    db.session.execute(
        delete(TeamMember).where(TeamMember.initiative_id == initiative.id, TeamMember.user_id == member_id)
    )
    db.session.flush()
    db.session.expire(initiative, ["team"])
    audit.record("initiative.team_remove", initiative, actor=actor, before={"user_id": member_id})


def record_decision(initiative: Initiative, actor: User, text: str) -> Decision:
    _require_manage(initiative, actor)
    if not text.strip():
        raise DomainError(_l("Write the decision."), field="text")
    decision = Decision(initiative_id=initiative.id, step=initiative.step, text=text.strip(), actor_id=actor.id)
    db.session.add(decision)
    db.session.flush()
    audit.record("initiative.decision", initiative, actor=actor, after={"step": initiative.step})
    return decision


def decisions(initiative: Initiative) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision)
            .where(Decision.initiative_id == initiative.id)
            .order_by(Decision.created_at.desc(), Decision.id.desc())
        )
    )


def moves(initiative: Initiative) -> list[StepMove]:
    return list(
        db.session.scalars(select(StepMove).where(StepMove.initiative_id == initiative.id).order_by(StepMove.id))
    )


# --------------------------------------------------------------------------- steps


def stakeholder_checks(initiative: Initiative) -> list[providers.CheckResult]:
    """What the installed modules say before the decision (step 6): the stakeholder check."""
    return providers.checks(DECISION_CHECK, OWNER_TYPE, initiative.id)


def advance(
    initiative: Initiative,
    actor: User,
    note: str,
    *,
    decision_text: str | None = None,
    override_reason: str | None = None,
    report_text: str | None = None,
) -> StepMove:
    """Pass the current step with its record and move to the next (step 10: publish the report and tell everyone).

    Step 3 needs the decision text and at least one indicator with a target; step 6 needs the stakeholder check
    passed or an override with its reason; step 10 needs the public report; every step needs a note of what was
    done. The move is audited."""
    _require_manage(initiative, actor)
    if initiative.finished:
        raise InvalidTransition(initiative, "advance", _l("The initiative has finished: its report is published."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_l("Write what was done at this step."), field="note")
    step = initiative.step
    after: dict = {"step": step + 1 if step < LAST_STEP else step}
    if step == 3:
        text = (decision_text or "").strip()
        if not text:
            raise DomainError(_l("Step 3 needs the text of the decision."), field="decision_text")
        targeted = db.session.scalar(
            select(func.count())
            .select_from(Indicator)
            .where(Indicator.initiative_id == initiative.id, Indicator.target_value.is_not(None))
        )
        if not targeted:
            raise DomainError(_l("Step 3 needs at least one indicator with a target."))
        initiative.decision_text = text
        db.session.add(Decision(initiative_id=initiative.id, step=3, text=text, actor_id=actor.id))
    elif step == 6:
        problems = [p for result in stakeholder_checks(initiative) if not result.passed for p in result.problems]
        reason = (override_reason or "").strip()
        if problems and not reason:
            raise DomainError(
                _(
                    "The stakeholder check has not passed: %(problems)s Give a reason to override it.",
                    problems=" ".join(problems),
                ),
                field="override_reason",
            )
        initiative.check_passed_at = utc_now()
        initiative.check_override_reason = reason if problems else ""
        after["override"] = bool(problems)
    elif step == LAST_STEP:
        report = (report_text or "").strip()
        if not report:
            raise DomainError(_l("Step 10 needs the public report."), field="report_text")
        initiative.report_text = report
        initiative.reported_at = utc_now()
    move = StepMove(initiative_id=initiative.id, from_step=step, to_step=after["step"], note=note, actor_id=actor.id)
    db.session.add(move)
    if step < LAST_STEP:
        initiative.step = step + 1
    db.session.flush()
    audit.record("initiative.step", initiative, actor=actor, before={"step": step}, after=after)
    if step == LAST_STEP:
        inform_participants(initiative)
    return move


def inform_participants(initiative: Initiative) -> int:
    """Step 10: the public report to every subscriber and to each stakeholder group per its plan (the recipients
    the providers give); each person once. Returns how many were told."""
    link = path_for("initiatives.detail", initiative_id=initiative.id)
    title = _("Report on the initiative: %(title)s", title=initiative.title)
    user_ids = set(db.session.scalars(select(Subscription.user_id).where(Subscription.initiative_id == initiative.id)))
    emails: set[str] = set()
    for recipient in providers.recipients(OWNER_TYPE, initiative.id):
        if recipient.user_id is not None:
            user_ids.add(recipient.user_id)
        elif recipient.email:
            emails.add(recipient.email.lower())
    told = 0
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids), User.deleted_at.is_(None))):
        notify(user, "initiative_report", title, initiative.report_text[:1000], link)
        emails.discard((user.email or "").lower())
        told += 1
    from civic.core.mail import public_base_url, queue_mail

    for email in sorted(emails):
        queue_mail(email, title, f"{initiative.report_text}\n\n{public_base_url()}{link}")
        told += 1
    return told


# --------------------------------------------------------------------------- subscriptions


def is_subscribed(initiative: Initiative, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(Subscription, (initiative.id, user.id)) is not None


def subscribe(initiative: Initiative, user: User) -> None:
    if not initiative.is_public:
        raise PermissionDenied()
    if not is_subscribed(initiative, user):
        db.session.add(Subscription(initiative_id=initiative.id, user_id=user.id))
        db.session.flush()


def unsubscribe(initiative: Initiative, user: User) -> None:
    db.session.execute(
        delete(Subscription).where(Subscription.initiative_id == initiative.id, Subscription.user_id == user.id)
    )
    db.session.flush()


# --------------------------------------------------------------------------- weak spots


def send_weak_spots(
    actor: User, territory: Territory, weak_spots: str, proposals: str, initiative: Initiative | None = None
) -> WeakSpot:
    """A territory's weak spots and proposals, sent to the level above (the seed's "growth line")."""
    if territory.parent_id is None:
        raise DomainError(_l("The republic has no level above it."), field="territory")
    if not can_send_weak_spots(actor, territory):
        raise PermissionDenied()
    if not weak_spots.strip():
        raise DomainError(_l("Describe the weak spots."), field="weak_spots")
    report = WeakSpot(
        initiative_id=initiative.id if initiative else None,
        from_territory_id=territory.id,
        to_territory_id=territory.parent_id,
        weak_spots=weak_spots.strip(),
        proposals=proposals.strip(),
        sender_id=actor.id,
    )
    db.session.add(report)
    db.session.flush()
    audit.record("initiative.weak_spots_send", report, actor=actor, after={"to": territory.parent_id})
    return report


def answer_weak_spots(report: WeakSpot, actor: User, answer: str) -> None:
    if not can_send_weak_spots(actor, report.to_territory):
        raise PermissionDenied()
    if not answer.strip():
        raise DomainError(_l("Write the answer."), field="answer")
    report.answer, report.answered_by_id, report.answered_at = answer.strip(), actor.id, utc_now()
    db.session.flush()
    audit.record("initiative.weak_spots_answer", report, actor=actor)
    sender = db.session.get(User, report.sender_id) if report.sender_id else None
    if sender is not None:
        notify(
            sender,
            "initiative_weak_spots",
            _("Your weak-spots report was answered"),
            report.answer[:500],
            path_for("initiatives.weak_spots"),
        )


def weak_spots_for(user) -> tuple[list[WeakSpot], list[WeakSpot]]:
    """(received by the territories the user answers for, sent from them), newest first."""
    scope = scopes(user, WEAK_SPOTS)
    if not (scope.everywhere or scope.territory_paths or scope.body_ids):
        return [], []
    to_t, from_t = aliased(Territory), aliased(Territory)
    received = select(WeakSpot).join(to_t, to_t.id == WeakSpot.to_territory_id)
    sent = select(WeakSpot).join(from_t, from_t.id == WeakSpot.from_territory_id)
    if not scope.everywhere:
        received = received.where(scope.territory_condition(to_t.path))
        sent = sent.where(scope.territory_condition(from_t.path))
    order = (WeakSpot.created_at.desc(), WeakSpot.id.desc())
    return (
        list(db.session.scalars(received.order_by(*order).limit(200))),
        list(db.session.scalars(sent.order_by(*order).limit(200))),
    )
