"""The delegate's ticket: QR panel on the registration page, printable page, ticket e-mail."""

import pytest
from django.test import Client

from badges.tokens import badge_token
from mail.models import OutgoingEmail
from registrations.models import Registration
from registrations.services import approve_registration
from tests.factories import make_category, make_delegate, make_event, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ticket_emails_on(settings):
    settings.BADGES_TICKET_EMAIL = True  # off in the test settings for the other apps' tests


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _ticket_url(registration):
    return f"/en/my/registrations/{registration.reference}/ticket/"


def test_confirmed_registration_page_shows_the_qr_panel_and_the_ticket_page_prints_it():
    delegate = make_delegate(first_name="Әсем", last_name="Қуанышқызы")
    registration = make_registration(delegate=delegate)
    client = _client(delegate)

    detail = client.get(f"/en/my/registrations/{registration.reference}/")
    ticket = client.get(_ticket_url(registration))

    assert registration.status == Registration.Status.CONFIRMED
    assert 'class="ticket__qr"' in detail.content.decode()
    assert _ticket_url(registration) in detail.content.decode()
    page = ticket.content.decode()
    assert ticket.status_code == 200
    assert 'class="ticket__qr"' in page and "Әсем Қуанышқызы" in page
    assert registration.reference in page
    assert badge_token(registration.badge) not in page  # the QR is drawn, not spelled out
    assert ' style="' not in page.split("<main", 1)[-1]  # the CSP allows no style attributes
    assert 'id="print-ticket"' in page


def test_pending_registration_has_no_ticket_yet():
    delegate = make_delegate()
    registration = make_registration(make_category(requires_approval=True), delegate=delegate)
    client = _client(delegate)

    detail = client.get(f"/en/my/registrations/{registration.reference}/")

    assert registration.status == Registration.Status.PENDING
    assert "ticket__qr" not in detail.content.decode()
    assert client.get(_ticket_url(registration)).status_code == 404


def test_another_delegates_ticket_is_a_404_and_anonymous_visitors_log_in():
    registration = make_registration()

    assert _client(make_delegate()).get(_ticket_url(registration)).status_code == 404
    response = Client().get(_ticket_url(registration))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _tickets(registration):
    return OutgoingEmail.objects.filter(kind="badges.ticket", recipient=registration.email)


def test_ticket_email_goes_out_once_confirmed_in_the_delegates_language(
    django_capture_on_commit_callbacks, mailoutbox
):
    category = make_category(make_event(), requires_approval=True)
    delegate = make_delegate("kz@example.com", first_name="Әсем")
    with django_capture_on_commit_callbacks(execute=True):
        registration = make_registration(category, delegate=delegate, language="kk")
    assert not _tickets(registration).exists()

    with django_capture_on_commit_callbacks(execute=True):
        approve_registration(registration, acting_user=make_delegate("staff@example.com"))

    email = _tickets(registration).get()
    assert email.language == "kk"
    assert email.status == OutgoingEmail.Status.SENT
    assert f"/kk/my/registrations/{registration.reference}/ticket/" in email.body_text
    sent = next(m for m in mailoutbox if "ticket" in m.body and m.to == [registration.email])
    ((name, content, mimetype),) = [a for a in sent.attachments if a[0].endswith(".png")]
    assert name == f"ticket-{registration.reference}.png" and mimetype == "image/png"
    assert content[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_registration_confirmed_at_once_gets_one_ticket(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = make_registration()

    assert _tickets(registration).count() == 1


def test_without_ticket_emails_a_confirmation_sends_none(
    settings, django_capture_on_commit_callbacks
):
    settings.BADGES_TICKET_EMAIL = False
    with django_capture_on_commit_callbacks(execute=True):
        registration = make_registration()

    assert not _tickets(registration).exists()
