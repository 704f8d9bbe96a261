"""Third-party strings a delegate sees, as corrected by the overlay (locale/_vendor): country
names in the nominative (Russian) and in official Kazakh, django-phonenumber-field's message in
Kazakh, Django's Kazakh form messages without typos, lower-case Kazakh months in dates, and a
formal greeting in allauth's Kazakh e-mails."""

import datetime
import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import make_category, make_delegate, make_event, make_user

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.fixture
def register(client):
    """GET or POST the register form of a fresh event in a language, as a delegate."""
    client.force_login(make_delegate())
    category = make_category()

    def run(language: str, **fields):
        url = f"/{language}/events/{category.event.slug}/register/"
        if not fields:
            return client.get(url)
        data = {
            "category": str(category.pk),
            "first_name": "Aigerim",
            "last_name": "Nurlanova",
            "consent_privacy": "on",
        }
        return client.post(url, {**data, **fields})

    return run


def test_russian_country_names_are_in_the_nominative(register):
    page = _text(register("ru"))

    for name in ("Либерия", "Мьянма", "Новая Каледония", "Сан-Марино", "Государство Палестина"):
        assert f">{name}<" in page
    for wrong in ("Либерии", "Мьянмы", "Новой Каледонии", "Сан - Марино", "Святого Мартина"):
        assert wrong not in page


def test_kazakh_country_names_follow_official_kazakh(register):
    page = _text(register("kk"))

    for name in ("Австралия", "Австрия", "Гонконг", "Палестина Мемлекеті"):
        assert f">{name}<" in page
    for wrong in ("Аустралия", "Аустрия", "Сянган", "Палестина аймақтары"):
        assert wrong not in page


def test_mistyped_phone_is_refused_in_kazakh(register):
    response = register("kk", phone="+7 701 23")

    assert response.status_code == 400
    page = _text(response)
    assert "Дұрыс телефон нөмірін" in page
    assert "Enter a valid phone number" not in page


def test_mistyped_phone_is_refused_in_russian(register):
    page = _text(register("ru", phone="+7 701 23"))

    assert "Введите корректный номер телефона" in page


def test_unknown_country_is_refused_in_correct_kazakh(register):
    response = register("kk", country="XX")

    assert response.status_code == 400
    page = _text(response)
    assert "Дұрыс таңдау жасаңыз." in page
    assert "тандау" not in page


def test_kazakh_event_dates_have_lower_case_months(client):
    event = make_event(start_date=datetime.date(2027, 4, 20))

    page = _text(client.get(f"/kk/events/{event.slug}/"))

    assert "20 сәуір 2027" in page
    assert "Сәуір" not in page


def test_allauth_kazakh_email_opens_formally(client, django_capture_on_commit_callbacks):
    user = make_user("delegate@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/kk/accounts/password/reset/", {"email": user.email})

    (message,) = mail.outbox
    assert message.body.startswith("Сәлеметсіз бе!")
    assert "сәлем!" not in message.body
