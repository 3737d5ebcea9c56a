"""Delphi demo data: a finished three-round study on kindergarten places in Almaty (seed case 17) with the twelve
demo council members, and a study on barrier-free public transport (case 4) whose second round is open.

Everything goes through the services with explicit times in the past; answers come from ``context.np_rng`` and
move towards the group's previous median from round to round, so the statistics converge as in a real panel."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.delphi import services
from civic.delphi.items import parse_value
from civic.delphi.models import DelphiAnswer
from civic.delphi.services.answers import justification_bounds, needs_justification

KINDERGARTEN = services.StudyData(
    titles={
        "kk": "Алматыдағы балабақша орындарын бөлудегі басымдықтар",
        "ru": "Приоритеты при распределении мест в детских садах Алматы",
        "en": "Priorities for kindergarten places in Almaty",
    },
    contexts={
        "kk": "Алматыда 7 жасқа дейінгі балаларға арналған балабақша кезегі әлі де ұзын. Қоғамдық кеңес "
        "кезектен тыс орын алу басымдықтары мен жаңа орындар санына қатысты ұсыныс дайындайды.",
        "ru": "Очередь в детские сады Алматы для детей до 7 лет остаётся длинной, особенно в новых микрорайонах. "
        "Общественный совет готовит рекомендацию акимату: кого принимать вне очереди, как публиковать "
        "очередь и сколько мест создавать.\n\n*Источник: кейс 17 «Места в детских садах».*",
        "en": "The queue for kindergarten places for children under 7 in Almaty is still long, above all in new "
        "districts. The public council prepares a recommendation to the akimat: who gets a place out of "
        "turn, how the queue is published and how many places to create.\n\n*Source: case 17.*",
    },
    base_language="ru",
)

GROUPS = {
    "kk": [
        "Көпбалалы отбасылардың балалары",
        "Ерекше білім беру қажеттіліктері бар балалар",
        "Жетім балалар және ата-ана қамқорлығынсыз қалған балалар",
        "Мүгедектігі бар ата-аналардың балалары",
        "Әскери қызметшілердің балалары",
    ],
    "ru": [
        "Дети из многодетных семей",
        "Дети с особыми образовательными потребностями",
        "Дети-сироты и дети, оставшиеся без попечения родителей",
        "Дети родителей с инвалидностью",
        "Дети военнослужащих",
    ],
    "en": [
        "Children of large families",
        "Children with special educational needs",
        "Orphans and children without parental care",
        "Children of parents with disabilities",
        "Children of military servicemen",
    ],
}

KINDERGARTEN_ITEMS = [
    services.ItemData(
        kind="ranking",
        options=GROUPS,
        texts={
            "kk": "Топтарды балабақшаға кезектен тыс орын алу басымдығы бойынша реттеңіз (1 — ең жоғары)",
            "ru": "Расставьте группы по приоритету внеочередного получения места (1 — наивысший)",
            "en": "Rank the groups by priority for a kindergarten place out of turn (1 = highest)",
        },
    ),
    services.ItemData(
        kind="likert",
        scale_preset="importance9",
        texts={
            "kk": "Кезектің дербес деректерсіз тізімін онлайн нақты уақытта жариялау",
            "ru": "Публикация обезличенной очереди онлайн в реальном времени",
            "en": "Publishing the anonymised queue online in real time",
        },
    ),
    services.ItemData(
        kind="numeric",
        unit="орын / мест",
        min_value=0,
        max_value=100000,
        texts={
            "kk": "2027 жылы Алматыға қанша жаңа мемлекеттік балабақша орны қажет?",
            "ru": "Сколько новых мест в государственных детских садах нужно Алматы в 2027 году?",
            "en": "How many new places in state kindergartens does Almaty need in 2027?",
        },
    ),
    services.ItemData(
        kind="yes_no",
        texts={
            "kk": "Мемлекеттік тапсырыспен жұмыс істейтін жеке балабақшалар балаларды жалпы кезектен қабылдауы керек пе?",
            "ru": "Должны ли частные детские сады с госзаказом принимать детей из общей очереди?",
            "en": "Should private kindergartens with a state order take children from the common queue?",
        },
    ),
    services.ItemData(
        kind="likert",
        scale_preset="agreement5",
        texts={
            "kk": "Орын бөлуде тіркелу күнінен гөрі тұрғылықты аудан маңыздырақ болуы керек",
            "ru": "При распределении мест район проживания должен быть важнее даты постановки в очередь",
            "en": "When places are allocated, the district of residence should weigh more than the date of "
            "registration",
        },
    ),
]

TRANSPORT = services.StudyData(
    titles={
        "kk": "Алматы қоғамдық көлігіндегі кедергісіз орта",
        "ru": "Безбарьерная среда в общественном транспорте Алматы",
        "en": "Barrier-free public transport in Almaty",
    },
    contexts={
        "kk": "Мүгедектігі бар адамдар үшін аялдамалар мен автобустардың қолжетімділігі (4-кейс).",
        "ru": "Доступность остановок и автобусов для людей с инвалидностью, пожилых и родителей с колясками. "
        "Источник: кейс 4 «Безбарьерная среда».",
        "en": "Access to stops and buses for people with disabilities, older people and parents with prams (case 4).",
    },
    base_language="ru",
)

TRANSPORT_ITEMS = [
    services.ItemData(
        kind="likert",
        scale_preset="agreement5",
        texts={
            "kk": "Барлық жаңа автобустар аласа еденді болуы керек",
            "ru": "Все новые автобусы должны быть низкопольными",
            "en": "Every new bus should have a low floor",
        },
    ),
    services.ItemData(
        kind="numeric",
        unit="%",
        min_value=0,
        max_value=100,
        texts={
            "kk": "2028 жылға қарай аялдамалардың қанша пайызын тактильді плиткамен жабдықтау керек?",
            "ru": "Какую долю остановок нужно оборудовать тактильной плиткой к 2028 году?",
            "en": "What share of stops should have tactile paving by 2028?",
        },
    ),
    services.ItemData(
        kind="categorical",
        options={
            "kk": ["Жолаушылар көлігі басқармасы", "Қоғамдық кеңес", "Тәуелсіз аудиторлар"],
            "ru": ["Управление пассажирского транспорта", "Общественный совет", "Независимые аудиторы"],
            "en": ["Passenger transport department", "Public council", "Independent auditors"],
        },
        texts={
            "kk": "Аялдамалардың қолжетімділігін кім тексеруі керек?",
            "ru": "Кто должен проверять доступность остановок?",
            "en": "Who should check that stops are accessible?",
        },
    ),
]

KINDERGARTEN_REASONS = [
    "В Алатауском и Наурызбайском районах очередь растёт быстрее, чем строятся сады.",
    "Жаңа тұрғын үй кешендерінде балабақша жоқ, сондықтан аудан маңызды.",
    "Открытая очередь снимает подозрения в злоупотреблениях.",
    "Детям с особыми потребностями нужны специализированные группы, а их не хватает.",
    "Көпбалалы отбасылар үшін үйге жақын балабақша өте маңызды.",
    "Рождаемость в городе растёт на 3–4% в год, мест нужно больше.",
    "Частные сады с госзаказом получают бюджетные деньги и должны работать с общей очередью.",
    "Кезекті ашық жариялау жемқорлыққа деген күдікті азайтады.",
]
TRANSPORT_REASONS = [
    "Без независимой проверки отчёты о доступности остаются на бумаге.",
    "Аласа еденді автобустар қарттар мен балалы ата-аналарға да қажет.",
    "Тактильная плитка нужна прежде всего на остановках у больниц и школ.",
    "Общественный совет уже проводил рейды по остановкам, опыт есть.",
    "Жаңа аялдамалардың көбі жобада қолжетімді, бірақ салынғаннан кейін тексерілмейді.",
    "Закупка только низкопольных автобусов удорожает парк незначительно.",
]
SELF_IDENTIFYING = "Как заведующая детским садом №112 Медеуского района, я вижу эту очередь каждый день."


def _ranks(rng, n: int, noise: float) -> list[int]:
    scores = -np.arange(n, dtype=float) + rng.normal(0, noise, n)  # option 1 is the consensus favourite
    order = np.argsort(-scores)
    ranks = np.empty(n, dtype=int)
    ranks[order] = np.arange(1, n + 1)
    return ranks.tolist()


class _Panel:
    """Deterministic answers that move towards the previous median each round."""

    def __init__(self, rng, size: int):
        self.rng, self.size = rng, size
        self.latent = {
            "likert9": rng.normal(7.2, 1.6, size),
            "likert5": rng.normal(3.4, 1.1, size),
            "numeric": rng.normal(14000, 4200, size),
            "share": rng.normal(60, 22, size),
        }
        self.yes = rng.random(size) < 0.62
        self.choice = rng.integers(0, 3, size)

    def advance(self) -> None:
        """Pull every opinion halfway towards the group median (what feedback tends to do)."""
        for key, values in self.latent.items():
            median = float(np.median(values))
            self.latent[key] = (
                median + (values - median) * 0.45 + self.rng.normal(0, 0.05 * abs(median) + 0.05, self.size)
            )
        self.yes = self.yes | (self.rng.random(self.size) < 0.5)
        self.choice = np.where(self.rng.random(self.size) < 0.6, 2, self.choice)

    def value(self, item, index: int, round_number: int):
        if item.kind == "ranking":
            return {
                oid: str(r)
                for oid, r in zip(
                    item.option_ids(), _ranks(self.rng, len(item.option_ids()), 2.2 / round_number), strict=True
                )
            }
        if item.kind == "likert":
            k = item.scale_points
            return str(int(np.clip(round(self.latent[f"likert{k}"][index]), 1, k)))
        if item.kind == "numeric":
            key = "share" if item.unit == "%" else "numeric"
            value = float(np.clip(self.latent[key][index], item.min_value or 0, item.max_value or 1e9))
            return str(round(value, -2) if key == "numeric" else round(value))
        if item.kind == "yes_no":
            return "yes" if self.yes[index] else "no"
        return item.option_ids()[int(self.choice[index])]


def _answer_round(rnd, members, panel: _Panel, now, rng, reasons, skip=(), drafts=()) -> None:
    for index, user in enumerate(members):
        if index in skip:
            continue
        raw = {}
        for item in rnd.items:
            value = panel.value(item, index, rnd.number)
            reason = ""
            if (
                needs_justification(item, parse_value(item, value), justification_bounds(rnd, item))
                or rng.random() < 0.15
            ):
                reason = reasons[int(rng.integers(0, len(reasons)))]
            if rnd.number == 1 and index == 3 and item.kind == "numeric" and reasons is KINDERGARTEN_REASONS:
                reason = SELF_IDENTIFYING  # the organiser hides it when reviewing the round
            raw[item.id] = services.RawAnswer(value=value, justification=reason)
        services.save_answers(rnd, user, raw, submit=index not in drafts, now=now)


def _hide_self_identifying(rnd, organiser) -> None:
    answer = db.session.scalar(
        select(DelphiAnswer).where(DelphiAnswer.round_id == rnd.id, DelphiAnswer.justification == SELF_IDENTIFYING)
    )
    if answer is not None:
        services.set_justification_hidden(rnd, organiser, answer.id, True)


def _run_rounds(study, organiser, members, panel, rng, start, rounds: int, reasons, skip_last=()) -> None:
    for number in range(1, rounds + 1):
        if not study.active_items:
            break
        opened = start + timedelta(days=10 * (number - 1))
        rnd = services.open_round(study, organiser, opened + timedelta(days=7), now=opened)
        _answer_round(
            rnd, members, panel, opened + timedelta(days=2), rng, reasons, skip=skip_last if number == rounds else ()
        )
        services.close_round(rnd, organiser, now=opened + timedelta(days=7))
        if number == 1 and reasons is KINDERGARTEN_REASONS:
            _hide_self_identifying(rnd, organiser)
        services.publish_feedback(rnd, organiser, now=opened + timedelta(days=8))
        panel.advance()


def seed_demo(context) -> None:
    """A finished study (3 rounds, 12 council members) and one with round 2 open."""
    rng, council, organiser = context.np_rng, context.users["council"], context.users["official"]
    now = utc_now()
    study = services.create_study(organiser, KINDERGARTEN)
    for data in KINDERGARTEN_ITEMS:
        services.add_item(study, organiser, data)
    services.add_panelists(study, organiser, [u.id for u in council])
    _run_rounds(
        study,
        organiser,
        council,
        _Panel(rng, len(council)),
        rng,
        now - timedelta(days=60),
        3,
        KINDERGARTEN_REASONS,
        skip_last=(7,),
    )
    services.finish_study(study, organiser, now=now - timedelta(days=25))
    services.publish_results(study, organiser, now=now - timedelta(days=24))
    context.echo(f"  delphi: finished study #{study.id} ({len(study.rounds)} rounds, {len(council)} panelists)")

    secretary, members = council[0], council[1:]
    running = services.create_study(secretary, TRANSPORT)
    for data in TRANSPORT_ITEMS:
        services.add_item(running, secretary, data)
    services.add_panelists(running, secretary, [u.id for u in members])
    panel = _Panel(rng, len(members))
    _run_rounds(running, secretary, members, panel, rng, now - timedelta(days=12), 1, TRANSPORT_REASONS)
    second = services.open_round(running, secretary, now + timedelta(days=4), now=now - timedelta(days=2))
    _answer_round(
        second,
        members,
        panel,
        now - timedelta(days=1),
        rng,
        TRANSPORT_REASONS,
        skip=range(7, len(members)),
        drafts=(5, 6),
    )
    db.session.flush()
    context.echo(f"  delphi: study #{running.id} in progress (round 2 open, {len(members)} panelists)")
