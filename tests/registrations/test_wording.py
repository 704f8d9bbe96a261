"""What the delegate pages and e-mails say in English, Russian and Kazakh: titles, headings,
buttons, the consent sentence, fees written the way each language writes money, and a formal
salutation."""

import re
from decimal import Decimal
from html import unescape

import pytest

from accounts.models import DelegateProfile
from tests.factories import make_category, make_delegate, make_event, make_registration
from tests.registrations.admin.conftest import make_staff

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    # Runs of ASCII white space only: the no-break spaces inside amounts of money must stay.
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def _options(page: str, select_name: str) -> list[str]:
    (select,) = re.findall(rf'<select name="{select_name}".*?</select>', page)
    return [unescape(label).strip() for label in re.findall(r"<option[^>]*>([^<]*)", select)]


@pytest.fixture
def delegate_client(client):
    client.force_login(make_delegate())
    return client


# Titles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_title_choices_have_no_two_alike_labels(delegate_client, language):
    event = make_event()
    make_category(event)

    labels = _options(_page(delegate_client, f"/{language}/events/{event.slug}/register/"), "title")

    assert len(labels) == 1 + len(DelegateProfile.Title.choices)
    assert len(set(labels)) == len(labels), labels


def test_his_excellency_in_kazakh_is_zhogary_martebeli(delegate_client):
    event = make_event()
    make_category(event)

    labels = _options(_page(delegate_client, f"/kk/events/{event.slug}/register/"), "title")

    assert "Жоғары мәртебелі" in labels


def test_an_events_title_and_a_persons_title_have_their_own_words_in_russian(client):
    client.force_login(make_staff("root@example.com", is_superuser=True))

    event_form = _page(client, "/ru/admin/events/event/add/")
    registration = make_registration()
    registration_form = _page(
        client, f"/ru/admin/registrations/registration/{registration.pk}/change/"
    )

    assert re.search(r'<label[^>]*for="id_title_ru"[^>]*>Название', event_form), "event title"
    assert "Обращение" not in event_form
    assert re.search(r'<label[^>]*for="id_title"[^>]*>Обращение', registration_form)


# The registration page ---------------------------------------------------------------------


def test_latin_name_hint_gives_a_name_and_surname_as_its_example(delegate_client):
    event = make_event()
    make_category(event)

    english = _page(delegate_client, f"/en/events/{event.slug}/register/")
    russian = _page(delegate_client, f"/ru/events/{event.slug}/register/")

    assert "given name and surname, e.g. Aigerim Nurlanova." in english
    assert "имя и фамилия, например Aigerim Nurlanova." in russian
    assert "Nurlanovna" not in english + russian  # a patronymic is not in a passport's name


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "I have read and accept the <a {link}>privacy policy</a>."),
        ("ru", "Я прочитал(а) и принимаю <a {link}>политику конфиденциальности</a>."),
        # Kazakh names the policy first and ends with the verb.
        ("kk", "<a {link}>Құпиялылық саясатымен</a> таныстым және оны қабылдаймын."),
    ],
)
def test_consent_label_is_one_sentence_with_the_link_inside(delegate_client, language, sentence):
    event = make_event()
    make_category(event)

    page = _page(delegate_client, f"/{language}/events/{event.slug}/register/")

    (label,) = re.findall(r'<label for="id_consent_privacy">(.*?) ?<span class="required"', page)
    link = re.search(r'<a (href="/[a-z]{2}/privacy/[^"]+" target="_blank" rel="noopener")>', label)
    assert link, label
    assert label.strip() == sentence.format(link=link.group(1))


def test_register_heading_names_the_event_and_the_button_invites_the_delegate(client):
    event = make_event(title_en="MINEX Forum 2026", title_ru="Форум MINEX 2026")
    make_category(event)
    client.force_login(make_delegate())

    event_page = _page(client, f"/ru/events/{event.slug}/")
    form_page = _page(client, f"/ru/events/{event.slug}/register/")

    assert re.search(r'<a class="button" href="[^"]+/register/">Зарегистрироваться</a>', event_page)
    assert "<h1>Регистрация: Форум MINEX 2026</h1>" in form_page
    assert "<title>Регистрация: Форум MINEX 2026" in form_page


@pytest.mark.parametrize(("language", "button"), [("ru", "Зарегистрировать"), ("kk", "Тіркеу")])
def test_on_behalf_button_registers_someone_else(client, language, button):
    client.force_login(make_staff("root@example.com", is_superuser=True))

    page = _page(client, f"/{language}/admin/registrations/registration/on-behalf/")

    assert f'<input type="submit" value="{button}"' in page


# Money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "euro", "tenge"),
    [
        ("en", "€950.00", f"KZT{NBSP}350,000.00"),
        ("ru", f"950,00{NBSP}€", f"350{NBSP}000,00{NBSP}KZT"),
        ("kk", f"950,00{NBSP}€", f"350{NBSP}000,00{NBSP}₸"),
    ],
)
def test_category_fees_are_written_as_each_language_writes_money(
    delegate_client, language, euro, tenge
):
    event = make_event()
    make_category(event, price=Decimal("950.00"), currency="EUR")
    make_category(event, price=Decimal("350000.00"), currency="KZT")

    page = _page(delegate_client, f"/{language}/events/{event.slug}/register/")

    prices = re.findall(r'<span class="category__price">([^<]*)', page)
    assert prices == [euro, tenge]


BANK_RU = "Оплата банковским переводом по счёту: секретариат направит счёт на Вашу почту."


@pytest.mark.parametrize(
    ("language", "fee", "heading"),
    [
        ("en", "Fee: €950.00", "How to pay"),
        ("ru", f"Стоимость участия: 950,00{NBSP}€", "Порядок оплаты"),
        ("kk", f"Қатысу құны: 950,00{NBSP}€", "Төлеу тәртібі"),
    ],
)
def test_registration_page_states_the_fee_and_the_payment_text_once(client, language, fee, heading):
    category = make_category(
        price=Decimal("950.00"),
        currency="EUR",
        payment_instructions_en="Bank transfer against an invoice.",
        payment_instructions_ru=BANK_RU,
        payment_instructions_kk="Шот бойынша банктік аударым.",
    )
    delegate = make_delegate()
    registration = make_registration(category, delegate=delegate)
    client.force_login(delegate)

    page = _page(client, f"/{language}/my/registrations/{registration.reference}/")

    assert fee in page
    assert f"<strong>{heading}</strong>" in page
    # No label that says what the text says again ("Оплата: Оплата банковским переводом…").
    assert "Оплата:" not in page and "Payment:" not in page and "Төлем:" not in page


# E-mails -----------------------------------------------------------------------------------


def _delegate_email(mailoutbox, registration):
    (message,) = [m for m in mailoutbox if registration.email in m.to]
    return message


@pytest.mark.parametrize(
    ("language", "title", "last_name", "opening"),
    [
        ("ru", "mr", "Ахметов", "Уважаемый господин Ахметов!"),
        ("ru", "mrs", "Ахметова", "Уважаемая госпожа Ахметова!"),
        ("ru", "dr", "Ахметова", "Уважаемый(-ая) доктор Ахметова!"),
        ("ru", "he", "Ахметов", "Ваше Превосходительство!"),
        ("ru", "", "Ахметова", "Уважаемый(-ая) Айгерим Ахметова!"),
        ("kk", "mr", "Ахметов", "Құрметті Ахметов мырза!"),
        ("kk", "ms", "Ахметова", "Құрметті Ахметова ханым!"),
        ("kk", "", "Ахметова", "Құрметті Айгерим Ахметова!"),
        ("en", "mr", "Akhmetov", "Dear Mr Akhmetov,"),
        ("en", "prof", "Akhmetova", "Dear Professor Akhmetova,"),
    ],
)
def test_confirmation_email_opens_formally_with_title_and_surname(
    mailoutbox, django_capture_on_commit_callbacks, language, title, last_name, opening
):
    delegate = make_delegate(title=title, first_name="Айгерим", last_name=last_name)
    with django_capture_on_commit_callbacks(execute=True):
        registration = make_registration(delegate=delegate, language=language)

    message = _delegate_email(mailoutbox, registration)

    assert message.body.startswith(opening + "\n"), message.body[:80]
    assert f"<p>{opening}</p>" in message.alternatives[0][0]
    assert "Здравствуйте" not in message.body


@pytest.mark.parametrize(
    ("language", "fee"),
    [
        ("en", "Fee: €950.00"),
        ("ru", f"Стоимость участия: 950,00{NBSP}€"),
        ("kk", f"Қатысу құны: 950,00{NBSP}€"),
    ],
)
def test_confirmation_email_writes_the_fee_in_its_language(
    mailoutbox, django_capture_on_commit_callbacks, language, fee
):
    category = make_category(price=Decimal("950.00"), currency="EUR")
    with django_capture_on_commit_callbacks(execute=True):
        registration = make_registration(category, language=language)

    message = _delegate_email(mailoutbox, registration)

    assert fee in message.body
    assert fee in message.alternatives[0][0]


def test_secretariat_notification_writes_the_fee_as_money(
    mailoutbox, django_capture_on_commit_callbacks
):
    event = make_event(secretariat_email="desk@minexforum.example")
    category = make_category(event, price=Decimal("1500.00"), currency="GBP")
    with django_capture_on_commit_callbacks(execute=True):
        make_registration(category)

    (message,) = [m for m in mailoutbox if "desk@minexforum.example" in m.to]

    assert "£1,500.00" in message.body
