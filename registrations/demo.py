"""Demo delegate categories for the demo calendar (events/demo.py), used by `seed_demo`.

Prices are plausible samples in each host country's currency (tenge in Astana, euro in
Dublin, pounds in London, US dollars for MINEX Asia), not the forums' real fees.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from events.models import Event

from .models import Currency, DelegateCategory


def _utc(year, month, day):
    return datetime.datetime(year, month, day, 23, 59, tzinfo=datetime.UTC)


_PAYMENT_EN = (
    "Payment by bank transfer against an invoice: the secretariat sends the invoice to your "
    "e-mail within two working days of confirmation. Please quote your registration reference "
    "with the payment. Fees include the conference sessions, lunches, coffee breaks and the "
    "evening reception."
)
_PAYMENT_RU = (
    "Оплата банковским переводом по счёту: секретариат направит счёт на вашу электронную почту "
    "в течение двух рабочих дней после подтверждения. Пожалуйста, укажите в назначении платежа "
    "номер регистрации. В стоимость входят заседания конференции, обеды, кофе-брейки и вечерний "
    "приём."
)
_PAYMENT_KK = (
    "Төлем шот бойынша банктік аударым арқылы жүргізіледі: секретариат тіркеу расталғаннан кейін "
    "екі жұмыс күні ішінде шотты электрондық поштаңызға жібереді. Төлем мақсатында тіркеу нөмірін "
    "көрсетіңіз. Қатысу құнына конференция отырыстары, түскі астар, кофе-брейктер және кешкі "
    "қабылдау кіреді."
)

# (code, names and descriptions en/ru/kk, requires approval, capacity); prices below.
_CATEGORIES = [
    {
        "code": "delegate",
        "name_en": "Delegate",
        "name_ru": "Делегат",
        "name_kk": "Делегат",
        "description_en": (
            "Full access to the plenary and panel sessions, lunches and the reception."
        ),
        "description_ru": "Полный доступ к пленарным и панельным сессиям, обедам и приёму.",
        "description_kk": (
            "Пленарлық және панельдік сессияларға, түскі астарға және қабылдауға толық қатысу."
        ),
        "requires_approval": False,
        "capacity": None,
    },
    {
        "code": "government",
        "name_en": "Government official",
        "name_ru": "Представитель государственного органа",
        "name_kk": "Мемлекеттік орган өкілі",
        "description_en": (
            "Free for officials of ministries, state agencies and international organisations; "
            "the secretariat confirms eligibility."
        ),
        "description_ru": (
            "Бесплатно для сотрудников министерств, государственных органов и международных "
            "организаций; секретариат подтверждает право на участие."
        ),
        "description_kk": (
            "Министрліктердің, мемлекеттік органдар мен халықаралық ұйымдардың қызметкерлері "
            "үшін тегін; қатысу құқығын секретариат растайды."
        ),
        "requires_approval": True,
        "capacity": None,
    },
    {
        "code": "speaker",
        "name_en": "Speaker",
        "name_ru": "Спикер",
        "name_kk": "Спикер",
        "description_en": "For speakers and moderators invited by the programme committee.",
        "description_ru": "Для спикеров и модераторов, приглашённых программным комитетом.",
        "description_kk": "Бағдарламалық комитет шақырған спикерлер мен модераторларға арналған.",
        "requires_approval": True,
        "capacity": None,
    },
    {
        "code": "sponsor",
        "name_en": "Sponsor",
        "name_ru": "Спонсор",
        "name_kk": "Демеуші",
        "description_en": (
            "Passes included in a sponsorship package; the secretariat checks them against the "
            "sponsor's allocation."
        ),
        "description_ru": (
            "Пропуска, входящие в спонсорский пакет; секретариат сверяет их с квотой спонсора."
        ),
        "description_kk": (
            "Демеушілік пакетке кіретін рұқсатнамалар; секретариат оларды демеушінің квотасымен "
            "салыстырады."
        ),
        "requires_approval": True,
        "capacity": None,
    },
    {
        "code": "exhibitor",
        "name_en": "Exhibitor",
        "name_ru": "Экспонент",
        "name_kk": "Экспонент",
        "description_en": "Stand staff of exhibiting companies: exhibition hall and lunches.",
        "description_ru": "Сотрудники стендов компаний-экспонентов: выставочный зал и обеды.",
        "description_kk": "Экспонент компаниялардың стенд қызметкерлері: көрме залы және түскі ас.",
        "requires_approval": False,
        "capacity": 60,
    },
    {
        "code": "media",
        "name_en": "Media",
        "name_ru": "СМИ",
        "name_kk": "БАҚ",
        "description_en": "Free for accredited journalists; please give your publication.",
        "description_ru": "Бесплатно для аккредитованных журналистов; укажите ваше издание.",
        "description_kk": "Аккредиттелген журналистер үшін тегін; басылымыңызды көрсетіңіз.",
        "requires_approval": True,
        "capacity": 40,
    },
    {
        "code": "student",
        "name_en": "Student",
        "name_ru": "Студент",
        "name_kk": "Студент",
        "description_en": (
            "For full-time students of geology and mining; bring your student card."
        ),
        "description_ru": (
            "Для студентов очной формы обучения геологических и горных специальностей; "
            "возьмите студенческий билет."
        ),
        "description_kk": (
            "Геология және тау-кен мамандықтарының күндізгі оқу бөлімінің студенттеріне "
            "арналған; студенттік билетіңізді алып келіңіз."
        ),
        "requires_approval": True,
        "capacity": 30,
    },
]

# Per forum: currency, the 2026 early-bird deadline (a later edition's is as many years later),
# and (price, early-bird price) per priced category.
_FORUM_PRICES = {
    "astana": {
        "currency": Currency.KZT,
        "early_bird_deadline": _utc(2026, 2, 28),
        "prices": {
            "delegate": ("350000", "280000"),
            "exhibitor": ("150000", None),
            "student": ("50000", None),
        },
    },
    "europe": {
        "currency": Currency.EUR,
        "early_bird_deadline": _utc(2026, 10, 15),
        "prices": {
            "delegate": ("950", "750"),
            "exhibitor": ("450", None),
            "student": ("150", None),
        },
    },
    "eurasia": {
        "currency": Currency.GBP,
        "early_bird_deadline": _utc(2026, 10, 15),
        "prices": {
            "delegate": ("795", "645"),
            "exhibitor": ("395", None),
            "student": ("125", None),
        },
    },
    "asia": {
        "currency": Currency.USD,
        "early_bird_deadline": _utc(2026, 10, 31),
        "prices": {
            "delegate": ("900", "720"),
            "exhibitor": ("400", None),
            "student": ("120", None),
        },
    },
}


def seed_categories(events: Iterable[Event]) -> int:
    """Give each demo event that has no delegate category yet the demo categories; return how
    many were created.

    An event that already has categories is left exactly as it is (prices, capacities, a
    category the secretariat closed): categories are never updated here, since a capacity
    change must go through `services.change_category_capacity`, which promotes the waitlist.
    Events of forums outside the demo get nothing.
    """
    count = 0
    for event in events:
        plan = _FORUM_PRICES.get(event.forum.slug)
        if plan is None or DelegateCategory.objects.filter(event=event).exists():
            continue
        deadline = plan["early_bird_deadline"]
        deadline = deadline.replace(year=deadline.year + event.year - 2026)
        for order, spec in enumerate(_CATEGORIES, start=1):
            price, early_bird = plan["prices"].get(spec["code"], ("0", None))
            DelegateCategory.objects.create(
                event=event,
                **spec,
                display_order=order,
                currency=plan["currency"],
                price=Decimal(price),
                early_bird_price=Decimal(early_bird) if early_bird else None,
                early_bird_deadline=deadline if early_bird else None,
                payment_instructions_en=_PAYMENT_EN if price != "0" else "",
                payment_instructions_ru=_PAYMENT_RU if price != "0" else "",
                payment_instructions_kk=_PAYMENT_KK if price != "0" else "",
                is_open=True,
            )
            count += 1
    return count
