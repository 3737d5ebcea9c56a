"""Bureau demo data: about 300 cases across Almaty's districts and East Kazakhstan, in every state and channel,
played through the services at back-dated instants (the bureau's clock is frozen for each step)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from civic import db
from civic.bureau import clock, demo_content
from civic.bureau.models import Case, Channel, Consent, Referral
from civic.bureau.permissions import BUREAU_SUPERVISOR
from civic.bureau.services import admin, cases, followups, referrals, sweep, work
from civic.db import utc_now
from civic.identity.demo import DEMO_PASSWORD
from civic.identity.models import AssuranceLevel, Category, StateBody, Territory, User, UserRole
from civic.identity.passwords import hash_password

#: (key, email, name, locale, role, territory or body code)
STAFF = (
    ("supervisor", "supervisor@demo.civic.kz", "Жетекші Әйгерім", "kk", BUREAU_SUPERVISOR, None),
    ("consultant2", "consultant2@demo.civic.kz", "Консультант Ольга", "ru", "bureau_consultant", "KZ-ALA"),
    ("consultant_vko", "consultant.vko@demo.civic.kz", "Кеңесші Дәулет", "kk", "bureau_consultant", "KZ-VOS"),
    ("inspector_vko", "inspector.vko@demo.civic.kz", "Инспектор Сая", "kk", "inspector", "KZ-VOS.AKIMAT"),
    ("head_ala", "head.akimat@demo.civic.kz", "Басшы Қайрат", "kk", "official", "KZ-ALA.AKIMAT"),
    ("head_vko", "head.vko@demo.civic.kz", "Руководитель Андрей", "ru", "official", "KZ-VOS.AKIMAT"),
    ("official_housing", "housing@demo.civic.kz", "Маман Ләззат", "kk", "official", "KZ-ALA.HOUSING"),
    ("official_employment", "employment@demo.civic.kz", "Специалист Ирина", "ru", "official", "KZ-ALA.EMPLOYMENT"),
    ("official_vko", "official.vko@demo.civic.kz", "Маман Берік", "kk", "official", "KZ-VOS.AKIMAT"),
    ("official_vko_energy", "energy.vko@demo.civic.kz", "Специалист Тимур", "ru", "official", "KZ-VOS.ENERGY"),
    ("official_vko_employment", "employment.vko@demo.civic.kz", "Маман Гүлжан", "kk", "official", "KZ-VOS.EMPLOYMENT"),
    ("official_osk", "oskemen@demo.civic.kz", "Специалист Павел", "ru", "official", "KZ-VOS-OSK.AKIMAT"),
)
HEADS = {"KZ-ALA.AKIMAT": "head_ala", "KZ-VOS.AKIMAT": "head_vko"}
ALMATY = (
    "KZ-ALA-ALT",
    "KZ-ALA-ALM",
    "KZ-ALA-AUE",
    "KZ-ALA-BOS",
    "KZ-ALA-ZHE",
    "KZ-ALA-MED",
    "KZ-ALA-NAU",
    "KZ-ALA-TUR",
)
EAST = (
    "KZ-VOS-OSK",
    "KZ-VOS-RID",
    "KZ-VOS-GLU",
    "KZ-VOS-ULA",
    "KZ-VOS-SHE",
    "KZ-VOS-ALT",
    "KZ-VOS-KAT",
    "KZ-VOS-ZAI",
    "KZ-VOS-GLU-BOB",
    "KZ-VOS-GLU-TAR",
    "KZ-VOS-ULA-BOZ",
    "KZ-VOS-ULA-EGI",
)
CATEGORY_WEIGHTS = (
    ("debts", 22),
    ("housing", 18),
    ("benefits", 15),
    ("employment", 15),
    ("consumer", 10),
    ("legal", 10),
    ("migration", 7),
    ("other", 3),
)
CHANNEL_WEIGHTS = (
    (Channel.ONLINE, 45),
    (Channel.WALK_IN, 20),
    (Channel.PHONE, 15),
    (Channel.OUTREACH, 12),
    (Channel.MESSENGER, 8),
)
#: scenario -> number of cases; each scenario is a path through the life cycle (see ``_steps``).
SCENARIOS = (
    ("new", 18),
    ("triaged", 12),
    ("assigned", 12),
    ("in_progress", 30),
    ("awaiting", 10),
    ("body_asked", 8),
    ("on_time", 20),
    ("extended", 8),
    ("due_soon", 8),
    ("overdue", 12),
    ("answered", 10),
    ("returned", 6),
    ("accepted", 8),
    ("resolved", 30),
    ("closed", 110),
    ("reopened", 4),
)
#: How long ago the referral was sent, in days, for the scenarios whose deadline status matters.
REFERRAL_AGE = {
    "on_time": (1, 9),
    "extended": (8, 14),
    "due_soon": (12, 13),
    "overdue": (17, 40),
    "body_asked": (3, 10),
    "answered": (4, 12),
    "returned": (6, 12),
    "accepted": (8, 20),
}


@dataclass
class Plan:
    scenario: str
    territory: str
    category: str
    channel: str
    language: str
    age_days: float


def seed_demo(context) -> None:
    """Create the bureau's staff, templates and cases, then run the sweep and follow-ups as cron would."""
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        queued_mail = len(db.session.info.get("pending_mail", []))
        now = utc_now().replace(microsecond=0)
        people = _staff(context)
        _configure(people, now)
        plans = _plans(context.rng)
        for index, plan in enumerate(plans, start=1):
            _play(plan, people, context.rng, now)
            if index % 50 == 0 or index == len(plans):
                context.echo(f"  bureau: {index}/{len(plans)} cases")
        with clock.frozen_at(now):
            result = sweep.sweep_now(now)
            asked, _skipped = followups.send_follow_ups(now)
        # Historical demo events notify in the app only; nobody should get hundreds of emails about the past.
        del db.session.info.get("pending_mail", [])[queued_mail:]
        context.echo(f"  bureau: {len(plans)} cases, {result.overdue} overdue referrals, {asked} follow-ups sent")


def _staff(context) -> dict:
    password = hash_password(DEMO_PASSWORD)
    territories = {t.code: t for t in db.session.scalars(select(Territory))}
    bodies = {b.code: b for b in db.session.scalars(select(StateBody))}
    people = {key: context.users[key] for key in ("admin", "official", "inspector", "consultant")}
    for key, email, name, locale, role, scope in STAFF:
        user = User(
            email=email,
            password_hash=password,
            display_name=name,
            preferred_locale=locale,
            home_territory=territories["KZ-VOS" if "vko" in key else "KZ-ALA"],
            email_verified_at=utc_now(),
            assurance_level=int(AssuranceLevel.EMAIL_VERIFIED),
        )
        db.session.add(user)
        db.session.flush()
        body = bodies.get(scope) if scope else None
        db.session.add(
            UserRole(
                user_id=user.id,
                role_name=role,
                state_body=body,
                territory=body.territory if body else territories.get(scope) if scope else None,
            )
        )
        people[key] = context.users[key] = user
    for body_code, key in HEADS.items():
        bodies[body_code].head_user_id = people[key].id
    people["residents"] = context.users["residents"]
    db.session.flush()
    return people


def _configure(people: dict, now: datetime) -> None:
    with clock.frozen_at(now - timedelta(days=430)):
        other = db.session.scalar(select(Category).where(Category.code == "other"))
        admin.add_area(people["admin"], existing=other)
        for code, language, title, body in demo_content.TEMPLATES:
            category = db.session.scalar(select(Category).where(Category.code == code)) if code else None
            admin.save_template(
                people["admin"], None, category=category, language=language, title=title, body=body, is_active=True
            )


def _weighted(rng, pairs):
    return rng.choices([value for value, _weight in pairs], weights=[weight for _value, weight in pairs])[0]


def _plans(rng) -> list[Plan]:
    plans = []
    for scenario, count in SCENARIOS:
        for _ in range(count):
            east = rng.random() < 0.35
            territory = rng.choice(EAST if east else ALMATY)
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            if territory.count("-") == 3 and rng.random() < 0.7:
                channel = Channel.OUTREACH  # rural districts are mostly reached through telecottages
            age = {
                "closed": rng.uniform(45, 420),
                "resolved": rng.uniform(8, 40),
                "new": rng.uniform(0.1, 3),
                "triaged": rng.uniform(1, 4),
                "reopened": rng.uniform(20, 40),
            }.get(scenario, rng.uniform(4, 30))
            plans.append(
                Plan(
                    scenario,
                    territory,
                    _weighted(rng, CATEGORY_WEIGHTS),
                    channel,
                    "kk" if rng.random() < 0.6 else "ru",
                    age,
                )
            )
    rng.shuffle(plans)
    return plans


def _play(plan: Plan, people: dict, rng, now: datetime) -> None:
    """Open one case and walk it through its scenario, each step at its own back-dated instant."""
    steps = _steps(plan, people, rng)
    referral_age = REFERRAL_AGE.get(plan.scenario)
    if referral_age:  # anchor the referral so that its deadline status is the scenario's
        refer_at = now - timedelta(days=rng.uniform(*referral_age))
        start = refer_at - sum(
            (delay for delay, _name, _fn in steps[: steps.index(_find(steps, "refer")) + 1]), timedelta()
        )
    else:
        start = now - timedelta(days=plan.age_days)
    with clock.frozen_at(start):
        case = _open(plan, people, rng)
    moment = start
    for delay, _name, action in steps:
        moment += delay
        if moment >= now:
            break
        with clock.frozen_at(moment):
            action(case)


def _find(steps, name):
    return next(step for step in steps if step[1] == name)


def _open(plan: Plan, people: dict, rng) -> Case:
    category = db.session.scalar(select(Category).where(Category.code == plan.category))
    territory = db.session.scalar(select(Territory).where(Territory.code == plan.territory))
    text = rng.choice(demo_content.PROBLEMS[plan.category][plan.language])
    consents = {Consent.DATA, Consent.REFERRAL} | ({Consent.FOLLOW_UP} if rng.random() < 0.85 else set())
    uploads = [_demo_pdf()] if rng.random() < 0.08 else []
    if plan.channel == Channel.ONLINE:
        client = rng.choice(people["residents"])
        return cases.open_case(
            actor=client,
            client=client,
            channel=plan.channel,
            category=category,
            territory=territory,
            description=text,
            preferred_language=plan.language,
            contact_channel="in_app",
            consents=consents,
            uploads=uploads,
        )
    linked = rng.choice(people["residents"]) if rng.random() < 0.25 else None
    return cases.open_case(
        actor=_consultant(plan, people),
        client=linked,
        channel=plan.channel,
        category=category,
        territory=territory,
        description=text,
        preferred_language=plan.language,
        contact_channel="in_app" if linked else "phone",
        consents=consents,
        client_name=None if linked else rng.choice(demo_content.WALK_IN_NAMES),
        client_phone=f"+7 70{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        uploads=uploads,
    )


def _demo_pdf() -> FileStorage:
    data = b"%PDF-1.4\n% civic demo document\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
    return FileStorage(stream=io.BytesIO(data), filename="kelisimshart.pdf", content_type="application/pdf")


def _consultant(plan: Plan, people: dict) -> User:
    if plan.territory.startswith("KZ-VOS"):
        return people["consultant_vko"]
    return people["consultant2"] if plan.territory in ALMATY[4:] else people["consultant"]


def _steps(plan: Plan, people: dict, rng) -> list[tuple[timedelta, str, Callable]]:
    """The scenario as (delay after the previous step, name, action on the case)."""
    consultant = _consultant(plan, people)
    lang = plan.language
    hours, days = (lambda n: timedelta(hours=n)), (lambda n: timedelta(days=n))
    base = [
        (hours(rng.uniform(1, 20)), "triage", lambda c: cases.triage(c, consultant, urgent=rng.random() < 0.1)),
        (hours(1), "assign", lambda c: cases.assign(c, consultant, consultant)),
        (days(rng.uniform(0.2, 2)), "start", lambda c: cases.start(c, consultant)),
    ]
    stop = {"new": 0, "triaged": 1, "assigned": 2}.get(plan.scenario)
    if stop is not None:
        return base[:stop]
    work_steps = [
        (hours(2), "note", lambda c: work.add_note(c, consultant, demo_content.NOTES[lang])),
        (
            hours(3),
            "action",
            lambda c: work.record_action(
                c, consultant, rng.choice(["advice", "form", "letter", "negotiation"]), demo_content.NOTES[lang]
            ),
        ),
    ]
    if plan.scenario in ("in_progress", "awaiting"):
        tail = [(hours(5), "await", lambda c: cases.await_client(c, consultant, demo_content.INFO_REQUEST[lang]))]
        return base + work_steps + (tail if plan.scenario == "awaiting" else [])
    with_referral = plan.scenario in REFERRAL_AGE or rng.random() < 0.45
    steps = base + work_steps + (_referral_steps(plan, people, consultant, rng) if with_referral else [])
    if plan.scenario in REFERRAL_AGE:
        return steps
    resolve = (
        days(rng.uniform(0.5, 3)),
        "resolve",
        lambda c: cases.resolve(
            c,
            consultant,
            rng.choice(["advice_given", "solved", "partly_solved", "signposted", "not_solved"]),
            demo_content.RESOLUTIONS[lang],
        ),
    )
    steps.append(resolve)
    if plan.scenario == "reopened":
        return [*steps, (days(3), "reopen", lambda c: cases.reopen(c, c.client or consultant, "Мәселе қайталанды."))]
    if plan.scenario == "closed":
        steps.append((days(rng.uniform(1, 10)), "close", lambda c: cases.close(c, consultant)))
        if rng.random() < 0.7:
            steps.append(
                (
                    days(29),
                    "follow_up",
                    lambda c: followups.answer_follow_up(
                        c, consultant, _weighted(rng, (("solved", 55), ("partly", 28), ("not_solved", 17)))
                    ),
                )
            )
    return steps


def _referral_steps(plan: Plan, people: dict, consultant: User, rng) -> list:
    lang, scenario = plan.language, plan.scenario
    days = lambda n: timedelta(days=n)  # noqa: E731
    state = {}

    def refer(case):
        state["referral"] = referrals.refer(
            case, consultant, _body_for(case, people), demo_content.SUMMARY[lang].format(problem=case.description)
        )

    def official(case):
        referral = state["referral"]
        return next(u for u in (*_officials(referral.body), people["admin"]) if u is not None)

    def answer(text):
        return lambda case: referrals.answer(state["referral"], official(case), text)

    def review(verdict, reason=""):
        return lambda case: referrals.review(state["referral"], _inspector(state["referral"], people), verdict, reason)

    good, evasive = rng.choice(demo_content.ANSWERS[lang]), demo_content.EVASIVE[lang]
    steps = [(days(rng.uniform(0.5, 2)), "refer", refer)]
    if scenario == "body_asked":
        return [
            *steps,
            (
                days(2),
                "ask",
                lambda c: cases.await_client(c, official(c), demo_content.INFO_REQUEST[lang], requested_by_body=True),
            ),
        ]
    if scenario in ("extended", "accepted") or (scenario in ("resolved", "closed") and rng.random() < 0.3):
        steps.append(
            (
                days(rng.uniform(3, 6)),
                "extend",
                lambda c: referrals.extend(
                    state["referral"], official(c), rng.choice(["site_visit", "analysis", "commission"])
                ),
            )
        )
    if scenario in ("on_time", "extended", "due_soon", "overdue"):
        return steps
    if scenario == "returned" or rng.random() < 0.2:
        steps += [
            (days(rng.uniform(2, 5)), "answer", answer(evasive)),
            (days(1), "evasive", review("evasive", demo_content.EVASIVE_REASON)),
        ]
        if scenario == "returned":
            return steps
    late = scenario == "closed" and rng.random() < 0.2
    steps.append((days(rng.uniform(16, 22) if late else rng.uniform(1, 5)), "answer", answer(good)))
    if scenario == "answered":
        return steps
    return [*steps, (days(rng.uniform(0.5, 2)), "accept", review("accepted"))]


def _body_for(case: Case, people: dict) -> StateBody:
    suggested = referrals.suggest_body(case)
    if suggested is not None and _officials(suggested):
        return suggested
    code = "KZ-VOS.AKIMAT" if case.territory.code.startswith("KZ-VOS") else "KZ-ALA.AKIMAT"
    return db.session.scalar(select(StateBody).where(StateBody.code == code))


def _officials(body: StateBody) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.state_body_id == body.id, UserRole.role_name == "official")
            .order_by(User.id)
        )
    )


def _inspector(referral: Referral, people: dict) -> User:
    return people["inspector_vko"] if referral.body.territory.code.startswith("KZ-VOS") else people["inspector"]
