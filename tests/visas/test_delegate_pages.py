"""The delegate's side: the panel on the registration page, the visa page's form (bad input
gets a 400 with the field named and saves nothing; a second click makes no second request),
withdrawal, and nobody else's registration."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import (
    PASSPORT,
    make_category,
    make_event,
    make_registration,
    make_user,
    make_visa_request,
    visa_trip,
)
from visas.models import VisaRequest

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def registration():
    event = make_event(start_date=timezone.localdate() + datetime.timedelta(days=40))
    return make_registration(make_category(event), visa_letter_needed=True, nationality="GB")


@pytest.fixture
def client_of(registration):
    client = Client()
    client.force_login(registration.delegate)
    return client


def page(registration, language="en") -> str:
    return f"/{language}/my/registrations/{registration.reference}/visa/"


def form_data(event, **overrides) -> dict:
    values = {**PASSPORT, **visa_trip(event)}
    data = {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in values.items()
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def test_registration_page_offers_the_request_link(client_of, registration):
    response = client_of.get(f"/en/my/registrations/{registration.reference}/")

    assert response.status_code == 200
    assert "Request your invitation letter" in _text(response)
    assert page(registration) in response.content.decode()


def test_registration_page_without_the_visa_box_shows_no_panel():
    other = make_registration()
    client = Client()
    client.force_login(other.delegate)

    response = client.get(f"/en/my/registrations/{other.reference}/")

    assert "visa-panel" not in response.content.decode()


def test_registration_page_shows_the_status_and_petition_number(client_of, registration):
    request = make_visa_request(registration)
    VisaRequest.objects.filter(pk=request.pk).update(
        status="petition_filed", petition_number="2026-AST-000777"
    )

    text = _text(client_of.get(f"/en/my/registrations/{registration.reference}/"))

    assert "Petition filed" in text
    assert "2026-AST-000777" in text
    assert "Request your invitation letter" not in text


def test_delegate_requests_a_letter(client_of, registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of.post(page(registration), form_data(registration.event))

    assert response.status_code == 302
    assert response["Location"] == page(registration)
    request = VisaRequest.objects.get(registration=registration)
    assert request.passport_number == PASSPORT["passport_number"]
    assert request.status == "requested"
    text = _text(client_of.get(page(registration)))
    assert "Requested" in text
    assert request.number in text


def test_too_late_request_shows_the_warning(django_capture_on_commit_callbacks):
    event = make_event(start_date=timezone.localdate() + datetime.timedelta(days=5))
    registration = make_registration(
        make_category(event), visa_letter_needed=True, nationality="GB"
    )
    client = Client()
    client.force_login(registration.delegate)

    response = client.post(page(registration), form_data(event), follow=True)

    assert "after the filing deadline" in _text(response)
    assert VisaRequest.objects.get().too_late


def test_double_submit_makes_one_request(client_of, registration):
    data = form_data(registration.event)

    first = client_of.post(page(registration), data)
    second = client_of.post(page(registration), data)

    assert first.status_code == second.status_code == 302
    assert VisaRequest.objects.filter(registration=registration).count() == 1
    assert registration.visa_requests.get().history.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"surname": "Смит"}, "surname", "Latin letters"),
        ({"given_names": "Jöhn"}, "given_names", "Latin letters"),
        ({"date_of_birth": "17/05/1980"}, "date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": "1980-02-30"}, "date_of_birth", "YYYY-MM-DD"),
        ({"passport_issued_on": "0001-01-01"}, "passport_issued_on", "YYYY-MM-DD"),
        ({"passport_expires_on": "yesterday"}, "passport_expires_on", "YYYY-MM-DD"),
        ({"passport_expires_on": None}, "passport_expires_on", "required"),
        ({"passport_number": "AB-12"}, "passport_number", "5 to 20"),
        ({"passport_number": "A" * 21}, "passport_number", "at most 20"),
        ({"sex": "X"}, "sex", "valid choice"),
        ({"nationality": "XX"}, "nationality", "valid choice"),
        ({"application_kind": "teleport"}, "application_kind", "valid choice"),
        ({"consulate_city": ""}, "consulate_city", "city of the consulate"),
        ({"place_of_birth": "LONDON\x00"}, None, None),  # NUL: refused before the view
        ({"place_of_birth": "LON\x07DON"}, "place_of_birth", "control characters"),
        ({"employer": "x" * 201}, "employer", "at most 200"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(
    client_of, registration, overrides, field, message
):
    response = client_of.post(page(registration), form_data(registration.event, **overrides))

    assert response.status_code == 400
    assert not VisaRequest.objects.exists()
    if field is not None:
        assert f'id="id_{field}_error"' in response.content.decode()
        assert message in _text(response)


def test_passport_expiring_before_six_months_after_exit_is_refused(client_of, registration):
    event = registration.event
    exit_date = event.end_date + datetime.timedelta(days=1)
    expires = exit_date + datetime.timedelta(days=100)

    response = client_of.post(
        page(registration), form_data(event, passport_expires_on=expires.isoformat())
    )

    assert response.status_code == 400
    assert "six months after your planned exit" in _text(response)
    assert not VisaRequest.objects.exists()


def test_russian_page_speaks_russian_in_django_s_messages(client_of, registration):
    response = client_of.post(
        page(registration, "ru"), form_data(registration.event, passport_expires_on=None)
    )

    assert response.status_code == 400
    assert "Обязательное поле" in _text(response)


def test_delegate_corrects_details_of_an_open_request(client_of, registration):
    request = make_visa_request(registration)

    response = client_of.post(
        page(registration), form_data(registration.event, passport_authority="FCDO")
    )

    assert response.status_code == 302
    assert VisaRequest.objects.get(pk=request.pk).passport_authority == "FCDO"
    assert request.history.filter(action="details_updated").exists()


def test_delegate_withdraws(client_of, registration):
    request = make_visa_request(registration)

    response = client_of.post(page(registration) + "withdraw/")

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert "Request your invitation letter" in _text(
        client_of.get(f"/en/my/registrations/{registration.reference}/")
    )


def test_withdraw_is_post_only(client_of, registration):
    make_visa_request(registration)

    assert client_of.get(page(registration) + "withdraw/").status_code == 405


@pytest.mark.parametrize("suffix", ["", "withdraw/"])
def test_another_delegates_visa_page_is_not_found(registration, suffix):
    make_visa_request(registration)
    stranger = Client()
    stranger.force_login(make_user())

    assert stranger.get(page(registration) + suffix).status_code in (404, 405)
    response = stranger.post(page(registration) + suffix, form_data(registration.event))
    assert response.status_code == 404
    assert registration.visa_requests.get().status == "requested"


def test_anonymous_visitor_is_sent_to_log_in(client, registration):
    response = client.get(page(registration))

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_registration_without_the_visa_box_cannot_post(registration):
    other = make_registration()
    client = Client()
    client.force_login(other.delegate)

    response = client.post(page(other), form_data(other.event))

    assert response.status_code == 302
    assert not VisaRequest.objects.exists()
