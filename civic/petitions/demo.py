"""Petition demo data: fifteen Kazakh and Russian petitions across Almaty's districts, in every state.

Petitions move through the real services (drafting, supporters, moderation, signing, tallies, responses). To show
thresholds being reached, a few thousand synthetic residents (``signer…@demo.civic.kz``) are added in bulk and their
signatures spread over the signing window; the demo residents sign through the signing service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select

from civic import db
from civic.db import utc_now
from civic.identity.models import AssuranceLevel, Category, StateBody, Territory, User
from civic.petitions import moderation, services, signing, tallies
from civic.petitions.models import Petition, PetitionSignature


@dataclass
class Spec:
    key: str
    state: str
    district: str  # territory code the petition addresses
    category: str
    language: str
    title: str
    text: str
    opened_days_ago: int = 0
    signers: int = 0  # synthetic signers living in the territory
    body: str | None = None  # route to this body instead of the automatic choice
    response: str | None = None


SPECS = (
    Spec(
        "gas",
        "open",
        "KZ-ALA",
        "energy",
        "ru",
        "Газифицировать частный сектор Алатауского района до 2027 года",
        "В микрорайонах Шанырак, Айгерим и Карасу зимой топят углём: над районом стоит смог, дети болеют. "
        "Просим акимат утвердить график подключения частных домов к газу и субсидировать подключение для "
        "многодетных семей.",
        25,
        2300,
        "KZ-ALA.ENERGY",
    ),
    Spec(
        "crossing",
        "open",
        "KZ-ALA-AUE",
        "transport_roads",
        "kk",
        "Алтынсарин даңғылы мен Жандосов көшесінің қиылысына бағдаршам орнату",
        "Бұл қиылыста жыл сайын жаяу жүргіншілер зардап шегеді. Жақын жерде №143 мектеп пен емхана бар. "
        "Әкімдіктен бағдаршам мен жерасты өткелін салуды сұраймыз.",
        75,  # its threshold is reached ~3 weeks ago: the answer is overdue whatever weekend or holiday moved it
        620,
        "KZ-ALA.AKIMAT",
    ),
    Spec(
        "square",
        "open",
        "KZ-ALA-BOS",
        "landscaping",
        "ru",
        "Сохранить сквер на улице Тимирязева и не строить там ЖК",
        "Сквер площадью 1,2 га — единственное зелёное место для жителей четырёх кварталов. Просим отменить "
        "разрешение на строительство и включить сквер в реестр зелёных насаждений общего пользования.",
        30,
        2700,
        "KZ-ALA.AKIMAT",
        "Акимат города отменил разрешение на строительство. Сквер включён в реестр зелёных насаждений; "
        "в **2026 году** в нём обновят освещение и дорожки. Вопрос вынесен на заседание общественного совета.",
    ),
    Spec(
        "yards",
        "open",
        "KZ-ALA-MED",
        "housing",
        "kk",
        "Көктем-2 ықшам ауданындағы аулаларды абаттандыру",
        "Аулаларда балалар алаңы жоқ, асфальт бұзылған, түнде жарық жоқ. Тұрғындар жөндеу жоспарына "
        "енгізуді және жарықтандыруды сұрайды.",
        5,
    ),
    Spec(
        "bus",
        "open",
        "KZ-ALA-NAU",
        "transport_roads",
        "ru",
        "Запустить автобусный маршрут из мкр. Шугыла до метро",
        "Жители Шугылы добираются до метро «Сайран» с двумя пересадками, дорога занимает больше часа. "
        "Просим открыть прямой маршрут с интервалом не более 15 минут в часы пик.",
        12,
        160,
    ),
    Spec(
        "school",
        "closed",
        "KZ-ALA-ALM",
        "education",
        "kk",
        "Алмалы ауданында жаңа мектеп салу",
        "Аудандағы мектептер үш ауысымда оқытады, сыныптарда 40-тан астам оқушы бар. Жаңа мектеп салуға жер "
        "бөлуді сұраймыз.",
        120,
        540,
        "KZ-ALA.AKIMAT",
        "2025–2027 жылдарға арналған бағдарламаға Алмалы ауданында 1200 орындық мектеп салу енгізілді. "
        "Жер учаскесі Гоголь көшесінде бөлінді.",
    ),
    Spec(
        "clinic",
        "closed",
        "KZ-ALA-TUR",
        "health",
        "ru",
        "Открыть круглосуточную аптеку при поликлинике №7",
        "Ночью ближайшая дежурная аптека находится в 6 километрах. Просим открыть аптечный пункт при "
        "поликлинике №7 в Турксибском районе.",
        100,
        70,
    ),
    Spec(
        "duplicate",
        "rejected",
        "KZ-ALA-NAU",
        "transport_roads",
        "kk",
        "Шұғыла ықшам ауданынан метроға автобус",
        "Шұғыладан метроға дейін тікелей автобус керек, қазір екі ауысып отырамыз.",
        0,
    ),
    Spec(
        "flat",
        "rejected",
        "KZ-ALA-ZHE",
        "housing",
        "ru",
        "Предоставить моей семье квартиру вне очереди",
        "Мы стоим в очереди на жильё с 2012 года, прошу предоставить квартиру моей семье.",
        0,
    ),
    Spec(
        "insult",
        "hidden",
        "KZ-ALA-ALT",
        "other",
        "kk",
        "Аудан әкімін жұмыстан шығару",
        "Петиция мәтінінде нақты адамға қатысты қорлайтын сөздер болды.",
        0,
    ),
    Spec(
        "lights",
        "awaiting_moderation",
        "KZ-ALA-ALT",
        "landscaping",
        "ru",
        "Установить уличное освещение на улице Байзакова в Алатауском районе",
        "На улице Байзакова нет ни одного фонаря на протяжении двух километров, вечером ходить опасно.",
        12,
    ),
    Spec(
        "dogs",
        "awaiting_moderation",
        "KZ-ALA-TUR",
        "ecology",
        "kk",
        "Түрксіб ауданында иттерге арналған алаң жасау",
        "Ауданда иттерді серуендететін бірде-бір арнайы алаң жоқ. Саябақтарда тазалық сақталмайды.",
        15,
    ),
    Spec(
        "pool",
        "gathering_supporters",
        "KZ-ALA-AUE",
        "health",
        "ru",
        "Построить бассейн для детей в Ауэзовском районе",
        "В районе живут более 300 тысяч человек и нет ни одного муниципального бассейна для детей.",
        0,
    ),
    Spec(
        "bikes",
        "draft",
        "KZ-ALA-BOS",
        "transport_roads",
        "kk",
        "Әл-Фараби даңғылы бойымен велосипед жолын салу",
        "Велосипедпен жұмысқа баратындар көбейді, бірақ даңғылда бөлек жол жоқ.",
        0,
    ),
    Spec(
        "market",
        "withdrawn",
        "KZ-ALA-ZHE",
        "other",
        "ru",
        "Перенести стихийный рынок с улицы Райымбека",
        "Торговля на тротуаре мешает пешеходам и создаёт пробки.",
        0,
    ),
)
DISTRICTS = (
    "KZ-ALA-ALT",
    "KZ-ALA-ALM",
    "KZ-ALA-AUE",
    "KZ-ALA-BOS",
    "KZ-ALA-ZHE",
    "KZ-ALA-MED",
    "KZ-ALA-NAU",
    "KZ-ALA-TUR",
)


def seed_demo(context) -> None:
    """Create the demo petitions (deterministic for a given seed)."""
    users = context.users
    territories = {t.code: t for t in db.session.scalars(select(Territory))}
    pools = _synthetic_signers(context, territories)
    made: dict[str, Petition] = {}
    for index, spec in enumerate(SPECS):
        residents = [u for u in users["residents"] if u.has_level(AssuranceLevel.IIN_VERIFIED)]
        local = [u for u in residents if territories[spec.district].contains(u.home_territory)]
        author = local[index % len(local)] if local else residents[index % len(residents)]
        made[spec.key] = _petition(context, spec, author, territories, pools, made)
    context.echo(f"  petitions: {len(made)} petitions, {sum(p.signature_count for p in made.values())} signatures")


def _synthetic_signers(context, territories) -> dict[str, list[tuple[int, int]]]:
    """Bulk-create verified residents per district (one shared password hash, as the identity demo does)."""
    rng, password_hash = context.rng, context.users["admin"].password_hash
    sizes = {
        "KZ-ALA-BOS": 2900,
        "KZ-ALA-AUE": 700,
        "KZ-ALA-ALM": 650,
        "KZ-ALA-NAU": 220,
        "KZ-ALA-TUR": 120,
        "KZ-ALA-ALT": 400,
        "KZ-ALA-ZHE": 250,
        "KZ-ALA-MED": 250,
    }
    rows, now, number = [], utc_now(), 0
    for code, size in sizes.items():
        for _ in range(size):
            number += 1
            rows.append(
                {
                    "email": f"signer{number}@demo.civic.kz",
                    "password_hash": password_hash,
                    "display_name": None,
                    "preferred_locale": rng.choice(("kk", "ru")),
                    "home_territory_id": territories[code].id,
                    "assurance_level": int(AssuranceLevel.IIN_VERIFIED),
                    "email_verified_at": now,
                    "iin_hmac": f"{rng.getrandbits(256):064x}",
                    "iin_last4": f"{rng.randrange(10000):04d}",
                    "notification_mode": "none",
                    "session_version": 1,
                    "failed_logins": 0,
                    "created_at": now,
                }
            )
    db.session.execute(insert(User), rows)
    by_email = dict(
        db.session.execute(select(User.email, User.id).where(User.email.like("signer%@demo.civic.kz"))).all()
    )
    pools: dict[str, list[tuple[int, int]]] = {code: [] for code in sizes}
    code_of = {territories[code].id: code for code in sizes}
    for row in rows:
        pools[code_of[row["home_territory_id"]]].append((by_email[row["email"]], row["home_territory_id"]))
    context.echo(f"  petitions: {number} synthetic signers across Almaty's districts")
    return pools


def _petition(context, spec: Spec, author: User, territories, pools, made) -> Petition:
    now = utc_now()
    opened = now - timedelta(days=spec.opened_days_ago or 1)
    category = db.session.scalar(select(Category).where(Category.code == spec.category))
    petition = services.create_draft(
        author, spec.title, spec.text, territories[spec.district], category, language=spec.language
    )
    petition.created_at = opened - timedelta(days=3)
    if spec.state == "draft":
        return petition
    services.submit_for_supporters(petition, author, now=opened - timedelta(days=3))
    if spec.state == "withdrawn":
        services.withdraw(petition, author, now=opened)
        return petition
    supporters = _eligible(context.users["residents"], territories[spec.district], exclude=author)
    codes = DISTRICTS if spec.district == "KZ-ALA" else (spec.district,)
    supporters += [db.session.get(User, uid) for code in codes for uid, _home in pools[code][-5:]]
    needed = 2 if spec.state == "gathering_supporters" else 5
    for supporter in supporters[:needed]:
        services.support(petition, supporter, notify_me=True, now=opened - timedelta(days=1))
    if spec.state in ("gathering_supporters", "awaiting_moderation"):
        return petition
    moderator = context.users["moderator"]
    if spec.state in ("rejected", "hidden"):
        _reject(spec, petition, moderator, made, opened)
        return petition
    body = db.session.scalar(select(StateBody).where(StateBody.code == spec.body)) if spec.body else None
    moderation.approve(petition, moderator, body, now=opened)
    _sign(context, petition, spec, pools, opened, now)
    if spec.response:
        official = context.users["official_energy" if spec.body == "KZ-ALA.ENERGY" else "official"]
        answered = now - timedelta(days=2)
        if spec.state == "closed" and petition.response_threshold_reached_at:  # one answer within the deadline
            answered = min(answered, petition.response_threshold_reached_at + timedelta(days=5))
        services.publish_response(petition, official, spec.response, now=answered)
    if spec.state == "closed":
        petition.closes_at = now - timedelta(days=1)
        db.session.flush()
        services.close_if_expired(petition.id, now)
    db.session.refresh(petition)
    return petition


def _eligible(residents, territory, exclude) -> list[User]:
    return [
        u
        for u in residents
        if u.id != exclude.id and u.has_level(AssuranceLevel.IIN_VERIFIED) and territory.contains(u.home_territory)
    ]


def _reject(spec: Spec, petition: Petition, moderator: User, made, when) -> None:
    if spec.state == "hidden":
        moderation.reject(petition, moderator, "offensive", "Мәтінде нақты адамға қатысты қорлау бар.", now=when)
    elif spec.key == "duplicate":
        moderation.reject(
            petition,
            moderator,
            "duplicate",
            "Такая петиция уже открыта — подпишите её.",
            duplicate_of=made["bus"],
            now=when,
        )
    else:
        moderation.reject(
            petition,
            moderator,
            "personal",
            "Это личное обращение: обратитесь в бюро гражданских консультаций, там помогут бесплатно.",
            now=when,
        )


def _sign(context, petition: Petition, spec: Spec, pools, opened, now) -> None:
    """Synthetic signatures spread over the window (busier at first), then demo residents through the service."""
    rng = context.rng
    codes = DISTRICTS if spec.district == "KZ-ALA" else (spec.district,)
    already = set(
        db.session.scalars(select(PetitionSignature.user_id).where(PetitionSignature.petition_id == petition.id))
    )
    candidates = [signer for code in codes for signer in pools.get(code, []) if signer[0] not in already]
    rng.shuffle(candidates)
    span = (min(now, petition.closes_at) - opened).total_seconds()
    rows = []
    for user_id, home_id in candidates[: spec.signers]:
        moment = opened + timedelta(seconds=span * rng.random() ** 1.6)
        rows.append(
            {
                "petition_id": petition.id,
                "user_id": user_id,
                "territory_id": home_id,
                "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                "email_domain": "demo.civic.kz",
                "notify": rng.random() < 0.3,
                "created_at": moment,
            }
        )
    if rows:
        db.session.execute(insert(PetitionSignature), rows)
    for resident in _eligible(context.users["residents"], petition.territory, exclude=petition.author):
        if not signing.has_signed(petition.id, resident.id):
            signing.sign(
                petition.id,
                resident,
                ip="10.0.0.1",
                notify_me=True,
                now=min(now, petition.closes_at) - timedelta(hours=1),
            )
    tallies.tally(petition.id, now)
