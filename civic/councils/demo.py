"""Demo data: Almaty city's public council, East Kazakhstan oblast's council and two Almaty sector councils (energy,
transport), driven through the real services: seats, invited experts with hours used, a past meeting with its
published minutes (attendance, a declaration, recorded votes), one recommendation answered on time and one overdue,
an announced meeting ahead, a pending item, and a flood-help volunteer call."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from civic import db
from civic.core import deadlines
from civic.councils import services
from civic.councils.models import Council, Expert
from civic.db import utc_now
from civic.identity.models import Category, StateBody, Territory

COUNCILS = (
    # key, territory, sector, kk, ru, en, mandate
    (
        "almaty",
        "KZ-ALA",
        None,
        "Алматы қаласының қоғамдық кеңесі",
        "Общественный совет города Алматы",
        "Almaty City Public Council",
        "Кеңес әкімдіктің бюджеті, бағдарламалары мен шешімдерінің жобаларын қарайды, тұрғындардың петицияларын "
        "тыңдайды және ұсынымдар береді.\n\nСовет рассматривает бюджет, программы и проекты решений акимата, "
        "заслушивает петиции жителей и даёт рекомендации.",
    ),
    (
        "vko",
        "KZ-VOS",
        None,
        "Шығыс Қазақстан облысының қоғамдық кеңесі",
        "Общественный совет Восточно-Казахстанской области",
        "East Kazakhstan Region Public Council",
        "Облыс әкімдігінің жұмысына қоғамдық бақылау, су тасқыны кезінде еріктілерді жұмылдыру.\n\n"
        "Общественный контроль работы акимата области; мобилизация волонтёров во время паводков.",
    ),
    (
        "energy",
        "KZ-ALA",
        "energy",
        "Алматы энергетика жөніндегі салалық кеңес",
        "Отраслевой совет по энергетике города Алматы",
        "Almaty Energy Sector Council",
        "Жылу беру маусымы, тарифтер, жылу желілерін жаңарту.\n\nОтопительный сезон, тарифы, модернизация теплосетей.",
    ),
    (
        "transport",
        "KZ-ALA",
        "transport_roads",
        "Алматы көлік жөніндегі салалық кеңес",
        "Отраслевой совет по транспорту города Алматы",
        "Almaty Transport Sector Council",
        "Қоғамдық көлік, жолдар, велоинфрақұрылым.\n\nОбщественный транспорт, дороги, велоинфраструктура.",
    ),
)


def _one(model, code: str):
    return db.session.scalar(select(model).where(model.code == code))


def seed_demo(context) -> None:
    users, now = context.users, utc_now()
    admin = users["admin"]
    council_people, residents = users["council"], users["residents"]
    councils: dict[str, Council] = {}
    start, end = date.today() - timedelta(days=400), date.today() + timedelta(days=700)
    for index, (key, territory, sector, kk, ru, en, mandate) in enumerate(COUNCILS):
        council = services.create_council(
            admin,
            services.CouncilData(
                name_kk=kk,
                name_ru=ru,
                name_en=en,
                territory=_one(Territory, territory),
                category=_one(Category, sector) if sector else None,
                mandate=mandate,
            ),
        )
        councils[key] = council
        people = (
            council_people[index * 3 : index * 3 + 5] if key == "almaty" else council_people[index * 3 : index * 3 + 3]
        )
        people = people + residents[index * 2 : index * 2 + 2]
        roles = ["chair", "secretary"] + ["member"] * (len(people) - 2)
        for person, role in zip(people, roles, strict=True):
            services.appoint(council, admin, person, role, start, end)
        for expert_user, areas in (
            (residents[10 + index * 2], "Жылу энергетикасы / теплоэнергетика"),
            (residents[11 + index * 2], "Халықаралық тәжірибе / международный опыт"),
        ):
            services.add_expert(
                council, admin, expert_user, services.ExpertData(areas, "kk, ru", "10+ жыл тәжірибе / 10+ лет опыта")
            )
    context.echo(f"  councils: {len(councils)} councils with members and experts")

    # Almaty: a past meeting with minutes, two recommendations (one answered on time, one overdue).
    almaty = councils["almaty"]
    sitting = services.sitting_seats(almaty)
    secretary = sitting[1].user
    meeting = services.create_meeting(
        almaty,
        secretary,
        "Тыңдау: жылу беру маусымы / Слушание: отопительный сезон",
        now + timedelta(days=10),
        "Әкімдік, 2-зал",
    )
    heating = services.add_item(
        almaty,
        secretary,
        services.ItemData(
            "free_text", "Жылу беру кестесі / График подачи тепла", "Тұрғындардың шағымдары / Жалобы жителей"
        ),
        meeting=meeting,
    )
    parks = services.add_item(
        almaty,
        secretary,
        services.ItemData("free_text", "Саябақтарды жарықтандыру / Освещение парков"),
        meeting=meeting,
    )
    services.announce(meeting, secretary)
    held = now - timedelta(days=40)
    meeting.starts_at = held
    db.session.flush()
    present = [s.user_id for s in sitting][:-1]
    experts = services.panel_people(almaty.id)[len(sitting) :]
    services.set_attendance(meeting, secretary, present, experts[:1])
    services.declare(
        parks,
        sitting[2].user,
        "Жұбайым жарықтандыру компаниясында жұмыс істейді / Супруга работает в компании-подрядчике",
    )
    energy_body, akimat = _one(StateBody, "KZ-ALA.ENERGY"), _one(StateBody, "KZ-ALA.AKIMAT")
    rec1 = services.propose(
        heating, secretary, "Жылу беру кестесін бір ай бұрын жариялау. / Публиковать график подачи тепла за месяц."
    )
    services.record_votes(rec1, secretary, {u: "for" for u in present}, energy_body)
    rec2 = services.propose(
        parks, secretary, "Барлық саябақтарда түнгі жарықтандыру. / Ночное освещение во всех парках."
    )
    voters = [u for u in present if u != sitting[2].user_id]
    services.record_votes(rec2, secretary, {u: ("for" if i else "abstain") for i, u in enumerate(voters)}, akimat)
    for rec in (rec1, rec2):
        rec.sent_at = rec.voted_at = held + timedelta(hours=2)
        rec.due_at = deadlines.compute_due(rec.sent_at)
    db.session.flush()
    for i, expert in enumerate(db.session.scalars(select(Expert).where(Expert.council_id == almaty.id))):
        services.book_hours(expert, secretary, "meeting", 3, meeting)
        services.book_hours(expert, secretary, "opinion", 4 + i * 5, note="Жазбаша пікір / письменное заключение")
    services.answer(
        rec1,
        users["official_energy"],
        "accepted",
        "Ұсыным қабылданды. / Рекомендация принята: график будет публиковаться на сайте.",
        "Кестені сайтта жариялау / публикация графика на сайте",
        date.today() + timedelta(days=30),
    )
    rec1.answered_at, rec1.answered_late = held + timedelta(days=9), False
    # Two more on the heating item: one answered late, one sent days ago and still within its term.
    rec3 = services.propose(
        heating, secretary, "Жылу желілерін жөндеу кестесін жариялау. / Публиковать график ремонта теплосетей."
    )
    services.record_votes(rec3, secretary, {u: "for" for u in present}, energy_body)
    rec4 = services.propose(
        heating, secretary, "Жылу беру туралы шағымдарға ыстық желі. / Горячая линия по жалобам на отопление."
    )
    services.record_votes(rec4, secretary, {u: "for" for u in present}, energy_body)
    rec3.sent_at = rec3.voted_at = held + timedelta(hours=2)
    rec3.due_at = deadlines.compute_due(rec3.sent_at)
    rec4.sent_at = rec4.voted_at = now - timedelta(days=3)
    rec4.due_at = deadlines.compute_due(rec4.sent_at)
    db.session.flush()
    services.answer(
        rec3,
        users["official_energy"],
        "partly",
        "Кесте тоқсан сайын жарияланады. / График будет публиковаться ежеквартально.",
        "Тоқсандық кесте / ежеквартальный график",
        date.today() + timedelta(days=60),
    )
    rec3.answered_at, rec3.answered_late = held + timedelta(days=25), True
    services.save_minutes(
        meeting,
        secretary,
        "Кеңес жылу беру маусымы мен саябақтарды жарықтандыру мәселелерін қарады. Төрт ұсыным қабылданды.",
        "Совет рассмотрел отопительный сезон и освещение парков. Приняты четыре рекомендации.",
        "The council heard the heating season and park lighting. Four recommendations were adopted.",
    )
    services.approve_minutes(meeting, secretary)
    services.publish_minutes(meeting, secretary)
    context.echo(
        "  councils: a past meeting with published minutes; answers on time and late, one awaiting, one overdue"
    )

    # Energy council: an announced meeting ahead and an item waiting for it.
    energy = councils["energy"]
    energy_secretary = services.sitting_seats(energy)[1].user
    upcoming = services.create_meeting(
        energy, energy_secretary, "Жылу тарифтері / Тарифы на тепло", now + timedelta(days=12), "Online"
    )
    services.add_item(
        energy,
        energy_secretary,
        services.ItemData(
            "free_text", "Тарифтерді қайта қарау / Пересмотр тарифов", "Халықаралық тәжірибе / Зарубежный опыт"
        ),
        meeting=upcoming,
    )
    services.announce(upcoming, energy_secretary)
    services.add_item(energy, energy_secretary, services.ItemData("free_text", "Жылу желілері / Теплосети"))

    # East Kazakhstan: the council mobilises volunteers for the spring flood.
    vko = councils["vko"]
    vko_secretary = services.sitting_seats(vko)[1].user
    call = services.create_call(
        vko,
        vko_secretary,
        "Су тасқыны: қап толтыру / Паводок: заполнение мешков",
        "Өскемендегі жағалауда құм қаптарын толтыру. / Заполнение мешков с песком на набережной Усть-Каменогорска.",
        "Өскемен, Ертіс жағалауы / Усть-Каменогорск, набережная Иртыша",
        now + timedelta(days=3),
        30,
    )
    for person in residents[:4]:
        services.sign_up(call, person, "+7 700 000 00 0" + str(person.id % 10), "", True)
    db.session.flush()
    context.echo("  councils: an upcoming meeting, a pending item and a volunteer call")
