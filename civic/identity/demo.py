"""Identity demo data: reference directory, role grants and one account per role, with known passwords."""

from __future__ import annotations

from sqlalchemy import select

from civic import db
from civic.db import utc_now
from civic.identity import directory, iin
from civic.identity.models import AssuranceLevel, StateBody, Territory, User, UserRole
from civic.identity.passwords import hash_password
from civic.identity.permissions import sync_roles

DEMO_PASSWORD = "civic-demo-2026"
ADMIN_EMAIL = "admin@demo.civic.kz"

#: (key, email, display name, locale, home territory, role, scope: territory or body code)
STAFF = (
    ("admin", ADMIN_EMAIL, "Әкімші Ерлан", "kk", "KZ-ALA", "admin", None),
    ("moderator", "moderator@demo.civic.kz", "Модератор Айгерім", "ru", "KZ-ALA", "moderator", "KZ-ALA"),
    ("official", "official@demo.civic.kz", "Сәуле Нұрланқызы", "kk", "KZ-ALA", "official", "KZ-ALA.AKIMAT"),
    ("official_energy", "energy@demo.civic.kz", "Болат Серіков", "ru", "KZ-ALA", "official", "KZ-ALA.ENERGY"),
    ("inspector", "inspector@demo.civic.kz", "Инспектор Дана", "ru", "KZ-ALA", "inspector", "KZ-ALA.AKIMAT"),
    ("consultant", "consultant@demo.civic.kz", "Кеңесші Марат", "kk", "KZ-ALA", "bureau_consultant", "KZ-ALA"),
)
RESIDENT_NAMES = (
    "Айжан Қасымова",
    "Нұрлан Әбенов",
    "Мария Ким",
    "Ерболат Жақсылықов",
    "Гүлнара Сейітова",
    "Алексей Петров",
    "Динара Оспанова",
    "Тимур Бекмұратов",
    "Жанар Төлегенова",
    "Руслан Ахметов",
    "Әсел Мұқанова",
    "Ольга Иванова",
    "Бауыржан Сапаров",
    "Камила Исаева",
    "Дәурен Қайратұлы",
    "Светлана Ли",
    "Арман Жұмабаев",
    "Мадина Ержанова",
    "Серік Омаров",
    "Анна Цой",
    "Қуаныш Бекен",
    "Лаура Смағұлова",
    "Ержан Тоқтаров",
    "Елена Сидорова",
    # More residents, so that every Almaty district has enough of them to carry a district petition through
    # its supporters (RESIDENTS_PER_DISTRICT); resident1..resident24 keep their accounts and districts.
    "Ақбота Нұрланова",
    "Дмитрий Ким",
    "Самал Жолдасова",
    "Асхат Әлібеков",
    "Татьяна Волкова",
    "Нұрсұлтан Бейсенов",
    "Айгерім Құдайбергенова",
    "Павел Пак",
    "Гаухар Исабекова",
    "Ілияс Ермеков",
    "Инна Шевченко",
    "Айдос Қалиев",
    "Меруерт Рахымова",
    "Сергей Морозов",
    "Зарина Әбдірова",
    "Ғалым Тұрсынов",
    "Наталья Егорова",
    "Ернар Сұлтанов",
    "Балжан Омарова",
    "Виктор Хан",
    "Перизат Нығметова",
    "Әлішер Қожахметов",
    "Юлия Никитина",
    "Мирас Серікбаев",
    "Ұлжан Байжанова",
    "Андрей Соколов",
    "Салтанат Есенова",
    "Бекзат Мұратов",
    "Людмила Тен",
    "Нұрасыл Ибраев",
    "Гүлжан Ахметова",
    "Роман Ли",
    "Аружан Сәрсенова",
    "Жандос Әбілов",
    "Ирина Козлова",
    "Олжас Тасболатов",
    "Әйгерім Жұмаділова",
    "Максим Попов",
    "Қарлыға Мамырова",
    "Данияр Шәріпов",
)
#: Every Almaty district gets at least this many residents with a verified IIN: an author plus the supporters a
#: district petition needs (petitions' DEFAULT_SUPPORTERS_NEEDED, 5), with one to spare. Some demo residents have
#: only a confirmed email (every EMAIL_ONLY_EVERY-th), to show the "add your IIN" step; they are spread over the
#: districts too. tests/identity/test_demo_residents.py checks this against the petitions rules.
RESIDENTS_PER_DISTRICT = 7
EMAIL_ONLY_EVERY = 9
COUNCIL_NAMES = (
    "Профессор Әлия Бекова",
    "Дәрігер Асқар Нұров",
    "Ұстаз Гүлмира Сәрсен",
    "Инженер Виктор Пак",
    "Заңгер Жанна Әлиева",
    "Экономист Бақыт Жанов",
    "Эколог Айгүл Темір",
    "Сәулетші Игорь Ли",
    "Әлеуметтанушы Нұржан Ғали",
    "Кәсіпкер Салтанат Әміров",
    "Журналист Ерлан Сәт",
    "Педагог Раушан Қали",
)


def demo_present() -> bool:
    return db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is not None


def demo_iin(rng, birth_year: int) -> tuple[str, str]:
    """A synthetic, checksum-valid IIN (not a real person's) and its HMAC is computed by the caller."""
    while True:
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        century = 3 if birth_year < 2000 else 5
        prefix = f"{birth_year % 100:02d}{month:02d}{day:02d}{century + rng.randint(0, 1)}{rng.randint(0, 9999):04d}"
        check = iin.check_digit(prefix)
        if check is not None:
            return prefix + str(check), prefix


def _make_user(email: str, name: str, locale: str, territory, level: AssuranceLevel, rng, password_hash: str) -> User:
    from flask import current_app

    user = User(
        email=email,
        password_hash=password_hash,
        display_name=name,
        preferred_locale=locale,
        home_territory=territory,
        email_verified_at=utc_now(),
        assurance_level=int(level),
    )
    if level >= AssuranceLevel.IIN_VERIFIED:
        number, _prefix = demo_iin(rng, rng.randint(1950, 2005))
        user.iin_hmac, user.iin_last4 = iin.iin_digest(number, current_app.config["IIN_HMAC_KEY"]), number[-4:]
    db.session.add(user)
    return user


def seed_demo(context) -> None:
    """Create the directory, role grants and demo accounts (all with the password ``DEMO_PASSWORD``)."""
    directory.load_reference_data()
    sync_roles()
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for all demo accounts keeps seeding fast
    rng = context.rng
    territory = {t.code: t for t in db.session.scalars(select(Territory))}
    bodies = {b.code: b for b in db.session.scalars(select(StateBody))}
    for key, email, name, locale, home, role, scope in STAFF:
        user = _make_user(email, name, locale, territory[home], AssuranceLevel.IIN_VERIFIED, rng, password_hash)
        db.session.flush()
        body = bodies.get(scope) if scope else None
        db.session.add(
            UserRole(
                user_id=user.id,
                role_name=role,
                state_body=body,
                territory=body.territory if body else territory.get(scope) if scope else None,
            )
        )
        context.users[key] = user
    almaty_districts = sorted((t for t in territory.values() if t.code.startswith("KZ-ALA-")), key=lambda t: t.code)
    residents = []
    for index, name in enumerate(RESIDENT_NAMES):
        home = almaty_districts[index % len(almaty_districts)]
        level = (
            AssuranceLevel.EMAIL_VERIFIED
            if index % EMAIL_ONLY_EVERY == EMAIL_ONLY_EVERY - 1
            else AssuranceLevel.IIN_VERIFIED
        )
        residents.append(
            _make_user(
                f"resident{index + 1}@demo.civic.kz", name, "kk" if index % 2 else "ru", home, level, rng, password_hash
            )
        )
    council = []
    for index, name in enumerate(COUNCIL_NAMES):
        user = _make_user(
            f"council{index + 1}@demo.civic.kz",
            name,
            "kk" if index % 3 else "ru",
            territory["KZ-ALA"],
            AssuranceLevel.IIN_VERIFIED,
            rng,
            password_hash,
        )
        db.session.flush()
        db.session.add(UserRole(user_id=user.id, role_name="council_member", territory=territory["KZ-ALA"]))
        council.append(user)
    db.session.flush()
    context.users["residents"], context.users["council"] = residents, council
    context.echo(f"  identity: {len(STAFF)} staff, {len(residents)} residents, {len(council)} council members")
