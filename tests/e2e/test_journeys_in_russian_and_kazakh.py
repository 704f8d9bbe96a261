"""The delegate's and the secretariat's whole journeys in Russian and Kazakh, on a phone
(375×812) and a laptop (1366×768), in a real browser with real e-mail.

The delegate signs up, confirms the address from the e-mail, registers (a category, consent),
reads the thank-you page, My registrations and the detail page (category, fee and times in the
page's language), changes a detail and cancels. The secretariat finds a registration by search
in the admin, approves it and checks the delegate in with the change page's buttons, reads the
history and exports the attendee list. Every page is checked for what its reader sees (the
words are the catalogues' Russian and Kazakh, written out here so a lost translation shows),
for Content-Security-Policy violations and console errors, and every delegate page with axe.
Screenshots of each step go to $MINEX_SCREENSHOTS, or the test's tmp_path.

Each test seeds its own few rows through one function (milliseconds): a live-server test's
database is flushed after it, so nothing seeded can outlive a test. The secretariat logs in
by session cookie; the delegate's sign-up is itself part of the journey.
"""

import csv
import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from registrations.models import Registration
from registrations.roles import SECRETARIAT
from tests.e2e.conftest import (
    BrowserProblems,
    assert_accessible,
    assert_fits_a_phone,
    log_in,
)
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_forum,
    make_profile,
    make_registration,
)
from tests.registrations.admin.conftest import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"375": {"width": 375, "height": 812}, "1366": {"width": 1366, "height": 768}}

# What the pages say, from locale/<language>/LC_MESSAGES/django.po (and the event's own
# translated fields, set below).
WORDS = {
    "ru": {
        "register": "Зарегистрироваться",
        "log_in": "Войти",
        "create_account": "Создать учётную запись",
        "confirm_address": "Подтвердите адрес электронной почты",
        "confirm_prompt": "Подтвердите, пожалуйста, что {email} — Ваш адрес электронной почты.",
        "confirm": "Подтвердить",
        "form_heading": "Регистрация: {event}",
        "about_you": "О Вас",
        "first_name": "Имя",
        "last_name": "Фамилия",
        "consent": "Я прочитал(а) и принимаю политику конфиденциальности.",
        "complete": "Завершить регистрацию",
        "thanks": "Благодарим за регистрацию",
        "confirmed": "Подтверждена",
        "place_confirmed": "Ваше участие подтверждено.",
        "fee": "Стоимость участия: 450,00\u00a0€",
        "mail_sent": "Письмо с этими данными отправлено на адрес {email}.",
        "see_registration": "Посмотреть регистрацию",
        "my_registrations": "Мои регистрации",
        "category_fact": "Категория участия",
        "place_fact": "Место проведения",
        "month": "июня",
        "registered": "Зарегистрирована",
        "change_details": "Изменить данные",
        "dietary": "Особенности питания",
        "save": "Сохранить изменения",
        "saved": "Изменения сохранены.",
        "details_updated": "Данные изменены",
        "cancel": "Отменить регистрацию",
        "cancel_question": "Вы действительно хотите отменить регистрацию на мероприятие",
        "yes_cancel": "Да, отменить мою регистрацию",
        "cancelled_message": "Ваша регистрация отменена.",
        "cancelled": "Отменена",
        "this_is_cancelled": "Эта регистрация отменена.",
        "mail_confirmed": "Регистрация подтверждена: {event} ({reference})",
        "mail_cancelled": "Регистрация отменена: {event} ({reference})",
        # The back office
        "pending": "Ожидает одобрения",
        "checked_in": "Прибытие отмечено",
        "history": "История",
        "export_these": "Выгрузить эти записи",
        "export_heading": "Выгрузить список участников",
        "csv": "CSV (разделитель — запятая)",
        "export": "Выгрузить",
        "csv_last_name": "Фамилия",
        "deadline": "Изменить свои данные онлайн можно до {deadline}.",
        "organiser": "Организатор: MINEX Forum",
        "sign_up": "Создать аккаунт",
        "approve": "Одобрить",
        "check_in": "Отметить прибытие",
        "approved_message": "Регистрация {reference} ({name}) одобрена.",
        "checked_in_message": "Прибытие отмечено: {name}.",
        "history_heading": "История регистрации {reference}",
        "approved_by": "Одобрил(а) {actor}",
        "checked_in_by": "Прибытие отметил(а) {actor} в ",
        "attendee_list_only": "Только подтверждённые и ожидающие одобрения регистрации",
    },
    "kk": {
        "register": "Тіркелу",
        "log_in": "Кіру",
        "create_account": "Тіркелгі ашу",
        "confirm_address": "Электрондық пошта мекенжайыңызды растаңыз",
        "confirm_prompt": "{email} Сіздің электрондық пошта мекенжайыңыз екенін растаңыз.",
        "confirm": "Растау",
        "form_heading": "Тіркелу: {event}",
        "about_you": "Сіз туралы",
        "first_name": "Аты",
        "last_name": "Тегі",
        "consent": "Құпиялылық саясатымен таныстым және оны қабылдаймын.",
        "complete": "Тіркеуді аяқтау",
        "thanks": "Тіркелгеніңіз үшін рақмет",
        "confirmed": "Расталды",
        "place_confirmed": "Сіздің қатысуыңыз расталды.",
        "fee": "Қатысу құны: 450,00\u00a0€",
        "mail_sent": "Осы деректер көрсетілген хат {email} мекенжайына жіберілді.",
        "see_registration": "Тіркеуіңізді қарау",
        "my_registrations": "Менің тіркеулерім",
        "category_fact": "Қатысу санаты",
        "place_fact": "Өтетін орны",
        "month": "маусым",
        "registered": "Тіркелді",
        "change_details": "Деректерді өзгерту",
        "dietary": "Тамақтану ерекшеліктері",
        "save": "Өзгерістерді сақтау",
        "saved": "Өзгерістер сақталды.",
        "details_updated": "Деректер өзгертілді",
        "cancel": "Тіркеудің күшін жою",
        "cancel_question": "іс-шарасына тіркеуіңіздің күшін шынымен жойғыңыз келе ме?",
        "yes_cancel": "Иә, тіркеуімнің күшін жою",
        "cancelled_message": "Тіркеуіңіздің күші жойылды.",
        "cancelled": "Күші жойылды",
        "this_is_cancelled": "Бұл тіркеудің күші жойылған.",
        "mail_confirmed": "Тіркеу расталды: {event} ({reference})",
        "mail_cancelled": "Тіркеудің күші жойылды: {event} ({reference})",
        "pending": "Мақұлдауды күтуде",
        "checked_in": "Келгені белгіленді",
        "history": "Тарих",
        "export_these": "Осы жазбаларды экспорттау",
        "export_heading": "Қатысушылар тізімін экспорттау",
        "csv": "CSV (үтірмен бөлінген)",
        "export": "Экспорттау",
        "csv_last_name": "Тегі",
        "deadline": "Деректеріңізді онлайн {deadline} дейін өзгертуге болады.",
        "organiser": "Ұйымдастырушы: MINEX Forum",
        "sign_up": "Тіркелгі ашу",
        "approve": "Мақұлдау",
        "check_in": "Келгенін белгілеу",
        "approved_message": "{name}: {reference} тіркеуі мақұлданды.",
        "checked_in_message": "Келгені белгіленді: {name}.",
        "history_heading": "{reference} тіркеуінің тарихы",
        "approved_by": "Мақұлдаған: {actor}",
        "checked_in_by": "Келгенін {actor} ",
        "attendee_list_only": "Тек расталған және мақұлдауды күтіп тұрған тіркеулер",
    },
}

JOURNEYS = [
    pytest.param(language, width, id=f"{language}-{width}")
    for language in ("ru", "kk")
    for width in VIEWPORTS
]


def _central_asia_event():
    """An event in June next year (so its dates name a month), registration open until
    1 June 09:00 in Almaty, with a priced category named in each language."""
    year = timezone.localdate().year + 1
    forum = make_forum(
        name_en="MINEX Central Asia", name_ru="MINEX Центральная Азия", name_kk="MINEX Орталық Азия"
    )
    event = make_event(
        forum,
        title_en=f"MINEX Central Asia {year}",
        title_ru=f"MINEX Центральная Азия {year}",
        title_kk=f"MINEX Орталық Азия {year}",
        city_en="Astana",
        city_ru="Астана",
        city_kk="Астана",
        venue_en="Congress Centre",
        venue_ru="Конгресс-центр",
        venue_kk="Конгресс-орталығы",
        start_date=datetime.date(year, 6, 15),
        end_date=datetime.date(year, 6, 17),
        registration_closes_at=datetime.datetime(year, 6, 1, 4, 0, tzinfo=datetime.UTC),
    )
    delegates = make_category(
        event,
        name_en="Delegate",
        name_ru="Делегат",
        name_kk="Делегат",
        price="450.00",
        payment_instructions_en="Bank transfer against our invoice.",
        payment_instructions_ru="Банковский перевод по нашему счёту.",
        payment_instructions_kk="Біздің шот бойынша банктік аударым.",
    )
    speakers = make_category(
        event,
        name_en="Speaker",
        name_ru="Докладчик",
        name_kk="Баяндамашы",
        price="0",
        requires_approval=True,
    )
    return event, delegates, speakers


def _top_and_bottom(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["y"], box["y"] + box["height"]


def assert_beside(box, label) -> None:
    """A checkbox and its label start on the same line (not the label dropped below)."""
    box_top, box_bottom = _top_and_bottom(box)
    label_top, _label_bottom = _top_and_bottom(label)
    assert label_top < box_bottom and box_top < label_top + 24, (box_top, label_top)


def _check_delegate_page(page: Page, axe, problems: BrowserProblems, screenshots, step: str):
    """What every delegate page must be: no policy violation or console error, no serious
    accessibility problem, nothing wider than the screen."""
    page.wait_for_load_state("load")
    problems.check()
    assert_accessible(axe, page)
    assert_fits_a_phone(page)
    screenshots.take(page, step)


@pytest.mark.parametrize(("language", "width"), JOURNEYS)
def test_delegate_signs_up_registers_changes_and_cancels(
    live_server, page: Page, mailbox, axe, screenshots, language, width
):
    words = WORDS[language]
    screenshots = screenshots(f"delegate-{language}-{width}")
    event, delegates, _speakers = _central_asia_event()
    title = getattr(event, f"title_{language}")
    email = f"aigerim.{language}.{width}@steppe-minerals.kz"
    page.set_viewport_size(VIEWPORTS[width])
    problems = BrowserProblems(page)
    base = f"{live_server.url}/{language}"

    # The event's page, then its register button: not logged in, so the login page.
    page.goto(f"{base}/events/{event.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    # The header's and the footer's words too, not only the page's own.
    expect(
        page.get_by_role("navigation").get_by_role("link", name=words["sign_up"])
    ).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_contain_text(words["organiser"])
    _check_delegate_page(page, axe, problems, screenshots, "event")
    page.get_by_role("link", name=words["register"], exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{language}/accounts/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text(words["log_in"])
    _check_delegate_page(page, axe, problems, screenshots, "login")

    # Sign up; the confirmation e-mail reaches the SMTP server; its link confirms.
    page.get_by_role("main").get_by_role("link", name=words["create_account"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["create_account"])
    _check_delegate_page(page, axe, problems, screenshots, "signup")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password1"]').fill("Astana-2026-secure")
    page.locator('input[name="password2"]').fill("Astana-2026-secure")
    page.get_by_role("button", name=words["create_account"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["confirm_address"])
    _check_delegate_page(page, axe, problems, screenshots, "verification-sent")

    message = mailbox.latest_to(email)
    page.goto(mailbox.link_in(message, r"http://[^\s]+/accounts/confirm-email/[^\s]+"))
    expect(page.get_by_role("main")).to_contain_text(words["confirm_prompt"].format(email=email))
    _check_delegate_page(page, axe, problems, screenshots, "confirm-email")
    page.get_by_role("button", name=words["confirm"]).click()

    # Straight back to the registration form, in the same language.
    expect(page).to_have_url(f"{base}/events/{event.slug}/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        words["form_heading"].format(event=title)
    )
    expect(page.get_by_role("group", name=words["about_you"])).to_be_visible()
    page.get_by_label(getattr(delegates, f"name_{language}")).check()
    page.get_by_role("textbox", name=words["first_name"], exact=True).fill("Әйгерім")
    page.get_by_role("textbox", name=words["last_name"], exact=True).fill("Құрманғалиқызы")
    consent = page.get_by_role("checkbox", name=words["consent"], exact=True)
    consent.check()
    for name in ("consent_privacy", "consent_attendee_list", "consent_marketing"):
        assert_beside(page.locator(f"#id_{name}"), page.locator(f'label[for="id_{name}"]'))
    _check_delegate_page(page, axe, problems, screenshots, "form")
    page.get_by_role("button", name=words["complete"]).click()

    # The thank-you page.
    expect(page.get_by_role("heading", level=1)).to_have_text(words["thanks"])
    registration = Registration.objects.get(email=email)
    main = page.get_by_role("main")
    expect(page.get_by_test_id("reference")).to_have_text(registration.reference)
    expect(page.get_by_test_id("status")).to_have_text(words["confirmed"])
    expect(main).to_contain_text(getattr(delegates, f"name_{language}"))
    expect(main).to_contain_text(words["place_confirmed"])
    expect(main).to_contain_text(words["fee"])
    expect(main).to_contain_text(words["mail_sent"].format(email=email))
    _check_delegate_page(page, axe, problems, screenshots, "thank-you")
    assert registration.language == language
    subject = mailbox.subject_of(mailbox.latest_to(email))
    assert subject == words["mail_confirmed"].format(event=title, reference=registration.reference)

    # My registrations, then the registration's page.
    page.get_by_role("navigation").get_by_role("link", name=words["my_registrations"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["my_registrations"])
    expect(main).to_contain_text(f"{registration.reference} · {words['confirmed']}")
    _check_delegate_page(page, axe, problems, screenshots, "my-registrations")
    main.get_by_role("link", name=title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    facts = page.locator("dl.facts").first
    year = event.start_date.year
    expect(facts).to_contain_text(words["category_fact"])
    expect(facts).to_contain_text(f"{getattr(delegates, f'name_{language}')} · 450,00\u00a0€")
    expect(facts).to_contain_text(f"15 {words['month']} {year} – 17 {words['month']} {year}")
    expect(facts).to_contain_text(words["place_fact"])
    # The deadline for changes, on Almaty's clock with the zone named, the month in words.
    deadline = f"1 {words['month']} {year}, 09:00 (Asia/Almaty, UTC+5)"
    expect(main).to_contain_text(words["deadline"].format(deadline=deadline))
    expect(page.locator("ol.history")).to_contain_text(words["registered"])
    # The registration's facts and the delegate's line up; the buttons are one height.
    values = [dd.bounding_box()["x"] for dd in page.locator("dl.facts dd").all()]
    assert len(set(values)) == 1, values
    heights = {round(b.bounding_box()["height"]) for b in main.locator(".actions .button").all()}
    assert len(heights) == 1, heights
    _check_delegate_page(page, axe, problems, screenshots, "detail")

    # Change a detail.
    main.get_by_role("link", name=words["change_details"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["change_details"])
    page.get_by_label(words["dietary"]).fill("Халал, без орехов")
    _check_delegate_page(page, axe, problems, screenshots, "change")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["saved"])
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(main).to_contain_text("Халал, без орехов")
    expect(page.locator("ol.history")).to_contain_text(words["details_updated"])
    _check_delegate_page(page, axe, problems, screenshots, "changed")

    # Cancel: one question, one button, as red as the link that asked.
    cancel_link = main.get_by_role("link", name=words["cancel"])
    red = cancel_link.evaluate("element => getComputedStyle(element).backgroundColor")
    cancel_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["cancel"])
    expect(main).to_contain_text(words["cancel_question"])
    _check_delegate_page(page, axe, problems, screenshots, "cancel")
    yes = page.get_by_role("button", name=words["yes_cancel"])
    assert yes.evaluate("element => getComputedStyle(element).backgroundColor") == red
    yes.click()
    expect(page.get_by_role("status")).to_contain_text(words["cancelled_message"])
    expect(page.locator(".status")).to_have_text(words["cancelled"])
    expect(main).to_contain_text(words["this_is_cancelled"])
    expect(main.get_by_role("link", name=words["cancel"])).to_have_count(0)
    _check_delegate_page(page, axe, problems, screenshots, "cancelled")

    subject = mailbox.subject_of(mailbox.latest_to(email))
    assert subject == words["mail_cancelled"].format(event=title, reference=registration.reference)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.dietary_needs == "Халал, без орехов"


@pytest.mark.parametrize(("language", "width"), JOURNEYS)
def test_secretariat_finds_approves_checks_in_and_exports(
    live_server, page: Page, screenshots, language, width
):
    words = WORDS[language]
    screenshots = screenshots(f"secretariat-{language}-{width}")
    call_command("setup_roles", stdout=io.StringIO())
    event, _delegates, speakers = _central_asia_event()
    title = getattr(event, f"title_{language}")
    registration = make_registration(
        speakers,
        delegate=make_delegate("dana@example.com", first_name="Dana", last_name="Sadyk"),
        language=language,
    )
    other = make_registration(
        speakers, delegate=make_delegate("erlan@example.com", first_name="Erlan", last_name="Bek")
    )
    member = make_staff("secretariat@minexforum.com", group=SECRETARIAT)
    make_profile(member, first_name="Aigerim", last_name="Ahmetova")
    log_in(page, live_server, member)
    page.set_viewport_size(VIEWPORTS[width])
    problems = BrowserProblems(page)
    changelist = f"{live_server.url}/{language}/admin/registrations/registration/"

    # Find the registration by the delegate's surname.
    problems.visit(changelist)
    page.locator("#searchbar").fill("Sadyk")
    page.locator("#searchbar").press("Enter")
    results = page.locator("#result_list")
    expect(results.get_by_role("link", name=registration.reference)).to_be_visible()
    expect(results).not_to_contain_text(other.reference)
    problems.check()
    screenshots.take(page, "search")

    # Its change page: the summary says where it stands, in the page's language.
    results.get_by_role("link", name=registration.reference).click()
    summary = page.locator(".registration-summary")
    expect(summary).to_contain_text(words["pending"])
    expect(summary).to_contain_text(title)
    expect(summary).to_contain_text(getattr(speakers, f"name_{language}"))
    problems.check()
    screenshots.take(page, "change-page-pending")

    summary.get_by_role("button", name=words["approve"], exact=True).click()
    expect(page.locator("ul.messagelist")).to_have_text(
        words["approved_message"].format(name="Dana Sadyk", reference=registration.reference)
    )
    expect(summary).to_contain_text(words["confirmed"])
    summary.get_by_role("button", name=words["check_in"], exact=True).click()
    expect(page.locator("ul.messagelist")).to_have_text(
        words["checked_in_message"].format(name="Dana Sadyk")
    )
    expect(summary).to_contain_text(words["checked_in"])
    expect(summary.get_by_role("button", name=words["check_in"], exact=True)).to_have_count(0)
    # The history inline's rows carry no raw English label ("7 registered 2026-…").
    expect(page.locator("#history-group td.original p").first).to_be_hidden()
    problems.check()
    screenshots.take(page, "change-page-checked-in")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.checked_in_at is not None

    # The history: who did what, on the event's clock, the statuses in the page's language.
    page.get_by_role("link", name=words["history"], exact=True).click()
    expect(page.locator("#content h1")).to_have_text(
        words["history_heading"].format(reference=registration.reference)
    )
    history = page.locator("#change-history")
    expect(history).to_contain_text(words["approved_by"].format(actor="Aigerim Ahmetova"))
    expect(history).to_contain_text(words["checked_in_by"].format(actor="Aigerim Ahmetova"))
    expect(history).to_contain_text(f"{words['pending']} → {words['confirmed']}")
    expect(history).to_contain_text("(Asia/Almaty, UTC+5)")
    problems.check()
    screenshots.take(page, "history")

    # The event's registrations, exported as the attendee list (CSV).
    problems.visit(f"{changelist}?event__id__exact={event.pk}")
    page.get_by_role("link", name=words["export_these"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["export_heading"])
    expect(page.get_by_role("main")).to_contain_text(words["attendee_list_only"])
    page.get_by_label(words["csv"]).check()
    for choice in page.locator(".choice-list li").all():
        assert_beside(choice.locator("input"), choice.locator("label"))
    problems.check()
    screenshots.take(page, "export")
    with page.expect_download() as download_info:
        page.get_by_role("button", name=words["export"], exact=True).click()
    rows = list(csv.reader(io.StringIO(download_info.value.path().read_text("utf-8-sig"))))
    header = rows[0]
    last_names = {row[header.index(words["csv_last_name"])] for row in rows[1:]}
    assert last_names == {"Sadyk", "Bek"}
    problems.check()
