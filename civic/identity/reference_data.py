"""Reference data: territories, competence categories and state bodies.

Pure data module (no runtime dependencies).  All names are given in Kazakh
(Cyrillic, current official spelling), Russian and English.

Territory codes
---------------
* Codes are short, stable ASCII slugs; a child's code always extends its
  parent's code ("KZ" -> "KZ-ALA" -> "KZ-ALA-ALM").
* First-level units use the *legacy alphabetic* ISO 3166-2:KZ codes
  (KZ-ALA, KZ-AST, KZ-VOS, ...), because they are readable and were the ISO
  codes for many years.  NOTE: since the ISO 3166-2 update of November 2022
  ISO uses *numeric* codes derived from the KATO classifier (KZ-75 Almaty,
  KZ-71 Astana, KZ-63 East Kazakhstan, ...).  The current numeric ISO code is
  given in a trailing comment on each first-level line so a mapping can be
  added later without changing our stable slugs.
* The three oblasts created in 2022 (Abai, Jetisu, Ulytau) never had an
  alphabetic ISO code; "KZ-ABY", "KZ-JET", "KZ-ULT" are our own slugs in the
  same style (their ISO codes are KZ-10, KZ-33, KZ-62).
* Turkistan oblast keeps the legacy alphabetic code of its predecessor,
  South Kazakhstan oblast ("KZ-YUZ"), which ISO used for it until 2022.

Levels
------
"city" is used both for the three cities of republican significance
(parent "KZ") and for cities of oblast significance that we choose to list
under their oblast.  Currently only East Kazakhstan's cities Oskemen
(Ust-Kamenogorsk, the oblast centre) and Ridder are listed; other oblast
centres are NOT listed separately.

Russian names of the 2022 oblasts follow the presidential decree
("область Абай", "область Жетісу", "область Ұлытау"); the adjectival forms
("Абайская область", ...) are common but unofficial.

Rural districts: names verified against public records for the Glubokoye
district; Kazakh forms of Russian-derived rural district names follow the
usual pattern (adjective suffix dropped: "Бобровский" -> "Бобров ауылдық
округі") and should be double-checked against the KATO classifier.
"""

# Territory levels, top to bottom.
LEVELS = ("republic", "oblast", "city", "district", "rural_district")

TERRITORIES: tuple[tuple[str, str, str | None, str, str, str], ...] = (
    # (code, level, parent_code, name_kk, name_ru, name_en)
    ("KZ", "republic", None, "Қазақстан Республикасы", "Республика Казахстан", "Republic of Kazakhstan"),
    # --- Cities of republican significance --------------------------------
    ("KZ-AST", "city", "KZ", "Астана қаласы", "Город Астана", "Astana City"),  # ISO KZ-71
    ("KZ-ALA", "city", "KZ", "Алматы қаласы", "Город Алматы", "Almaty City"),  # ISO KZ-75
    ("KZ-SHY", "city", "KZ", "Шымкент қаласы", "Город Шымкент", "Shymkent City"),  # ISO KZ-79
    # --- Oblasts (17, after the 2022 reform) ------------------------------
    ("KZ-ABY", "oblast", "KZ", "Абай облысы", "Область Абай", "Abai Region"),  # ISO KZ-10 (own slug)
    ("KZ-AKM", "oblast", "KZ", "Ақмола облысы", "Акмолинская область", "Akmola Region"),  # ISO KZ-11
    ("KZ-AKT", "oblast", "KZ", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region"),  # ISO KZ-15
    ("KZ-ALM", "oblast", "KZ", "Алматы облысы", "Алматинская область", "Almaty Region"),  # ISO KZ-19
    ("KZ-ATY", "oblast", "KZ", "Атырау облысы", "Атырауская область", "Atyrau Region"),  # ISO KZ-23
    (
        "KZ-VOS",
        "oblast",
        "KZ",
        "Шығыс Қазақстан облысы",
        "Восточно-Казахстанская область",
        "East Kazakhstan Region",
    ),  # ISO KZ-63
    ("KZ-ZHA", "oblast", "KZ", "Жамбыл облысы", "Жамбылская область", "Jambyl Region"),  # ISO KZ-31
    ("KZ-JET", "oblast", "KZ", "Жетісу облысы", "Область Жетісу", "Jetisu Region"),  # ISO KZ-33 (own slug)
    (
        "KZ-ZAP",
        "oblast",
        "KZ",
        "Батыс Қазақстан облысы",
        "Западно-Казахстанская область",
        "West Kazakhstan Region",
    ),  # ISO KZ-27
    ("KZ-KAR", "oblast", "KZ", "Қарағанды облысы", "Карагандинская область", "Karaganda Region"),  # ISO KZ-35
    ("KZ-KUS", "oblast", "KZ", "Қостанай облысы", "Костанайская область", "Kostanay Region"),  # ISO KZ-39
    ("KZ-KZY", "oblast", "KZ", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region"),  # ISO KZ-43
    ("KZ-MAN", "oblast", "KZ", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region"),  # ISO KZ-47
    ("KZ-PAV", "oblast", "KZ", "Павлодар облысы", "Павлодарская область", "Pavlodar Region"),  # ISO KZ-55
    (
        "KZ-SEV",
        "oblast",
        "KZ",
        "Солтүстік Қазақстан облысы",
        "Северо-Казахстанская область",
        "North Kazakhstan Region",
    ),  # ISO KZ-59
    (
        "KZ-YUZ",
        "oblast",
        "KZ",
        "Түркістан облысы",
        "Туркестанская область",
        "Turkistan Region",
    ),  # ISO KZ-61 (legacy alpha code of South Kazakhstan)
    ("KZ-ULT", "oblast", "KZ", "Ұлытау облысы", "Область Ұлытау", "Ulytau Region"),  # ISO KZ-62 (own slug)
    # --- Districts of Almaty (8) -----------------------------------------
    ("KZ-ALA-ALT", "district", "KZ-ALA", "Алатау ауданы", "Алатауский район", "Alatau District"),
    ("KZ-ALA-ALM", "district", "KZ-ALA", "Алмалы ауданы", "Алмалинский район", "Almaly District"),
    ("KZ-ALA-AUE", "district", "KZ-ALA", "Әуезов ауданы", "Ауэзовский район", "Auezov District"),
    ("KZ-ALA-BOS", "district", "KZ-ALA", "Бостандық ауданы", "Бостандыкский район", "Bostandyk District"),
    ("KZ-ALA-ZHE", "district", "KZ-ALA", "Жетісу ауданы", "Жетысуский район", "Zhetysu District"),
    ("KZ-ALA-MED", "district", "KZ-ALA", "Медеу ауданы", "Медеуский район", "Medeu District"),
    ("KZ-ALA-NAU", "district", "KZ-ALA", "Наурызбай ауданы", "Наурызбайский район", "Nauryzbay District"),
    ("KZ-ALA-TUR", "district", "KZ-ALA", "Түрксіб ауданы", "Турксибский район", "Turksib District"),
    # --- Districts of Astana (5; Nura district created in 2022) ----------
    ("KZ-AST-ALM", "district", "KZ-AST", "Алматы ауданы", "Район Алматы", "Almaty District"),
    ("KZ-AST-BAI", "district", "KZ-AST", "Байқоңыр ауданы", "Район Байқоңыр", "Baikonur District"),
    ("KZ-AST-YES", "district", "KZ-AST", "Есіл ауданы", "Район Есиль", "Yesil District"),
    ("KZ-AST-SAR", "district", "KZ-AST", "Сарыарқа ауданы", "Район Сарыарка", "Saryarka District"),
    ("KZ-AST-NUR", "district", "KZ-AST", "Нұра ауданы", "Район Нура", "Nura District"),
    # --- Districts of Shymkent (5; Turan district created in 2018) -------
    ("KZ-SHY-ABA", "district", "KZ-SHY", "Абай ауданы", "Абайский район", "Abay District"),
    ("KZ-SHY-ALF", "district", "KZ-SHY", "Әл-Фараби ауданы", "Аль-Фарабийский район", "Al-Farabi District"),
    ("KZ-SHY-ENB", "district", "KZ-SHY", "Еңбекші ауданы", "Енбекшинский район", "Enbekshi District"),
    ("KZ-SHY-KAR", "district", "KZ-SHY", "Қаратау ауданы", "Каратауский район", "Karatau District"),
    ("KZ-SHY-TUR", "district", "KZ-SHY", "Тұран ауданы", "Район Туран", "Turan District"),
    # --- East Kazakhstan: cities of oblast significance ------------------
    # Listed as level "city" under the oblast (see module docstring).
    ("KZ-VOS-OSK", "city", "KZ-VOS", "Өскемен қаласы", "Город Усть-Каменогорск", "Oskemen (Ust-Kamenogorsk) City"),
    ("KZ-VOS-RID", "city", "KZ-VOS", "Риддер қаласы", "Город Риддер", "Ridder City"),
    # --- East Kazakhstan: districts (subset) -----------------------------
    # Not listed: Markakol and Ulken Naryn districts (split off from Kurchum
    # and Katon-Karagay in the 2020s).  "Altai" is the former Zyryanovsk
    # district (renamed 2019).
    ("KZ-VOS-GLU", "district", "KZ-VOS", "Глубокое ауданы", "Глубоковский район", "Glubokoye District"),
    ("KZ-VOS-ULA", "district", "KZ-VOS", "Ұлан ауданы", "Уланский район", "Ulan District"),
    ("KZ-VOS-SHE", "district", "KZ-VOS", "Шемонаиха ауданы", "Шемонаихинский район", "Shemonaikha District"),
    ("KZ-VOS-ALT", "district", "KZ-VOS", "Алтай ауданы", "Район Алтай", "Altai District"),
    ("KZ-VOS-KAT", "district", "KZ-VOS", "Катонқарағай ауданы", "Катон-Карагайский район", "Katon-Karagay District"),
    ("KZ-VOS-KUR", "district", "KZ-VOS", "Күршім ауданы", "Курчумский район", "Kurchum District"),
    ("KZ-VOS-ZAI", "district", "KZ-VOS", "Зайсан ауданы", "Зайсанский район", "Zaysan District"),
    ("KZ-VOS-TAR", "district", "KZ-VOS", "Тарбағатай ауданы", "Тарбагатайский район", "Tarbagatay District"),
    ("KZ-VOS-SAM", "district", "KZ-VOS", "Самар ауданы", "Район Самар", "Samar District"),
    # --- East Kazakhstan: rural districts (сельские округа / ауылдық округтер)
    # Glubokoye district (existence confirmed; Kazakh forms see docstring).
    (
        "KZ-VOS-GLU-BOB",
        "rural_district",
        "KZ-VOS-GLU",
        "Бобров ауылдық округі",
        "Бобровский сельский округ",
        "Bobrovka Rural District",
    ),
    (
        "KZ-VOS-GLU-TAR",
        "rural_district",
        "KZ-VOS-GLU",
        "Тархан ауылдық округі",
        "Тарханский сельский округ",
        "Tarkhanka Rural District",
    ),
    (
        "KZ-VOS-GLU-KIR",
        "rural_district",
        "KZ-VOS-GLU",
        "Киров ауылдық округі",
        "Кировский сельский округ",
        "Kirovsky Rural District",
    ),
    (
        "KZ-VOS-GLU-ALT",
        "rural_district",
        "KZ-VOS-GLU",
        "Алтай ауылдық округі",
        "Алтайский сельский округ",
        "Altaisky Rural District",
    ),
    # Ulan district (medium confidence: villages Bozanbay and Yegynsu are
    # rural-district centres in Ulan district).
    (
        "KZ-VOS-ULA-BOZ",
        "rural_district",
        "KZ-VOS-ULA",
        "Бозанбай ауылдық округі",
        "Бозанбайский сельский округ",
        "Bozanbay Rural District",
    ),
    (
        "KZ-VOS-ULA-EGI",
        "rural_district",
        "KZ-VOS-ULA",
        "Егінсу ауылдық округі",
        "Егинсуский сельский округ",
        "Yegynsu Rural District",
    ),
)

CATEGORIES: tuple[tuple[str, str, str, str], ...] = (
    # (code, name_kk, name_ru, name_en) — subject areas a state body can be competent for
    # Petition categories
    (
        "energy",
        "Энергетика, жылу және сумен жабдықтау",
        "Энергетика, тепло- и водоснабжение",
        "Energy, heating and water supply",
    ),
    ("housing", "Тұрғын үй-коммуналдық шаруашылық", "Жилищно-коммунальное хозяйство", "Housing and utilities"),
    ("transport_roads", "Көлік және жолдар", "Транспорт и дороги", "Transport and roads"),
    ("landscaping", "Абаттандыру және көгалдандыру", "Благоустройство и озеленение", "Landscaping and public spaces"),
    ("education", "Білім беру", "Образование", "Education"),
    ("health", "Денсаулық сақтау", "Здравоохранение", "Healthcare"),
    ("social_protection", "Халықты әлеуметтік қорғау", "Социальная защита населения", "Social protection"),
    ("ecology", "Экология және қоршаған орта", "Экология и окружающая среда", "Ecology and environment"),
    # Advice-bureau areas ("housing" above is shared)
    ("debts", "Қарыздар және несиелер", "Долги и кредиты", "Debts and loans"),
    ("consumer", "Тұтынушылардың құқықтарын қорғау", "Защита прав потребителей", "Consumer rights"),
    (
        "benefits",
        "Әлеуметтік төлемдер мен жәрдемақылар",
        "Социальные выплаты и пособия",
        "Social payments and benefits",
    ),
    ("legal", "Құқықтық көмек", "Правовая помощь", "Legal aid"),
    ("employment", "Жұмыспен қамту", "Занятость и трудоустройство", "Employment"),
    ("migration", "Көші-қон", "Миграция", "Migration"),
    # Catch-all
    ("other", "Басқа мәселелер", "Другие вопросы", "Other issues"),
)

# Category sets reused below.
_CITY_ALL = (
    "energy",
    "housing",
    "transport_roads",
    "landscaping",
    "education",
    "health",
    "social_protection",
    "ecology",
    "benefits",
    "employment",
    "other",
)
_DISTRICT_AKIMAT = ("landscaping", "housing", "other")
_RAYON_AKIMAT = ("housing", "landscaping", "transport_roads", "other")

STATE_BODIES: tuple[tuple[str, str, str, str, str, str, tuple[str, ...]], ...] = (
    # (code, territory_code, kind, name_kk, name_ru, name_en, category_codes)
    # kind in ("akimat", "department", "other")
    # Body codes: "<territory code>.<SLUG>".
    # --- Republic: central state bodies ----------------------------------
    (
        "KZ.MLSPP",
        "KZ",
        "other",
        "Қазақстан Республикасы Еңбек және халықты әлеуметтік қорғау министрлігі",
        "Министерство труда и социальной защиты населения Республики Казахстан",
        "Ministry of Labour and Social Protection of the Population of the Republic of Kazakhstan",
        ("social_protection", "benefits", "employment"),
    ),
    (
        "KZ.MEN",
        "KZ",
        "other",
        "Қазақстан Республикасы Энергетика министрлігі",
        "Министерство энергетики Республики Казахстан",
        "Ministry of Energy of the Republic of Kazakhstan",
        ("energy",),
    ),
    (
        "KZ.MENR",
        "KZ",
        "other",
        "Қазақстан Республикасы Экология және табиғи ресурстар министрлігі",
        "Министерство экологии и природных ресурсов Республики Казахстан",
        "Ministry of Ecology and Natural Resources of the Republic of Kazakhstan",
        ("ecology",),
    ),
    (
        "KZ.MJ",
        "KZ",
        "other",
        "Қазақстан Республикасы Әділет министрлігі",
        "Министерство юстиции Республики Казахстан",
        "Ministry of Justice of the Republic of Kazakhstan",
        ("legal",),
    ),
    (
        "KZ.MTI",
        "KZ",
        "other",
        "Қазақстан Республикасы Сауда және интеграция министрлігі",
        "Министерство торговли и интеграции Республики Казахстан",
        "Ministry of Trade and Integration of the Republic of Kazakhstan",
        ("consumer",),
    ),
    (
        "KZ.ARDFM",
        "KZ",
        "other",
        "Қазақстан Республикасының Қаржы нарығын реттеу және дамыту агенттігі",
        "Агентство Республики Казахстан по регулированию и развитию финансового рынка",
        "Agency of the Republic of Kazakhstan for Regulation and Development of the Financial Market",
        ("debts",),
    ),
    (
        "KZ.MIA",
        "KZ",
        "other",
        "Қазақстан Республикасы Ішкі істер министрлігі",
        "Министерство внутренних дел Республики Казахстан",
        "Ministry of Internal Affairs of the Republic of Kazakhstan",
        ("migration",),
    ),
    # --- Almaty city -----------------------------------------------------
    (
        "KZ-ALA.AKIMAT",
        "KZ-ALA",
        "akimat",
        "Алматы қаласының әкімдігі",
        "Акимат города Алматы",
        "Almaty City Akimat",
        ("other", "debts", "consumer", "legal", "migration"),
    ),
    (
        "KZ-ALA.ENERGY",
        "KZ-ALA",
        "department",
        "Алматы қаласы Энергетика және сумен жабдықтау басқармасы",
        "Управление энергетики и водоснабжения города Алматы",
        "Almaty City Department of Energy and Water Supply",
        ("energy",),
    ),
    (
        "KZ-ALA.HOUSING",
        "KZ-ALA",
        "department",
        "Алматы қаласы Тұрғын үй саясаты басқармасы",
        "Управление жилищной политики города Алматы",
        "Almaty City Department of Housing Policy",
        ("housing",),
    ),
    (
        "KZ-ALA.MOBILITY",
        "KZ-ALA",
        "department",
        "Алматы қаласы Мобильділік басқармасы",
        "Управление мобильности города Алматы",
        "Almaty City Department of Mobility",
        ("transport_roads",),
    ),
    (
        "KZ-ALA.ECOLOGY",
        "KZ-ALA",
        "department",
        "Алматы қаласы Экология және қоршаған орта басқармасы",
        "Управление экологии и окружающей среды города Алматы",
        "Almaty City Department of Ecology and Environment",
        ("ecology", "landscaping"),
    ),
    (
        "KZ-ALA.URBAN",
        "KZ-ALA",
        "department",
        "Алматы қаласы Қалалық жоспарлау және урбанистика басқармасы",
        "Управление городского планирования и урбанистики города Алматы",
        "Almaty City Department of Urban Planning and Urbanism",
        ("landscaping",),
    ),
    (
        "KZ-ALA.EDUCATION",
        "KZ-ALA",
        "department",
        "Алматы қаласы Білім басқармасы",
        "Управление образования города Алматы",
        "Almaty City Department of Education",
        ("education",),
    ),
    (
        "KZ-ALA.HEALTH",
        "KZ-ALA",
        "department",
        "Алматы қаласы Қоғамдық денсаулық сақтау басқармасы",
        "Управление общественного здравоохранения города Алматы",
        "Almaty City Department of Public Health",
        ("health",),
    ),
    (
        "KZ-ALA.EMPLOYMENT",
        "KZ-ALA",
        "department",
        "Алматы қаласы Жұмыспен қамту және әлеуметтік бағдарламалар басқармасы",
        "Управление занятости и социальных программ города Алматы",
        "Almaty City Department of Employment and Social Programs",
        ("employment", "social_protection", "benefits"),
    ),
    # --- Almaty districts: offices of the district akims -----------------
    (
        "KZ-ALA-ALT.AKIMAT",
        "KZ-ALA-ALT",
        "akimat",
        "Алматы қаласы Алатау ауданы әкімінің аппараты",
        "Аппарат акима Алатауского района города Алматы",
        "Office of the Akim of Alatau District, Almaty",
        _DISTRICT_AKIMAT,
    ),
    (
        "KZ-ALA-ALM.AKIMAT",
        "KZ-ALA-ALM",
        "akimat",
        "Алматы қаласы Алмалы ауданы әкімінің аппараты",
        "Аппарат акима Алмалинского района города Алматы",
        "Office of the Akim of Almaly District, Almaty",
        _DISTRICT_AKIMAT,
    ),
    (
        "KZ-ALA-AUE.AKIMAT",
        "KZ-ALA-AUE",
        "akimat",
        "Алматы қаласы Әуезов ауданы әкімінің аппараты",
        "Аппарат акима Ауэзовского района города Алматы",
        "Office of the Akim of Auezov District, Almaty",
        _DISTRICT_AKIMAT,
    ),
    (
        "KZ-ALA-BOS.AKIMAT",
        "KZ-ALA-BOS",
        "akimat",
        "Алматы қаласы Бостандық ауданы әкімінің аппараты",
        "Аппарат акима Бостандыкского района города Алматы",
        "Office of the Akim of Bostandyk District, Almaty",
        _DISTRICT_AKIMAT,
    ),
    (
        "KZ-ALA-ZHE.AKIMAT",
        "KZ-ALA-ZHE",
        "akimat",
        "Алматы қаласы Жетісу ауданы әкімінің аппараты",
        "Аппарат акима Жетысуского района города Алматы",
        "Office of the Akim of Zhetysu District, Almaty",
        _DISTRICT_AKIMAT,
    ),
    (
        "KZ-ALA-MED.AKIMAT",
        "KZ-ALA-MED",
        "akimat",
        "Алматы қаласы Медеу ауданы әкімінің аппараты",
        "Аппарат акима Медеуского района города Алматы",
        "Office of the Akim of Medeu District, Almaty",
        _DISTRICT_AKIMAT,
    ),
    (
        "KZ-ALA-NAU.AKIMAT",
        "KZ-ALA-NAU",
        "akimat",
        "Алматы қаласы Наурызбай ауданы әкімінің аппараты",
        "Аппарат акима Наурызбайского района города Алматы",
        "Office of the Akim of Nauryzbay District, Almaty",
        _DISTRICT_AKIMAT,
    ),
    (
        "KZ-ALA-TUR.AKIMAT",
        "KZ-ALA-TUR",
        "akimat",
        "Алматы қаласы Түрксіб ауданы әкімінің аппараты",
        "Аппарат акима Турксибского района города Алматы",
        "Office of the Akim of Turksib District, Almaty",
        _DISTRICT_AKIMAT,
    ),
    # --- Astana and Shymkent city akimats --------------------------------
    (
        "KZ-AST.AKIMAT",
        "KZ-AST",
        "akimat",
        "Астана қаласының әкімдігі",
        "Акимат города Астаны",
        "Astana City Akimat",
        _CITY_ALL,
    ),
    (
        "KZ-SHY.AKIMAT",
        "KZ-SHY",
        "akimat",
        "Шымкент қаласының әкімдігі",
        "Акимат города Шымкента",
        "Shymkent City Akimat",
        _CITY_ALL,
    ),
    # --- East Kazakhstan oblast ------------------------------------------
    (
        "KZ-VOS.AKIMAT",
        "KZ-VOS",
        "akimat",
        "Шығыс Қазақстан облысының әкімдігі",
        "Акимат Восточно-Казахстанской области",
        "East Kazakhstan Region Akimat",
        ("other", "transport_roads", "landscaping", "ecology"),
    ),
    (
        "KZ-VOS.ENERGY",
        "KZ-VOS",
        "department",
        "Шығыс Қазақстан облысының энергетика және тұрғын үй-коммуналдық шаруашылық басқармасы",
        "Управление энергетики и жилищно-коммунального хозяйства Восточно-Казахстанской области",
        "East Kazakhstan Region Department of Energy and Housing and Utilities",
        ("energy", "housing"),
    ),
    (
        "KZ-VOS.EDUCATION",
        "KZ-VOS",
        "department",
        "Шығыс Қазақстан облысының білім басқармасы",
        "Управление образования Восточно-Казахстанской области",
        "East Kazakhstan Region Department of Education",
        ("education",),
    ),
    (
        "KZ-VOS.HEALTH",
        "KZ-VOS",
        "department",
        "Шығыс Қазақстан облысының денсаулық сақтау басқармасы",
        "Управление здравоохранения Восточно-Казахстанской области",
        "East Kazakhstan Region Department of Health",
        ("health",),
    ),
    (
        "KZ-VOS.EMPLOYMENT",
        "KZ-VOS",
        "department",
        "Шығыс Қазақстан облысының жұмыспен қамтуды үйлестіру және әлеуметтік бағдарламалар басқармасы",
        "Управление координации занятости и социальных программ Восточно-Казахстанской области",
        "East Kazakhstan Region Department for Coordination of Employment and Social Programs",
        ("employment", "social_protection", "benefits"),
    ),
    # East Kazakhstan: city akimats
    (
        "KZ-VOS-OSK.AKIMAT",
        "KZ-VOS-OSK",
        "akimat",
        "Өскемен қаласының әкімдігі",
        "Акимат города Усть-Каменогорска",
        "Oskemen City Akimat",
        _RAYON_AKIMAT,
    ),
    (
        "KZ-VOS-RID.AKIMAT",
        "KZ-VOS-RID",
        "akimat",
        "Риддер қаласының әкімдігі",
        "Акимат города Риддера",
        "Ridder City Akimat",
        _RAYON_AKIMAT,
    ),
    # East Kazakhstan: district akimats
    (
        "KZ-VOS-GLU.AKIMAT",
        "KZ-VOS-GLU",
        "akimat",
        "Глубокое ауданының әкімдігі",
        "Акимат Глубоковского района",
        "Glubokoye District Akimat",
        _RAYON_AKIMAT,
    ),
    (
        "KZ-VOS-ULA.AKIMAT",
        "KZ-VOS-ULA",
        "akimat",
        "Ұлан ауданының әкімдігі",
        "Акимат Уланского района",
        "Ulan District Akimat",
        _RAYON_AKIMAT,
    ),
    (
        "KZ-VOS-SHE.AKIMAT",
        "KZ-VOS-SHE",
        "akimat",
        "Шемонаиха ауданының әкімдігі",
        "Акимат Шемонаихинского района",
        "Shemonaikha District Akimat",
        _RAYON_AKIMAT,
    ),
    (
        "KZ-VOS-ALT.AKIMAT",
        "KZ-VOS-ALT",
        "akimat",
        "Алтай ауданының әкімдігі",
        "Акимат района Алтай",
        "Altai District Akimat",
        _RAYON_AKIMAT,
    ),
    (
        "KZ-VOS-KAT.AKIMAT",
        "KZ-VOS-KAT",
        "akimat",
        "Катонқарағай ауданының әкімдігі",
        "Акимат Катон-Карагайского района",
        "Katon-Karagay District Akimat",
        _RAYON_AKIMAT,
    ),
    (
        "KZ-VOS-KUR.AKIMAT",
        "KZ-VOS-KUR",
        "akimat",
        "Күршім ауданының әкімдігі",
        "Акимат Курчумского района",
        "Kurchum District Akimat",
        _RAYON_AKIMAT,
    ),
    (
        "KZ-VOS-ZAI.AKIMAT",
        "KZ-VOS-ZAI",
        "akimat",
        "Зайсан ауданының әкімдігі",
        "Акимат Зайсанского района",
        "Zaysan District Akimat",
        _RAYON_AKIMAT,
    ),
    (
        "KZ-VOS-TAR.AKIMAT",
        "KZ-VOS-TAR",
        "akimat",
        "Тарбағатай ауданының әкімдігі",
        "Акимат Тарбагатайского района",
        "Tarbagatay District Akimat",
        _RAYON_AKIMAT,
    ),
    (
        "KZ-VOS-SAM.AKIMAT",
        "KZ-VOS-SAM",
        "akimat",
        "Самар ауданының әкімдігі",
        "Акимат района Самар",
        "Samar District Akimat",
        _RAYON_AKIMAT,
    ),
)
