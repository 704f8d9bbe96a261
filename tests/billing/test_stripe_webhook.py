"""Stripe's webhook: a good signature books the card payment; a bad, missing or stale one
gets 400 and books nothing; the same event twice (or two events about one session) books
once. Payloads are signed with a test secret by Stripe's own signature scheme."""

import json
import time
from decimal import Decimal

import pytest
import stripe
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Payment, ProviderEvent
from billing.selectors import PaymentState, payment_status

from .bank import client_for, organiser_user, secretariat_user
from .factories import invoice_of, make_paid_registration

WEBHOOK = "/billing/stripe/webhook/"
SECRET = "whsec_test_secret"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stripe_keys(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = SECRET


@pytest.fixture
def invoice():
    return invoice_of(make_paid_registration(price="600.00", currency="EUR"))


def event_payload(invoice, *, event_id="evt_1", kind="checkout.session.completed", **session):
    values = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": int(invoice.gross * 100),
        "currency": "eur",
        "client_reference_id": str(invoice.pk),
        "metadata": {"invoice_id": str(invoice.pk)},
        "payment_intent": "pi_test_1",
    }
    values.update(session)
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": values},
        }
    )


def post(payload, *, secret=SECRET, timestamp=None, header=None):
    if header is None:
        header = stripe.WebhookSignature.generate_signature_header(
            payload, secret, timestamp=timestamp
        )
    # Stripe carries no CSRF token: the view must not ask for one.
    client = Client(enforce_csrf_checks=True)
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    return client.post(WEBHOOK, payload, content_type="application/json", **extra)


def test_signed_checkout_completed_books_the_card_payment(invoice):
    response = post(event_payload(invoice))

    assert response.status_code == 200
    payment = Payment.objects.get()
    assert (payment.invoice, payment.amount, payment.currency) == (invoice, invoice.gross, "EUR")
    assert (payment.method, payment.source) == (Payment.Method.CARD, Payment.Source.STRIPE)
    assert payment.bank_reference == "pi_test_1"
    assert payment_status(invoice.registration).state == PaymentState.PAID


@pytest.mark.parametrize(
    "how",
    ["other-secret", "no-header", "tampered-body", "stale-timestamp", "garbage-header"],
)
def test_bad_signature_is_refused_and_nothing_booked(invoice, how):
    payload = event_payload(invoice)
    if how == "other-secret":
        response = post(payload, secret="whsec_someone_else")
    elif how == "no-header":
        response = post(payload, header="")
    elif how == "tampered-body":
        header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
        response = post(payload.replace(str(int(invoice.gross * 100)), "1"), header=header)
    elif how == "stale-timestamp":
        response = post(payload, timestamp=int(time.time()) - 3600)
    else:
        response = post(payload, header="t=abc,v1=")

    assert response.status_code == 400
    assert not Payment.objects.exists()
    assert not ProviderEvent.objects.exists()


def test_the_same_event_twice_books_once(invoice):
    payload = event_payload(invoice)

    first, second = post(payload), post(payload)

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == b"duplicate"
    assert Payment.objects.count() == 1


def test_two_events_about_one_session_book_once(invoice):
    post(event_payload(invoice, event_id="evt_1"))

    response = post(
        event_payload(invoice, event_id="evt_2", kind="checkout.session.async_payment_succeeded")
    )

    assert response.content == b"already booked"
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "session", "outcome"),
    [
        ("checkout.session.expired", {}, b"ignored"),
        ("checkout.session.completed", {"payment_status": "unpaid"}, b"not paid yet"),
        ("checkout.session.completed", {"currency": "usd"}, b"currency differs"),
        (
            "checkout.session.completed",
            {"metadata": {}, "client_reference_id": "999999"},
            b"unknown invoice",
        ),
    ],
)
def test_events_that_pay_nothing_are_acknowledged_and_book_nothing(invoice, kind, session, outcome):
    response = post(event_payload(invoice, kind=kind, **session))

    assert (response.status_code, response.content) == (200, outcome)
    assert not Payment.objects.exists()


def test_partial_amount_is_booked_as_received(invoice):
    post(event_payload(invoice, amount_total=10000))

    status = payment_status(invoice.registration)
    assert Payment.objects.get().amount == Decimal("100.00")
    assert status.state == PaymentState.PARTLY_PAID


def test_webhook_is_off_without_keys(invoice, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = post(event_payload(invoice))

    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_webhook_answers_only_post(invoice):
    assert Client().get(WEBHOOK).status_code == 405


def test_secretariat_sees_stripe_events_organiser_does_not(invoice):
    url = reverse("admin:billing_providerevent_changelist")
    post(event_payload(invoice, event_id="evt_1"))
    secretariat = client_for(secretariat_user())
    with CaptureQueriesContext(connection) as one:
        page = secretariat.get(url)
    post(event_payload(invoice, event_id="evt_2"))
    post(event_payload(invoice, event_id="evt_3", kind="checkout.session.expired"))
    with CaptureQueriesContext(connection) as three:
        assert secretariat.get(url).status_code == 200

    assert page.status_code == 200
    assert "evt_1" in page.content.decode()
    assert len(three) == len(one)
    assert client_for(organiser_user()).get(url).status_code == 403
