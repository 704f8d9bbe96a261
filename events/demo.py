"""The demo MINEX calendar: the 2026 editions from the forums' own programme (shared/source, in
Russian), and each forum's next edition once its 2026 one has closed, so that registration can
always be tried.

Where the programme gives no date, the dates are samples (flagged `dates_are_provisional`, shown
as "sample dates"). `seed_calendar` only ever creates rows: a demo that is already running
(docker-compose seeds on every `up`) keeps every change the secretariat made.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from .models import Event, Forum

FORUMS = [
    {
        "slug": "astana",
        "code": "AST",
        "display_order": 1,
        "established_year": 2010,
        "name_en": "MINEX Forum Astana",
        "name_ru": "Форум MINEX в Астане",
        "name_kk": "Астанадағы MINEX форумы",
        "region_en": "Kazakhstan",
        "region_ru": "Казахстан",
        "region_kk": "Қазақстан",
        "summary_en": (
            "The annual forum in Astana, held every year since 2010: ministers, international "
            "organisations, mining and technology companies, financial institutions, stock "
            "exchanges, investors and industry associations."
        ),
        "summary_ru": (
            "Ежегодный форум в Астане, проводится с 2010 года: руководители профильных "
            "министерств, международные организации, горнодобывающие компании, технологические "
            "фирмы, финансовые институты, фондовые биржи, инвесторы и отраслевые ассоциации."
        ),
        "summary_kk": (
            "2010 жылдан бері жыл сайын өткізіліп келе жатқан Астанадағы форум: бейінді "
            "министрліктердің басшылары, халықаралық ұйымдар, тау-кен өндіру және технологиялық "
            "компаниялар, қаржы институттары, қор биржалары, инвесторлар мен салалық "
            "қауымдастықтар."
        ),
    },
    {
        "slug": "asia",
        "code": "ASI",
        "display_order": 2,
        "name_en": "MINEX Asia",
        "name_ru": "MINEX Asia",
        "name_kk": "MINEX Asia",
        "region_en": "Central Asia, the Caspian and the Caucasus; Türkiye and the Middle Corridor",
        "region_ru": "Центральная Азия, Каспий и Кавказ; Турция и Срединный коридор",
        "region_kk": "Орталық Азия, Каспий және Кавказ; Түркия және Орта дәліз",
        "summary_en": (
            "Helps the countries of Central Asia, the Caspian and the Caucasus build diversified, "
            "independent partnerships, with Türkiye and the Middle Corridor as the link to world "
            "trade and the Middle East as a centre of investment and processing."
        ),
        "summary_ru": (
            "Помогает странам Центральной Азии, Каспия и Кавказа выстраивать диверсифицированные "
            "и независимые партнёрства; Турция и Срединный коридор — связующее звено с мировыми "
            "торговыми цепочками, Ближний Восток — центр инвестиций и переработки."
        ),
        "summary_kk": (
            "Орталық Азия, Каспий және Кавказ елдеріне әртараптандырылған әрі тәуелсіз "
            "әріптестік орнатуға көмектеседі; Түркия мен Орта дәліз — әлемдік сауда "
            "тізбектерімен байланыстыратын буын, Таяу Шығыс — инвестиция және қайта өңдеу "
            "орталығы."
        ),
    },
    {
        "slug": "europe",
        "code": "EUR",
        "display_order": 3,
        "name_en": "MINEX Europe",
        "name_ru": "MINEX Europe",
        "name_kk": "MINEX Europe",
        "region_en": "Europe (a different host country every year)",
        "region_ru": "Европа (страна-хозяйка меняется каждый год)",
        "region_kk": "Еуропа (жыл сайын басқа ел қабылдайды)",
        "summary_en": (
            "Rotates between host countries: Portugal, Czechia, Poland, Albania, Bulgaria, North "
            "Macedonia, Serbia and Austria so far, Ireland in 2026."
        ),
        "summary_ru": (
            "Проходит по очереди в разных странах: ранее Португалия, Чехия, Польша, Албания, "
            "Болгария, Северная Македония, Сербия и Австрия, в 2026 году — Ирландия."
        ),
        "summary_kk": (
            "Жыл сайын әр елде кезекпен өтеді: бұған дейін Португалия, Чехия, Польша, Албания, "
            "Болгария, Солтүстік Македония, Сербия және Австрия, 2026 жылы — Ирландия."
        ),
    },
    {
        "slug": "eurasia",
        "code": "EAS",
        "display_order": 4,
        "established_year": 2012,
        "name_en": "MINEX Eurasia",
        "name_ru": "MINEX Eurasia",
        "name_kk": "MINEX Eurasia",
        "region_en": "London, during London Mining Week",
        "region_ru": "Лондон, в рамках Лондонской горной недели",
        "region_kk": "Лондон, Лондон тау-кен апталығы аясында",
        "summary_en": (
            "The UK's only annual conference on mining projects and investment in Eurasia, since "
            "2012: Central Asia, Mongolia, the Black Sea and the Caspian."
        ),
        "summary_ru": (
            "Единственная ежегодная конференция Великобритании, посвящённая горнодобывающим "
            "проектам и инвестициям в Евразии: Центральная Азия, Монголия, Черноморский и "
            "Каспийский регионы; проводится с 2012 года."
        ),
        "summary_kk": (
            "Ұлыбританиядағы Еуразияның тау-кен жобалары мен инвестицияларына арналған жыл "
            "сайынғы жалғыз конференция: Орталық Азия, Моңғолия, Қара теңіз және Каспий "
            "өңірлері; 2012 жылдан бері өткізіліп келеді."
        ),
    },
]

_ASTANA_PROGRAMME_RU = (
    "Императив реиндустриализации Евразии.\n\n"
    "Иллюзии глобализации разрушены. Что дальше?\n\n"
    "Доктрина сырьевой безопасности Европы: от политики к реализации.\n\n"
    "США принимают «китайскую модель».\n\n"
    "Эпоха реиндустриализации делает Евразию ключевой.\n\n"
    "Центральная Азия: новый центр тяжести."
)
_ASTANA_PROGRAMME_EN = (
    "The imperative of Eurasia's reindustrialisation.\n\n"
    "The illusions of globalisation have collapsed. What next?\n\n"
    "Europe's raw-materials security doctrine: from policy to delivery.\n\n"
    "The United States adopts the “Chinese model”.\n\n"
    "The era of reindustrialisation makes Eurasia central.\n\n"
    "Central Asia: the new centre of gravity."
)
_ASTANA_PROGRAMME_KK = (
    "Еуразияны реиндустрияландыру императиві.\n\n"
    "Жаһандану иллюзиялары күйреді. Ары қарай не болмақ?\n\n"
    "Еуропаның шикізат қауіпсіздігі доктринасы: саясаттан іске асыруға дейін.\n\n"
    "АҚШ «қытайлық модельді» қабылдап жатыр.\n\n"
    "Реиндустрияландыру дәуірі Еуразияны басты орынға шығарады.\n\n"
    "Орталық Азия: жаңа ауырлық орталығы."
)


def _utc(year, month, day, hour=0):
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


EVENTS = [
    {
        "forum": "astana",
        "slug": "minex-astana-2026",
        "edition_number": 16,
        "year": 2026,
        "title_en": "16th MINEX Forum, Astana 2026",
        "title_ru": "16-й Форум MINEX, Астана 2026",
        "title_kk": "16-шы MINEX форумы, Астана 2026",
        "tagline_en": "The imperative of Eurasia's reindustrialisation",
        "tagline_ru": "Императив реиндустриализации Евразии",
        "tagline_kk": "Еуразияны реиндустрияландыру императиві",
        "city_en": "Astana",
        "city_ru": "Астана",
        "city_kk": "Астана",
        "country": "KZ",
        "time_zone": "Asia/Almaty",
        "start_date": datetime.date(2026, 4, 15),
        "end_date": datetime.date(2026, 4, 16),
        "dates_are_provisional": False,
        "registration_opens_at": _utc(2025, 11, 1),
        "registration_closes_at": _utc(2026, 4, 13),
        "capacity": 600,
        "description_en": (
            "The 16th forum, held every year since 2010, brings together ministers, international "
            "organisations, mining companies, technology firms, financial institutions, stock "
            "exchanges, investors and industry associations. Kazakhstan's role as one of the "
            "world's mining leaders and a reliable partner for global markets makes this the "
            "anchor event for discussing resource development at scale and infrastructure "
            "investment. The forum takes place in Astana on 15–16 April 2026."
        ),
        "description_ru": (
            "16-й по счёту Форум, проводимый ежегодно с 2010 года, объединяет руководителей "
            "профильных министерств, международные организации, горнодобывающие компании, "
            "технологические фирмы, финансовые институты, фондовые биржи, инвесторов и отраслевые "
            "ассоциации. Стратегическая роль Казахстана — как одного из мировых лидеров "
            "горнодобывающей отрасли и надёжного партнёра для глобальных рынков — делает этот "
            "Форум якорным событием для содержательных дискуссий о масштабном освоении ресурсов "
            "и инфраструктурных инвестициях. Форум пройдёт в Астане 15–16 апреля 2026 года."
        ),
        "description_kk": (
            "2010 жылдан бері жыл сайын өткізіліп келе жатқан 16-шы Форум бейінді "
            "министрліктердің басшыларын, халықаралық ұйымдарды, тау-кен өндіру компанияларын, "
            "технологиялық фирмаларды, қаржы институттарын, қор биржаларын, инвесторлар мен "
            "салалық қауымдастықтарды біріктіреді. Қазақстанның тау-кен саласындағы әлемдік "
            "көшбасшылардың бірі әрі жаһандық нарықтардың сенімді серіктесі ретіндегі "
            "стратегиялық рөлі бұл Форумды ресурстарды ауқымды игеру мен инфрақұрылымға "
            "салынатын инвестициялар туралы мазмұнды пікірталастардың басты алаңына айналдырады. "
            "Форум 2026 жылғы 15–16 сәуірде Астанада өтеді."
        ),
        "programme_en": _ASTANA_PROGRAMME_EN,
        "programme_ru": _ASTANA_PROGRAMME_RU,
        "programme_kk": _ASTANA_PROGRAMME_KK,
    },
    {
        "forum": "eurasia",
        "slug": "minex-eurasia-2026",
        "edition_number": 15,
        "year": 2026,
        "title_en": "MINEX Eurasia 2026, London",
        "title_ru": "MINEX Eurasia 2026, Лондон",
        "title_kk": "MINEX Eurasia 2026, Лондон",
        "tagline_en": "Part of London Mining Week, within Resourcing Tomorrow",
        "tagline_ru": "В рамках Лондонской горной недели и Resourcing Tomorrow",
        "tagline_kk": "Лондон тау-кен апталығы мен Resourcing Tomorrow аясында",
        "city_en": "London",
        "city_ru": "Лондон",
        "city_kk": "Лондон",
        "country": "GB",
        "time_zone": "Europe/London",
        "start_date": datetime.date(2026, 12, 3),
        "end_date": datetime.date(2026, 12, 3),
        "dates_are_provisional": True,
        "registration_opens_at": _utc(2026, 9, 1),
        "registration_closes_at": _utc(2026, 12, 2, 12),
        "capacity": 250,
        "description_en": (
            "The UK's only annual conference on mining projects and investment in Eurasia. Since "
            "2012 it has brought together experts, government representatives and companies to "
            "discuss the industry's prospects in Central Asia, Mongolia, the Black Sea and the "
            "Caspian. Part of London Mining Week within Resourcing Tomorrow; London, as a global "
            "financial centre, helps turn participants' ideas into investment decisions."
        ),
        "description_ru": (
            "MINEX Eurasia — единственная ежегодная конференция Великобритании, посвящённая "
            "горнодобывающим проектам и инвестициям в Евразии. С 2012 года она объединяет "
            "экспертов, представителей государственных органов и компаний для обсуждения "
            "перспектив отрасли в Центральной Азии, Монголии, Черноморском и Каспийском регионах. "
            "Конференция является частью Лондонской горной недели, проходящей в рамках Resourcing "
            "Tomorrow. Лондон как глобальный финансовый центр помогает превращать идеи участников "
            "в реальные инвестиционные решения."
        ),
        "description_kk": (
            "MINEX Eurasia — Ұлыбританиядағы Еуразияның тау-кен жобалары мен инвестицияларына "
            "арналған жыл сайынғы жалғыз конференция. 2012 жылдан бері ол сарапшыларды, "
            "мемлекеттік органдардың өкілдері мен компанияларды Орталық Азиядағы, Моңғолиядағы, "
            "Қара теңіз және Каспий өңірлеріндегі сала болашағын талқылау үшін біріктіреді. "
            "Конференция Resourcing Tomorrow аясында өтетін Лондон тау-кен апталығының бір бөлігі "
            "болып табылады. Лондон жаһандық қаржы орталығы ретінде қатысушылардың идеяларын "
            "нақты инвестициялық шешімдерге айналдыруға көмектеседі."
        ),
    },
    {
        "forum": "europe",
        "slug": "minex-europe-2026",
        "edition_number": 10,
        "year": 2026,
        "title_en": "10th MINEX Europe, Ireland 2026",
        "title_ru": "10-й MINEX Europe, Ирландия 2026",
        "title_kk": "10-шы MINEX Europe, Ирландия 2026",
        "tagline_en": "A strong Europe: mining, processing and recycling for competitiveness",
        "tagline_ru": "«Сильная Европа»: добыча, переработка и рециклинг",
        "tagline_kk": "«Күшті Еуропа»: өндіру, қайта өңдеу және рециклинг",
        "city_en": "Dublin",
        "city_ru": "Дублин",
        "city_kk": "Дублин",
        "country": "IE",
        "time_zone": "Europe/Dublin",
        "start_date": datetime.date(2026, 12, 9),
        "end_date": datetime.date(2026, 12, 10),
        "dates_are_provisional": True,
        "registration_opens_at": _utc(2026, 9, 1),
        "registration_closes_at": _utc(2026, 12, 7, 12),
        "capacity": 300,
        "description_en": (
            "The 10th MINEX Europe continues the rotation between host countries (Portugal, "
            "Czechia, Poland, Albania, Bulgaria, North Macedonia, Serbia and Austria before). In "
            "Ireland in 2026 it discusses how Europe can speed up the development of its own "
            "mineral resources, adopt sustainable practices and strengthen partnerships with "
            "other regions, in support of a “Strong Europe” where mining, processing and "
            "recycling underpin industrial competitiveness and raw-materials autonomy."
        ),
        "description_ru": (
            "10-й форум MINEX Europe продолжает традицию ротации между странами (ранее — "
            "Португалия, Чехия, Польша, Албания, Болгария, Северная Македония, Сербия и Австрия). "
            "В 2026 году в Ирландии обсудят, как Европа может ускорить разработку собственных "
            "минеральных ресурсов, внедрять устойчивые практики и укреплять партнёрства с другими "
            "регионами. Форум поддерживает стратегию «Сильная Европа», где добыча, переработка и "
            "рециклинг становятся основой промышленной конкурентоспособности и сырьевой "
            "автономности."
        ),
        "description_kk": (
            "10-шы MINEX Europe форумы елдер арасындағы ротация дәстүрін жалғастырады (бұған "
            "дейін — Португалия, Чехия, Польша, Албания, Болгария, Солтүстік Македония, Сербия "
            "және Австрия). 2026 жылы Ирландияда Еуропаның өз минералдық ресурстарын игеруді "
            "қалай жеделдете алатыны, тұрақты тәжірибелерді енгізіп, басқа өңірлермен "
            "әріптестікті қалай нығайта алатыны талқыланады. Форум өндіру, қайта өңдеу және "
            "рециклинг өнеркәсіптік бәсекеге қабілеттілік пен шикізаттық дербестіктің негізіне "
            "айналатын «Күшті Еуропа» стратегиясын қолдайды."
        ),
    },
    {
        "forum": "asia",
        "slug": "minex-asia-2026",
        "edition_number": 12,
        "year": 2026,
        "title_en": "12th MINEX Asia 2026",
        "title_ru": "12-й MINEX Asia 2026",
        "title_kk": "12-ші MINEX Asia 2026",
        "tagline_en": "Diversified partnerships along the Middle Corridor",
        "tagline_ru": "Диверсифицированные партнёрства на Срединном коридоре",
        "tagline_kk": "Орта дәліз бойындағы әртараптандырылған әріптестік",
        "city_en": "Baku",
        "city_ru": "Баку",
        "city_kk": "Баку",
        "country": "AZ",
        "time_zone": "Asia/Baku",
        "start_date": datetime.date(2026, 12, 15),
        "end_date": datetime.date(2026, 12, 16),
        "dates_are_provisional": True,
        "registration_opens_at": _utc(2026, 9, 1),
        "registration_closes_at": _utc(2026, 12, 13, 12),
        "capacity": 400,
        "description_en": (
            "The 12th MINEX Asia helps the countries of Central Asia, the Caspian and the "
            "Caucasus build diversified and independent partnerships, reducing dependence on "
            "single players. It highlights Türkiye and the Middle Corridor as the link between "
            "the regions and global trade chains, and the growing role of the Middle East as a "
            "centre of investment, processing and value creation. The city and dates shown are "
            "samples until the organisers announce them."
        ),
        "description_ru": (
            "12-й форум MINEX Asia поможет странам Центральной Азии, Каспия и Кавказа выстраивать "
            "диверсифицированные и независимые партнёрства, снижая зависимость от отдельных "
            "игроков. Мероприятие подчеркнёт значение Турции и Срединного торгово-транспортного "
            "коридора как связующего звена между регионами и мировыми торговыми цепочками. Особое "
            "внимание будет уделено растущей роли Ближнего Востока как центра инвестиций, "
            "переработки и создания добавленной стоимости. Город и даты указаны как пример до "
            "объявления организаторами."
        ),
        "description_kk": (
            "12-ші MINEX Asia форумы Орталық Азия, Каспий және Кавказ елдеріне жекелеген "
            "ойыншыларға тәуелділікті азайта отырып, әртараптандырылған әрі тәуелсіз әріптестік "
            "орнатуға көмектеседі. Іс-шара Түркия мен Орта сауда-көлік дәлізінің өңірлерді "
            "әлемдік сауда тізбектерімен байланыстыратын буын ретіндегі маңызын атап өтеді. "
            "Таяу Шығыстың инвестиция, қайта өңдеу және қосылған құн жасау орталығы ретінде "
            "артып келе жатқан рөліне ерекше назар аударылады. Қала мен күндер ұйымдастырушылар "
            "жариялағанға дейін үлгі ретінде көрсетілген."
        ),
    },
]

# Later editions ------------------------------------------------------------------------------
# Once a forum's 2026 edition has closed, the demo adds its next one: same place, month and
# window, a year (or more) later, with sample dates and no programme yet.

# Titles of a later edition, per forum: {en}/{ru}/{kk} are the edition's ordinal in each
# language, {year} its year.
_LATER_TITLES = {
    "astana": (
        "{en} MINEX Forum, Astana {year}",
        "{ru} Форум MINEX, Астана {year}",
        "{kk} MINEX форумы, Астана {year}",
    ),
    "eurasia": (
        "MINEX Eurasia {year}, London",
        "MINEX Eurasia {year}, Лондон",
        "MINEX Eurasia {year}, Лондон",
    ),
    "europe": ("{en} MINEX Europe {year}", "{ru} MINEX Europe {year}", "{kk} MINEX Europe {year}"),
    "asia": ("{en} MINEX Asia {year}", "{ru} MINEX Asia {year}", "{kk} MINEX Asia {year}"),
}

_SAMPLE_NOTE_EN = (
    "A sample edition for trying the portal: the dates, the city and the fees are placeholders "
    "until the organisers announce this edition."
)
_SAMPLE_NOTE_RU = (
    "Пример мероприятия для знакомства с порталом: даты, город и стоимость участия условны до "
    "объявления организаторами."
)
_SAMPLE_NOTE_KK = (
    "Порталмен танысуға арналған үлгі іс-шара: күндері, қаласы және қатысу құны ұйымдастырушылар "
    "жариялағанға дейін шартты."
)


def _ordinal_en(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# Kazakh ordinals take -шы after a numeral whose last word has back vowels (алты 6, тоғыз 9,
# он 10, жиырма 20, отыз 30, қырық 40, алпыс 60, тоқсан 90), else -ші (16-шы, 12-ші).
_KK_BACK_UNITS = {6, 9}
_KK_BACK_TENS = {1, 2, 3, 4, 6, 9}


def _ordinal_kk(number: int) -> str:
    units, tens = number % 10, number // 10 % 10
    if units:
        back = units in _KK_BACK_UNITS
    elif tens:
        back = tens in _KK_BACK_TENS
    else:
        back = False  # жүз (100), мың (1000)
    return f"{number}-{'шы' if back else 'ші'}"


def _shift(value, years: int):
    return value.replace(year=value.year + years)


def _edition(spec: dict, year: int, *, now: datetime.datetime) -> dict:
    """The fields of the forum's edition in `year`: the 2026 one as the programme gives it, or
    a later one with sample dates whose registration is open from `now` at the latest."""
    if year == spec["year"]:
        return dict(spec)
    years = year - spec["year"]
    number = spec["edition_number"] + years
    title_en, title_ru, title_kk = _LATER_TITLES[spec["forum"]]
    ordinals = {"en": _ordinal_en(number), "ru": f"{number}-й", "kk": _ordinal_kk(number)}
    # Registration opens at the usual time, or today if that is still to come: the point of the
    # edition is that it can be tried now.
    start_of_today = datetime.datetime.combine(
        now.astimezone(datetime.UTC).date(), datetime.time(), tzinfo=datetime.UTC
    )
    opens_at = min(_shift(spec["registration_opens_at"], years), start_of_today)
    forum = next(forum for forum in FORUMS if forum["slug"] == spec["forum"])
    return {
        "forum": spec["forum"],
        "slug": f"minex-{spec['forum']}-{year}",
        "edition_number": number,
        "year": year,
        "title_en": title_en.format(year=year, **ordinals),
        "title_ru": title_ru.format(year=year, **ordinals),
        "title_kk": title_kk.format(year=year, **ordinals),
        "city_en": spec["city_en"],
        "city_ru": spec["city_ru"],
        "city_kk": spec["city_kk"],
        "country": spec["country"],
        "time_zone": spec["time_zone"],
        "start_date": _shift(spec["start_date"], years),
        "end_date": _shift(spec["end_date"], years),
        "dates_are_provisional": True,
        "registration_opens_at": opens_at,
        "registration_closes_at": _shift(spec["registration_closes_at"], years),
        "capacity": spec["capacity"],
        "description_en": f"{forum['summary_en']}\n\n{_SAMPLE_NOTE_EN}",
        "description_ru": f"{forum['summary_ru']}\n\n{_SAMPLE_NOTE_RU}",
        "description_kk": f"{forum['summary_kk']}\n\n{_SAMPLE_NOTE_KK}",
    }


def _current_year(spec: dict, *, now: datetime.datetime) -> int:
    """The year of the forum's first edition whose registration has not closed at `now`."""
    year = spec["year"]
    while _shift(spec["registration_closes_at"], year - spec["year"]) <= now:
        year += 1
    return year


@dataclass
class CalendarSeed:
    forums_created: int = 0
    events_created: int = 0
    # Every demo edition present after seeding, created now or found (by slug).
    events: list[Event] = field(default_factory=list)


def seed_calendar(*, now: datetime.datetime | None = None) -> CalendarSeed:
    """Create the demo forums and editions that are missing; change nothing that exists.

    Creates each of the four forums unless one with its slug exists; each forum's 2026 edition
    (even when past: it is the real one); and, once that edition's registration has closed
    at `now` (default: the current time), the forum's next edition whose registration has not,
    open for registration now and marked as sample dates. An edition is left out when an event
    with its slug, or an edition with its number in that forum, already exists. Existing rows
    are never written: a demo the secretariat has been using keeps its capacities, statuses
    and windows (raising a capacity behind the services' back would let newcomers overtake the
    waitlist). Run it inside a transaction.
    """
    now = now or timezone.now()
    seed = CalendarSeed()
    forums = {}
    for spec in FORUMS:
        values = {key: value for key, value in spec.items() if key != "slug"}
        forums[spec["slug"]], created = Forum.objects.get_or_create(
            slug=spec["slug"], defaults=values
        )
        seed.forums_created += created
    for spec in EVENTS:
        years = sorted({spec["year"], _current_year(spec, now=now)})
        for year in years:
            edition = _edition(spec, year, now=now)
            event, created = _create_edition(forums[spec["forum"]], edition)
            seed.events_created += created
            if event is not None:
                seed.events.append(event)
    return seed


def _create_edition(forum: Forum, edition: dict) -> tuple[Event | None, bool]:
    existing = Event.objects.filter(slug=edition["slug"]).first()
    if existing is not None:
        return existing, False
    if Event.objects.filter(forum=forum, edition_number=edition["edition_number"]).exists():
        return None, False  # the secretariat's own edition with this number: not ours to add
    values = {key: value for key, value in edition.items() if key != "forum"}
    return Event.objects.create(forum=forum, status=Event.Status.PUBLISHED, **values), True
