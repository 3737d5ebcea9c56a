"""Demo data: the catalogue of the seed's 45 cases, and six of them running — in Almaty (kindergarten places, car
parking, employment) and in East Kazakhstan (large families, rural specialists, access to medical care) — with
monthly indicator values over 3 years at the collection level (bulk-inserted, then rolled up by the database to
all levels), decisions, step moves up to a published report, and weak-spot reports sent up the growth line and
answered. Their stakeholder maps come from the stakeholders demo, which runs next (``DemoContext.objects``)."""

from __future__ import annotations

from sqlalchemy import select

from civic import db
from civic.identity.models import AssuranceLevel, StateBody, Territory, UserRole
from civic.initiatives import services, values
from civic.initiatives.models import Indicator, Initiative, Template

YEARS = (2023, 2024, 2025)
#: (case, territory, body, owner key, step reached, title suffix)
RUNNING = (
    (17, "KZ-ALA", "KZ-ALA.AKIMAT", "official", 10),
    (21, "KZ-ALA", "KZ-ALA.AKIMAT", "official", 6),
    (12, "KZ-ALA", "KZ-ALA.AKIMAT", "official", 4),
    (1, "KZ-VOS", "KZ-VOS.AKIMAT", "official_vko", 8),
    (5, "KZ-VOS", "KZ-VOS.AKIMAT", "official_vko", 3),
    (18, "KZ-VOS", "KZ-VOS.AKIMAT", "official_vko", 7),
)


def _month_periods() -> list[str]:
    return [f"{year}-{month:02d}" for year in YEARS for month in range(1, 13)]


def _demo_official(context, key: str, email: str, name: str, body_code: str):
    from civic.identity.demo import DEMO_PASSWORD, _make_user
    from civic.identity.passwords import hash_password

    body = db.session.scalar(select(StateBody).where(StateBody.code == body_code))
    user = _make_user(
        email, name, "ru", body.territory, AssuranceLevel.IIN_VERIFIED, context.rng, hash_password(DEMO_PASSWORD)
    )
    db.session.flush()
    db.session.add(UserRole(user_id=user.id, role_name="official", state_body=body, territory=body.territory))
    db.session.flush()
    context.users[key] = user
    return user


def _values(indicator: Indicator, leaves: list[Territory], rng, periods: list[str]) -> list[dict]:
    """A trend towards better with noise, per leaf territory and month."""
    rows = []
    better = 1 if indicator.higher_is_better else -1
    for k, leaf in enumerate(leaves):
        base = 40 + 17 * ((k * 7) % 5) + rng.random() * 10
        if indicator.unit in ("%",):
            base = 55 + 5 * (k % 4)
        for i, period in enumerate(periods):
            value = base * (1 + better * 0.012 * i) + rng.gauss(0, base * 0.03)
            if indicator.unit == "%":
                value = min(value, 100.0)
            rows.append(
                {
                    "indicator_id": indicator.id,
                    "territory_id": leaf.id,
                    "period": period,
                    "value": round(max(value, 0), 1),
                }
            )
    return rows


def seed_demo(context) -> None:
    echo, rng = context.echo, context.rng
    created, _updated = services.load_templates()
    echo(f"  initiatives: {created} typical cases loaded")
    officials = {
        "official": context.users["official"],
        "official_vko": _demo_official(context, "official_vko", "vko@demo.civic.kz", "Жанна Серікова", "KZ-VOS.AKIMAT"),
    }
    district = _demo_official(context, "official_glu", "glubokoye@demo.civic.kz", "Ержан Мұхтаров", "KZ-VOS-GLU.AKIMAT")
    territories = list(db.session.scalars(select(Territory)))
    periods = _month_periods()
    residents = context.users.get("residents", [])
    started = []
    for case_no, place, body_code, owner_key, step in RUNNING:
        template = db.session.scalar(select(Template).where(Template.case_no == case_no))
        owner = officials[owner_key]
        territory = next(t for t in territories if t.code == place)
        data = services.InitiativeData(
            title=f"{template.title_kk} / {template.title_ru}",
            summary=", ".join(template.data_items("ru")),
            territory=territory,
            sector=template.sector,
            horizon_years=template.horizon_years,
            body=db.session.scalar(select(StateBody).where(StateBody.code == body_code)),
            is_public=True,
        )
        initiative = services.start_initiative(owner, data, template)
        rows = []
        for indicator in values.indicators_of(initiative):
            levels = ("rural_district",) if indicator.level == "rural_district" else ("district",)
            leaves = sorted(
                (t for t in territories if t.level in levels and territory.contains(t)), key=lambda t: t.code
            )
            if not leaves and indicator.level == "rural_district":
                indicator.level = "district"
                leaves = sorted(
                    (t for t in territories if t.level == "district" and territory.contains(t)), key=lambda t: t.code
                )
            rows.extend(_values(indicator, leaves, rng, periods))
        values._upsert(rows)
        values.refresh_rollup([i.id for i in values.indicators_of(initiative)])
        echo(f"  initiative case {case_no} in {place}: {len(rows)} values rolled up")
        for resident in residents[:3]:
            services.subscribe(initiative, resident)
        started.append((initiative, owner, step))

    for initiative, owner, step in started:
        _walk(initiative, owner, step)
        context.objects.setdefault("initiatives", []).append(
            {"owner_type": "initiative", "owner_id": initiative.id, "owner": owner, "territory": initiative.territory}
        )
    echo(f"  initiatives: {len(started)} running")

    glu = next(t for t in territories if t.code == "KZ-VOS-GLU")
    vos = next(t for t in territories if t.code == "KZ-VOS")
    large_families = started[3][0]
    report = services.send_weak_spots(
        district,
        glu,
        "Бобровка мен Тарханка ауылдық округтерінде көпбалалы отбасылардың 40%-ы балабақша кезегінде. / "
        "В Бобровском и Тарханском сельских округах 40% многодетных семей стоят в очереди в детсад.",
        "Открыть две мини-группы при школах; подвоз детей школьным автобусом.",
        large_families,
    )
    services.answer_weak_spots(
        report, officials["official_vko"], "Две мини-группы включены в бюджет 2026 года; подвоз — с сентября."
    )
    services.send_weak_spots(
        officials["official_vko"],
        vos,
        "Ауылға келген мамандардың 30%-ы екі жылдан кейін кетеді. / 30% специалистов уезжают из села через два "
        "года: нет жилья.",
        "Республиканская программа арендного жилья для специалистов села.",
    )
    db.session.flush()


def _walk(initiative: Initiative, owner, step: int) -> None:
    """Take the initiative to ``step`` through the services, with decisions on the way (the stakeholders demo maps
    its stakeholders afterwards)."""
    while initiative.step < step:
        current = initiative.step
        if current == 3:
            for indicator in values.indicators_of(initiative):
                latest = values.progress(indicator, initiative.territory)["latest"] or 0
                target = latest * (1.2 if indicator.higher_is_better else 0.7)
                if indicator.unit == "%":
                    target = min(target, 100)
                values.set_target(indicator, initiative, owner, round(target, 1), "2028")
            services.advance(
                initiative,
                owner,
                "Кеңес отырысы және НҮҰ-мен миға шабуыл өтті.",
                decision_text="Шешім / Решение: увеличить показатели на 20% к 2028 году; "
                "ежеквартальный мониторинг по районам.",
            )
        elif current == 6:  # the demo's maps are drawn by the stakeholders demo, which runs after this one
            services.advance(
                initiative,
                owner,
                "Төрт топ ескерілді / Учтены четыре группы.",
                override_reason="Маслихат кеңесіп болды; карта кейін толтырылады / Маслихат консультирован на "
                "сессии, карта заполняется после.",
            )
        else:
            services.advance(initiative, owner, f"{current}-қадам орындалды / Шаг {current} выполнен.")
    if step == 10:
        services.advance(
            initiative,
            owner,
            "Қорытынды / Итог",
            report_text="Есеп / Отчёт: очередь в детские сады сократилась на 18%, открыто 1 200 мест.",
        )
