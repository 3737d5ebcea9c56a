"""Demo data: the East Kazakhstan regional hackathon (the seed's twelve steps) with three tracks, each owned by a
regional body, with sponsors, success metrics and sponsor datasets. It stands at pitching: the teams submitted, the
technical review passed all but one, the judges scored; the first track's results are published with an
implementation record, the other two wait for the organiser to publish. A second, one-track hackathon in Semey on the
next weekend is open for registration. Fast: links only, no files."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from civic import db
from civic.contests import hackathons as hk
from civic.contests import jury
from civic.contests.models import Entry
from civic.db import utc_now
from civic.identity.models import AssuranceLevel, StateBody, Territory, User, UserRole

TITLE = "Шығыс Қазақстан өңірлік хакатоны / Региональный хакатон Восточного Казахстана"
TEXT = """Облыстың үш нақты мәселесі: жылу желілері, ауылдық мектеп көлігі, Өскемен ауасы.

Три конкретные задачи области: аварии теплосетей, школьный транспорт в сёлах, качество воздуха Усть-Каменогорска.
Команды по 2–5 человек, 37 часов, данные спонсоров и менторы; победители внедряются вместе с управлениями."""
REGULATION = """* Команда — от 1 до 5 участников (рекомендуем 4), код хранится в открытом репозитории.
* Решение сдаётся до воскресенья 10:00; после этого изменения не принимаются.
* Перед питчем техническая комиссия проверяет, что решение работает."""

TRACKS = (
    {
        "title": "Жылу желілері: апатты болжау / Теплосети: прогноз аварий",
        "problem": "Каждую зиму в Усть-Каменогорске и Риддере рвутся трубы. Предскажите участки с высоким риском.",
        "owner": "KZ-VOS.ENERGY",
        "sponsors": (("ТОО «Шығыс Дата»", "https://shygys-data.example.kz"), ("АО «Алтай Телеком»", "")),
        "metrics": (
            ("objective", "Доля аварий, предсказанных за 7 дней", 60, "%", ""),
            ("subjective", "Понятность для диспетчера", None, "", "1 — непонятно; 5 — диспетчер решает за минуту"),
        ),
        "datasets": (
            ("Аварии теплосетей 2019–2025", "ГКП «Теплокоммунэнерго»", "https://data.example.kz/heat-incidents", True),
            ("Температура воздуха по часам", "Казгидромет", "https://data.example.kz/weather-vko", False),
        ),
    },
    {
        "title": "Ауыл мектептерінің көлігі / Школьный транспорт в сёлах",
        "problem": "Школьные автобусы в районах ездят по расписаниям 2010 года. Оптимизируйте маршруты.",
        "owner": "KZ-VOS.EDUCATION",
        "sponsors": (("ТОО «Ертіс Логистикс»", "https://ertis-logistics.example.kz"),),
        "metrics": (
            ("objective", "Сокращение пробега автобусов", 15, "%", ""),
            ("subjective", "Безопасность маршрутов", None, "", "Оценка по остановкам, освещённости и переходам"),
        ),
        "datasets": (
            ("Школы, контингент и остановки", "Управление образования", "https://data.example.kz/schools", False),
        ),
    },
    {
        "title": "Өскемен ауасы / Воздух Усть-Каменогорска",
        "problem": "Жители не знают, когда выбросы опасны. Сделайте понятное оповещение по районам.",
        "owner": "KZ-VOS.AKIMAT",
        "sponsors": (("ТОО «Таза Ауа»", ""),),
        "metrics": (
            ("objective", "Задержка оповещения после превышения ПДК", 30, "мин", ""),
            ("subjective", "Ясность сообщения", None, "", "Понимает ли пожилой житель, что делать"),
        ),
        "datasets": (("Датчики воздуха, 1 минута", "ТОО «Таза Ауа»", "https://data.example.kz/air-osk", True),),
    },
)
TEAMS = (  # (track index, name, member indexes among residents, works?)
    (0, "Жылу Сенсор", (0, 1, 2, 3), True),
    (0, "HeatMap VKO", (4, 5), True),
    (1, "Мектеп Жолы", (6, 7, 8), True),
    (1, "RouteFix", (9, 10), False),
    (2, "Таза Тыныс", (11, 12, 13), True),
)
SKILLS = ("backend", "frontend", "data", "business", "design")


def _staff(email: str, name: str, home, role: str, body=None, password_hash: str = "") -> User:
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=name,
        preferred_locale="ru",
        home_territory=home,
        email_verified_at=utc_now(),
        assurance_level=int(AssuranceLevel.EMAIL_VERIFIED),
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(
        UserRole(user_id=user.id, role_name=role, state_body=body, territory=body.territory if body else home)
    )
    db.session.flush()
    return user


def seed_hackathon(context) -> None:
    users = context.users
    now = utc_now()
    vko = db.session.scalar(select(Territory).where(Territory.code == "KZ-VOS"))
    bodies = {b.code: b for b in db.session.scalars(select(StateBody).where(StateBody.code.startswith("KZ-VOS.")))}
    password = users["official"].password_hash
    organiser = _staff("hackathon@demo.civic.kz", "Данияр Оспанов", vko, "official", bodies["KZ-VOS.AKIMAT"], password)
    _staff("hr@demo.civic.kz", "Кадровик Сания", vko, "hr_officer", None, password)
    users["hackathon_organiser"] = organiser

    start = now - timedelta(days=2, hours=13)
    hackathon = hk.create_hackathon(
        organiser,
        title=TITLE,
        text=TEXT,
        regulation=REGULATION,
        territory=vko,
        body=bodies["KZ-VOS.AKIMAT"],
        venue="Өскемен, ШҚТУ коворкингі / Усть-Каменогорск, коворкинг ВКТУ",
        starts_at=start,
        submission_deadline=start + timedelta(hours=37),
        jury_opens_at=start + timedelta(hours=39),
    )
    hk.default_agenda(hackathon, organiser)
    tracks = []
    for spec in TRACKS:
        track = hk.add_track(hackathon, organiser, spec["title"], spec["problem"], bodies[spec["owner"]])
        for name, url in spec["sponsors"]:
            hk.add_sponsor(track, organiser, name, url)
        for kind, name, target, unit, rubric in spec["metrics"]:
            hk.add_metric(track, organiser, kind, name, target, unit, rubric)
        for title, provider, url, teams_only in spec["datasets"]:
            hk.add_dataset(track, organiser, title, provider, url, None, teams_only)
        jury.add_criterion(track.competition, organiser, "Пайдасы / Польза", "", 3, 1, 10)
        jury.add_criterion(track.competition, organiser, "Жұмыс істейді / Работоспособность", "", 2, 1, 10)
        jury.add_criterion(track.competition, organiser, "Питч", "", 1, 1, 5)
        tracks.append(track)
    hk.add_mentor(tracks[0], organiser, users["consultant"].email, "Data science")
    hk.publish_hackathon(hackathon, organiser)

    # Registration and teams happen while the hackathon runs: the dates are those of that moment, then restored.
    deadline, pitching = hackathon.submission_deadline, hackathon.jury_opens_at
    residents = users["residents"]
    during = start + timedelta(hours=2)
    for index, resident in enumerate(residents[:16]):
        hk.register(
            hackathon, resident, [SKILLS[index % 5], SKILLS[(index + 2) % 5]], talent_consent=index % 3 == 0, now=during
        )
    hk.post_open_mic(
        hackathon,
        residents[15],
        "Дизайн оповещений о воздухе",
        "3 года UX в банке",
        "Светофор качества воздуха на остановках",
        ["backend", "data"],
        tracks[2].id,
        now=during,
    )
    submissions = []
    for track_index, name, members, works in TEAMS:
        captain = residents[members[0]]
        team = hk.create_team(hackathon, captain, tracks[track_index], name, now=during)
        for m in members[1:]:
            hk.join_by_code(hackathon, residents[m], team.invite_code, now=during)
        hk.post_progress(team, captain, "Команда собрана, данные загружены.", None, now=during + timedelta(hours=12))
        sub = hk.submit(
            team,
            captain,
            repo_url=f"https://git.example.kz/vko/{team.invite_code.lower()}",
            demo_url=f"https://{team.invite_code.lower()}.demo.example.kz" if works else "",
            slides_url="",
            description=f"{name}: прототип для трека «{tracks[track_index].title}».",
            now=deadline - timedelta(hours=1),
        )
        submissions.append((sub, works))
    for sub, works in submissions:
        hk.review(sub, organiser, works, "" if works else "Демо не запускается: нет доступа к базе.", now=deadline)

    judges = users["council"][3:5]
    for track in tracks:
        for member in judges:
            token = jury.invite_judge(track.competition, organiser, member.email, track.title, now=start)
            jury.accept_judge(token, member, now=start)
    rng = context.rng
    for track in tracks:
        crits = jury.criteria(track.competition)
        for judge in jury.judges(track.competition):
            for sub, works in submissions:
                if not works or sub.team.track_id != track.id:
                    continue
                entry = db.session.get(Entry, sub.entry_id)
                values = {c.id: rng.randint(c.scale_max // 2, c.scale_max) for c in crits}
                jury.save_scores(judge, entry, values, "", jury_open=True, now=pitching)
    hk.publish_results(tracks[0], organiser, now=pitching + timedelta(hours=3))
    for sub in hk.winning_submissions(tracks[0]):
        hk.set_implementation(
            sub,
            organiser,
            tracks[0].owner_body,
            "pilot",
            now,
            None,
            "Пилот в ГКП «Теплокоммунэнерго» на 12 участках / 12 учаскеде пилот",
        )
    db.session.flush()
    context.echo(f"  contests: 1 hackathon, {len(tracks)} tracks, {len(submissions)} submissions")
    _seed_upcoming_hackathon(context, organiser, vko, bodies)


UPCOMING_TITLE = "Семей: ашық деректер хакатоны / Семей: хакатон открытых данных"
UPCOMING_TEXT = """Семей қаласының ашық деректері бойынша бір демалыс күнгі хакатон. Тіркелу ашық.

Хакатон выходного дня на открытых данных Семея: очереди в поликлиниках и маршруты автобусов.
Регистрация открыта: приходите командой или найдите её на доске «Открытый микрофон»."""


def _seed_upcoming_hackathon(context, organiser, vko, bodies) -> None:
    """A second hackathon on the next weekend (the default schedule), open for registration: a demo resident can
    register, post on the open-mic board and form a team."""
    hackathon = hk.create_hackathon(
        organiser,
        title=UPCOMING_TITLE,
        text=UPCOMING_TEXT,
        regulation=REGULATION,
        territory=vko,
        body=bodies["KZ-VOS.AKIMAT"],
        venue="Семей, Шәкәрім университеті / Семей, университет Шакарима",
    )
    hk.default_agenda(hackathon, organiser)
    track = hk.add_track(
        hackathon,
        organiser,
        "Емханадағы кезек / Очереди в поликлиниках",
        "Как сократить ожидание приёма в поликлиниках Семея по открытым данным о записи и расписании врачей?",
        bodies["KZ-VOS.AKIMAT"],
    )
    hk.add_metric(track, organiser, "objective", "Күту уақытының қысқаруы / Сокращение ожидания", 20, "%", "")
    hk.add_dataset(
        track,
        organiser,
        "Расписание врачей (обезличено)",
        "Управление здравоохранения",
        "https://data.example.kz/semey-clinics",
        None,
        False,
    )
    jury.add_criterion(track.competition, organiser, "Пайдасы / Польза", "", 3, 1, 10)
    jury.add_criterion(track.competition, organiser, "Питч", "", 1, 1, 5)
    hk.publish_hackathon(hackathon, organiser)
    db.session.flush()
    context.echo("  contests: 1 hackathon open for registration, 1 track")
