"""Demo data: Almaty's contest for the best parking solution, with a grant (seed case 21), driven through the real
services at the moments each step would have happened: ideas, screening, co-authors, votes, pledges, comments, a jury
of public-council members with one declared conflict of interest, and their scores. It stands in the jury phase, so
the organiser sees the ranking and publishes it. A second Almaty contest (lighting dark courtyards) is open for voting,
so a demo resident can vote; resident1..resident8 have not voted in it yet."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from civic import db
from civic.contests import jury, services, voting
from civic.contests.models import Normalise
from civic.db import utc_now
from civic.identity.models import AssuranceLevel, StateBody, Territory

TITLE = "Алматы аулаларындағы тұрақ: ең жақсы шешімге грант / Парковка во дворах Алматы: грант за лучшее решение"
TEXT = """Алматының көп қабатты үйлерінің аулалары көліктерге толы: жедел жәрдем мен өрт сөндіру көліктері өте алмайды,
балалар ойнайтын жер жоқ.

Дворы многоэтажек Алматы забиты машинами: скорая и пожарные не могут проехать, детям негде играть.
**Предложите решение**, которое можно воплотить в одном районе за год: организация, технология, правила.

Победитель получает грант на пилотный проект в своём районе; акимат помогает с землёй и согласованиями."""
RULES = """* Одна идея — одна заявка; соавторов можно пригласить по email.
* Не публикуйте персональные данные соседей и номера машин.
* Голосовать могут жители Алматы с подтверждённым ИИН: у каждого 3 голоса, за свою идею голосовать нельзя.
* Жюри (члены общественного совета) оценивает по трём критериям; итог = 0,7 × жюри + 0,3 × голосование."""

IDEAS = (
    (
        "Ауладағы түнгі тұрақ мектеп аулаларында / Ночная парковка на школьных стадионах",
        "С 20:00 до 7:00 жители паркуются на огороженных площадках у школ по абонементу; деньги идут школе.",
    ),
    (
        "Многоуровневые паркинги на месте гаражных кооперативов",
        "В каждом районе по 2–3 гаражных кооператива: на их месте можно построить паркинги на 400 машин.",
    ),
    (
        "Жасыл аула: көліксіз аула күндері / Дворы без машин по выходным",
        "Раз в месяц двор закрывается для машин; жители решают сами, опыт показывает рост поддержки.",
    ),
    (
        "Карта свободных мест по данным камер акимата",
        "Камеры «Сергек» уже видят дворы: приложение показывает свободные места в радиусе 500 м.",
    ),
    (
        "Тұрақ үшін ОСИ ережесі / Правила ОСИ о парковке",
        "Типовые правила для ОСИ: разметка, места для инвалидов и проезд спецтехники, штрафы через ОСИ.",
    ),
)
CRITERIA = (
    ("Пайдасы / Польза для жителей", "Сколько дворов и людей выиграют", 3, 1, 10),
    ("Іске асырылуы / Реализуемость", "Можно ли сделать за год и на грант", 2, 1, 10),
    ("Жаңалығы / Новизна", "Чем идея отличается от того, что уже пробовали", 1, 1, 5),
)


def seed_demo(context) -> None:
    users, rng = context.users, context.rng
    now = utc_now()
    t0 = now - timedelta(days=40)
    almaty = db.session.scalar(select(Territory).where(Territory.code == "KZ-ALA"))
    body = db.session.scalar(select(StateBody).where(StateBody.code == "KZ-ALA.AKIMAT"))
    organiser = users["official"]
    data = services.ContestData(
        title=TITLE,
        text=TEXT,
        rules=RULES,
        territory=almaty,
        category=None,
        body=body,
        reward_kind="grant",
        reward_text="5 000 000 теңге пилоттық жобаға / 5 000 000 тенге на пилотный проект",
        votes_per_voter=3,
        submission_opens_at=t0,
        submission_closes_at=now - timedelta(days=25),
        voting_opens_at=now - timedelta(days=20),
        voting_closes_at=now - timedelta(days=2),
        results_at=now + timedelta(days=5),
        implementation_at=now + timedelta(days=60),
    )
    contest = services.create_contest(organiser, data)
    for name, description, weight, lo, hi in CRITERIA:
        jury.add_criterion(contest.competition, organiser, name, description, weight, lo, hi)
    jury.save_settings(
        contest.competition,
        organiser,
        jury_weight=0.7,
        public_weight=0.3,
        normalise=Normalise.Z,
        min_judges=2,
        winner_count=1,
    )
    services.publish_contest(contest, organiser, now=t0 - timedelta(days=1))

    residents = [u for u in users["residents"] if u.has_level(AssuranceLevel.IIN_VERIFIED)]
    when = t0 + timedelta(days=2)
    entries = []
    for index, (title, text) in enumerate(IDEAS):
        author = residents[index * 3 % len(residents)]
        entry = services.submit_entry(contest, author, title, text, [], now=when)
        entries.append(entry)
        services.screen_entry(entry, contest, users["moderator"], True, None, "", now=when + timedelta(days=1))
    duplicate = services.submit_entry(
        contest, residents[1], "Паркинги вместо гаражей", "То же, что идея про гаражные кооперативы.", [], now=when
    )
    services.screen_entry(duplicate, contest, users["moderator"], False, "duplicate", "", now=when + timedelta(days=1))
    token = services.invite_coauthor(entries[0], contest, entries[0].author, residents[2].email, now=when)
    services.accept_coauthor(token, residents[2], now=when)

    judges = users["council"][:3]
    for member in judges:
        token = jury.invite_judge(contest.competition, organiser, member.email, contest.title, now=t0)
        jury.accept_judge(token, member, now=t0 + timedelta(days=1))

    voting_time = now - timedelta(days=10)
    popularity = (5, 3, 2, 4, 1)
    votes = 0
    for voter in residents:
        weights = [p * rng.random() for p in popularity]
        for index in sorted(range(len(entries)), key=lambda k: -weights[k])[: rng.randint(1, 3)]:
            if entries[index].is_author(voter):
                continue
            if voting.insert_vote(contest.id, entries[index].id, voter.id, voter.session_version, now=voting_time):
                votes += 1
    services.add_pledge(entries[0], residents[5], "hours", 20, "", "")
    services.add_pledge(
        entries[0], residents[7], "premises", None, "Спортплощадка школы № 12 по вечерам", "ОСИ «Самал»"
    )
    services.add_pledge(entries[1], residents[8], "materials", None, "Краска для разметки, 40 банок", "")
    comment = services.add_comment(entries[0], residents[4], "А кто будет отвечать за охрану площадки ночью?")
    services.add_comment(entries[0], entries[0].author, "Школьный сторож и камеры, это в смете гранта.", comment.id)

    judge_rows = jury.judges(contest.competition)
    jury.recuse(judge_rows[2], entries[3], "Работаю в компании, которая обслуживает камеры.")
    crits = jury.criteria(contest.competition)
    scoring_time = now - timedelta(days=1)
    for judge_index, judge in enumerate(judge_rows):
        strictness = (0, -2, 1)[judge_index]
        for rank, entry in enumerate(entries):
            if jury.is_recused(judge, entry.id):
                continue
            values = {}
            for c in crits:
                base = c.scale_max - rank - rng.randint(0, 2) + strictness
                values[c.id] = max(c.scale_min, min(c.scale_max, base))
            jury.save_scores(judge, entry, values, "", jury_open=True, now=scoring_time)
    services.announce_phase(contest, now)
    db.session.flush()
    context.echo(f"  contests: 1 idea contest, {len(entries) + 1} ideas, {votes} votes, {len(judge_rows)} judges")
    _seed_lighting_contest(context, almaty, body, residents)
    from civic.contests.hackathon_demo import seed_hackathon

    seed_hackathon(context)


LIGHTING_TITLE = "Жарық аулалар / Светлые дворы"
LIGHTING_TEXT = """Кешкі аулалар мен жаяу жүргіншілер жолдары қараңғы: қайда жарық керек және оны қалай ұстауға болады?

Вечером дворы и пешеходные дорожки тёмные. Предложите, **где и как** осветить дворы вашего района так, чтобы
свет не мешал жителям, а обслуживание было понятно кому поручить. Лучшие идеи акимат включит в план на следующий год."""
LIGHTING_IDEAS = (
    ("Күн батареялы шамдар / Фонари на солнечных панелях", "Автономные фонари вдоль дорожек: не нужно тянуть кабель."),
    ("Қозғалыс датчигі бар жарық / Свет по датчику движения", "Подъезды и арки освещаются, когда кто-то идёт."),
    ("Карта тёмных мест от жителей", "Жители отмечают тёмные места на карте, акимат освещает сначала самые опасные."),
    ("ОСИ мен акимат бірге / ОСИ и акимат вместе", "ОСИ обслуживает фонари во дворе, акимат платит за электричество."),
)


def _seed_lighting_contest(context, almaty, body, residents) -> None:
    """A second Almaty contest, open for voting now, so a demo resident can vote (resident1..resident8 have not yet)."""
    users, rng = context.users, context.rng
    now = utc_now()
    organiser = users["official"]
    data = services.ContestData(
        title=LIGHTING_TITLE,
        text=LIGHTING_TEXT,
        rules=RULES,
        territory=almaty,
        category=None,
        body=body,
        reward_kind="implementation",
        reward_text="Үздік идеялар келесі жылдың жоспарына енеді / Лучшие идеи войдут в план на следующий год",
        votes_per_voter=3,
        submission_opens_at=now - timedelta(days=30),
        submission_closes_at=now - timedelta(days=6),
        voting_opens_at=now - timedelta(days=4),
        voting_closes_at=now + timedelta(days=10),
        results_at=now + timedelta(days=20),
        implementation_at=now + timedelta(days=90),
    )
    contest = services.create_contest(organiser, data)
    for name, description, weight, lo, hi in CRITERIA[:2]:
        jury.add_criterion(contest.competition, organiser, name, description, weight, lo, hi)
    jury.save_settings(
        contest.competition,
        organiser,
        jury_weight=0.6,
        public_weight=0.4,
        normalise=Normalise.NONE,
        min_judges=2,
        winner_count=2,
    )
    services.publish_contest(contest, organiser, now=now - timedelta(days=31))
    submitted = now - timedelta(days=20)
    authors = residents[8:]
    entries = []
    for index, (title, text) in enumerate(LIGHTING_IDEAS):
        entry = services.submit_entry(contest, authors[index * 5 % len(authors)], title, text, [], now=submitted)
        services.screen_entry(entry, contest, users["moderator"], True, None, "", now=submitted + timedelta(days=1))
        entries.append(entry)
    votes = 0
    for voter in residents[8:]:  # the first eight residents keep their three votes for the demo's visitor
        for entry in rng.sample(entries, rng.randint(0, 2)):
            if not entry.is_author(voter) and voting.insert_vote(
                contest.id, entry.id, voter.id, voter.session_version, now=now - timedelta(days=2)
            ):
                votes += 1
    services.announce_phase(contest, now)
    db.session.flush()
    context.echo(f"  contests: 1 idea contest open for voting, {len(entries)} ideas, {votes} votes")
