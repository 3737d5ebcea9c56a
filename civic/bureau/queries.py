"""Read-side queries for the bureau's pages: queues, timelines, workload. Each page runs a fixed number of queries
whatever the number of rows (relationships are loaded in the same statement)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from civic import db
from civic.bureau import clock
from civic.bureau.models import Attachment, Case, CaseEvent, Referral, ReferralState, Visibility
from civic.bureau.models.enums import ACTIVE_REFERRAL_STATES, CLOCK_REFERRAL_STATES, INTAKE_STATES, OPEN_STATES
from civic.bureau.permissions import CONSULT, INSPECT, SUPERVISE, body_ids_for, territory_ids_for
from civic.core import deadlines
from civic.identity.models import StateBody, User

PAGE_SIZE = 50
#: "work" (the landing view) is the intake of the consultant's territory and their own cases together.
QUEUE_VIEWS = ("work", "mine", "intake", "all", "overdue")


def overdue_at(now):
    """Referrals whose body owes an answer and whose deadline has passed at ``now`` (computed when the page reads,
    not the sweep's stored status, which may be one run behind)."""
    return and_(Referral.state.in_(CLOCK_REFERRAL_STATES), Referral.due_at.is_not(None), Referral.due_at < now)


@dataclass
class QueueFilter:
    view: str = "work"
    state: str | None = None
    category_id: int | None = None
    territory_id: int | None = None
    page: int = 1


def _territory_condition(column, ids: list[int] | None):
    return True if ids is None else column.in_(ids or [-1])


def queue(user, flt: QueueFilter) -> tuple[list[tuple[Case, Referral | None]], bool]:
    """One page of a consultant's or supervisor's queue, with each case's open referral.

    Two statements: the page's ids from a covering index in display order, then those rows with their relations.
    """
    ids = list(
        db.session.scalars(
            _queue_ids(user, flt)
            .order_by(Case.urgent.desc(), Case.id)
            .offset((flt.page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    has_next, ids = len(ids) > PAGE_SIZE, ids[:PAGE_SIZE]
    active = aliased_active_referral()
    rows = (
        db.session.execute(
            select(Case, active)
            .outerjoin(active, and_(active.case_id == Case.id, active.state.in_(ACTIVE_REFERRAL_STATES)))
            .options(joinedload(Case.category), joinedload(Case.territory), joinedload(Case.consultant))
            .where(Case.id.in_(ids or [-1]))
        )
        .unique()
        .all()
    )
    position = {case_id: index for index, case_id in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row[0].id]), has_next


def _intake_condition(user):
    return and_(
        Case.consultant_id.is_(None),
        Case.state.in_(INTAKE_STATES),
        _territory_condition(Case.territory_id, territory_ids_for(user, CONSULT)),
    )


def _mine_condition(user):
    return and_(Case.consultant_id == user.id, Case.state.in_(OPEN_STATES))


def _queue_ids(user, flt: QueueFilter):
    stmt = select(Case.id)
    if flt.view == "intake":
        stmt = stmt.where(_intake_condition(user))
    elif flt.view == "mine":
        stmt = stmt.where(_mine_condition(user))
    elif flt.view in ("all", "overdue"):
        stmt = stmt.where(
            Case.state.in_(OPEN_STATES), _territory_condition(Case.territory_id, territory_ids_for(user, SUPERVISE))
        )
        if flt.view == "overdue":
            stmt = stmt.where(Case.id.in_(select(Referral.case_id).where(overdue_at(clock.now()))))
    else:
        stmt = stmt.where(or_(_intake_condition(user), _mine_condition(user)))
    if flt.state:
        stmt = stmt.where(Case.state == flt.state)
    if flt.category_id:
        stmt = stmt.where(Case.category_id == flt.category_id)
    if flt.territory_id:
        stmt = stmt.where(Case.territory_id == flt.territory_id)
    return stmt


def queue_counts(user) -> dict[str, int]:
    """How many cases wait in the consultant's intake and in their own queue (the tabs show these counts)."""
    intake, mine = db.session.execute(
        select(
            func.count(case((_intake_condition(user), 1))),
            func.count(case((_mine_condition(user), 1))),
        )
        .select_from(Case)
        .where(or_(Case.consultant_id.is_(None), Case.consultant_id == user.id), Case.state.in_(OPEN_STATES))
    ).one()
    return {"intake": intake or 0, "mine": mine or 0, "work": (intake or 0) + (mine or 0)}


def aliased_active_referral():
    return aliased(Referral, name="active_referral")


def client_cases(user) -> list[tuple[Case, Referral | None]]:
    active = aliased_active_referral()
    return (
        db.session.execute(
            select(Case, active)
            .outerjoin(active, and_(active.case_id == Case.id, active.state.in_(ACTIVE_REFERRAL_STATES)))
            .options(joinedload(Case.category))
            .where(Case.client_id == user.id)
            .order_by(Case.id.desc())
        )
        .unique()
        .all()
    )


def timeline(case: Case, audience: str, referral: Referral | None = None) -> list[CaseEvent]:
    """The case's events for ``audience``: "staff" (all), "client", or "body" (the referral's events only)."""
    stmt = select(CaseEvent).options(joinedload(CaseEvent.actor)).where(CaseEvent.case_id == case.id)
    if audience == "client":
        stmt = stmt.where(CaseEvent.visibility.in_([Visibility.CLIENT, Visibility.BODY]))
    elif audience == "body":
        stmt = stmt.where(CaseEvent.visibility == Visibility.BODY, CaseEvent.referral_id == referral.id)
    return list(db.session.scalars(stmt.order_by(CaseEvent.at, CaseEvent.id)))


def attachments(case: Case, audience: str, referral: Referral | None = None) -> list[Attachment]:
    stmt = select(Attachment).where(Attachment.case_id == case.id)
    if audience == "body":
        stmt = stmt.where(Attachment.shared_with_body.is_(True))
    return list(db.session.scalars(stmt.order_by(Attachment.id)))


def referrals_of(case: Case) -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral).options(joinedload(Referral.body)).where(Referral.case_id == case.id).order_by(Referral.id)
        )
    )


def body_queue(user, *, include_closed: bool = False) -> list[Referral]:
    """Referrals of the bodies ``user`` answers for: the ones awaiting an answer first, soonest deadline first."""
    ids = body_ids_for(user)
    stmt = (
        select(Referral)
        .options(joinedload(Referral.body), joinedload(Referral.case))
        .where(True if ids is None else Referral.body_id.in_(ids or [-1]))
    )
    if not include_closed:
        stmt = stmt.where(Referral.state.in_(ACTIVE_REFERRAL_STATES))
    waiting = case((Referral.state.in_([ReferralState.SENT, ReferralState.RETURNED]), 0), else_=1)
    return list(
        db.session.scalars(stmt.order_by(waiting, Referral.due_at.is_(None), Referral.due_at, Referral.id).limit(200))
    )


def inspection_queue(user) -> list[Referral]:
    """Answers awaiting inspection from the bodies of the inspector's territories."""
    ids = territory_ids_for(user, INSPECT)
    stmt = (
        select(Referral)
        .join(StateBody, StateBody.id == Referral.body_id)
        .options(joinedload(Referral.body), joinedload(Referral.case))
        .where(Referral.state == ReferralState.ANSWERED, _territory_condition(StateBody.territory_id, ids))
    )
    return list(db.session.scalars(stmt.order_by(Referral.answered_at, Referral.id).limit(200)))


def workload(user) -> tuple[list[tuple[User, dict, int]], int]:
    """Per consultant: open cases by state and overdue referrals; plus the unassigned intake count."""
    ids = territory_ids_for(user, SUPERVISE)
    in_scope = _territory_condition(Case.territory_id, ids)
    rows = db.session.execute(
        select(Case.consultant_id, Case.state, func.count())
        .where(in_scope, Case.state.in_(OPEN_STATES), Case.consultant_id.is_not(None))
        .group_by(Case.consultant_id, Case.state)
    ).all()
    overdue = dict(
        db.session.execute(
            select(Case.consultant_id, func.count())
            .join(Referral, Referral.case_id == Case.id)
            .where(in_scope, overdue_at(clock.now()))
            .group_by(Case.consultant_id)
        ).all()
    )
    intake = (
        db.session.scalar(
            select(func.count())
            .select_from(Case)
            .where(in_scope, Case.consultant_id.is_(None), Case.state.in_(INTAKE_STATES))
        )
        or 0
    )
    by_user: dict[int, dict] = {}
    for consultant_id, state, count in rows:
        by_user.setdefault(consultant_id, {})[state] = count
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(by_user) or [-1])))}
    table = [(users[uid], states, overdue.get(uid, 0)) for uid, states in by_user.items() if uid in users]
    return sorted(table, key=lambda r: -sum(r[1].values())), intake


def case_counts_for_client(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(Case.client_id == user.id)) or 0


@dataclass
class BodyClock:
    """One state body's running referrals in the inspector's territory: overdue and due soon, at the time read."""

    body: StateBody
    overdue: list[Referral]
    due_soon: list[Referral]


def inspector_clock(user, now) -> list[BodyClock]:
    """Referrals due soon or overdue at ``now``, by body, for the bodies of the inspector's territories.

    Computed from ``due_at`` when the page reads it, so the view never waits for the sweep. Bodies with overdue
    referrals come first (most overdue first), then those with referrals due soon."""
    ids = territory_ids_for(user, INSPECT)
    soon = now + deadlines.DUE_SOON_WINDOW
    rows = db.session.scalars(
        select(Referral)
        .join(StateBody, StateBody.id == Referral.body_id)
        .options(joinedload(Referral.body), joinedload(Referral.case))
        .where(
            Referral.state.in_(CLOCK_REFERRAL_STATES),
            Referral.due_at.is_not(None),
            Referral.due_at <= soon,
            _territory_condition(StateBody.territory_id, ids),
        )
        .order_by(Referral.due_at, Referral.id)
        .limit(1000)
    ).unique()
    by_body: dict[int, BodyClock] = {}
    for referral in rows:
        entry = by_body.setdefault(referral.body_id, BodyClock(referral.body, [], []))
        (entry.overdue if referral.due_at < now else entry.due_soon).append(referral)
    return sorted(by_body.values(), key=lambda b: (-len(b.overdue), -len(b.due_soon), b.body.name))
