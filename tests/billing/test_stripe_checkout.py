"""Paying by card: the delegate's "How to pay" section (transfer details always, "Pay by
card" only when Stripe is configured) and the button that sends them to Stripe Checkout.
Stripe's HTTP API is stubbed with `responses` (there is no network here)."""

import json
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
import responses
from django.test import Client
from django.urls import reverse

from billing.models import BillingHistory, Payment
from billing.services import record_payment

from .bank import make_account
from .factories import invoice_of, make_billed_event, make_entity, make_paid_registration

SESSIONS = "https://api.stripe.com/v1/checkout/sessions"
CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_on(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"


@pytest.fixture
def invoice():
    entity = make_entity()
    make_account(entity, is_default=True)
    registration = make_paid_registration(
        make_billed_event(entity, currency="EUR"), price="600.00", currency="EUR"
    )
    return invoice_of(registration)


def delegate_client(invoice) -> Client:
    client = Client()
    client.force_login(invoice.registration.delegate)
    return client


def page(invoice) -> str:
    url = reverse("registration_detail", args=[invoice.registration.reference])
    response = delegate_client(invoice).get(url)
    assert response.status_code == 200
    return response.content.decode()


def pay_url(invoice) -> str:
    return reverse("billing_pay_by_card", args=[invoice.registration.reference, invoice.pk])


def test_page_shows_transfer_details_and_no_card_button_when_stripe_is_off(invoice):
    html = page(invoice)

    assert "How to pay" in html
    assert "GB33BUKB20201555555555" in html
    assert invoice.payment_reference_display in html
    assert "Pay by card" not in html


def test_page_shows_the_card_button_when_stripe_is_on(invoice, stripe_on):
    html = page(invoice)

    assert "Pay by card" in html
    assert pay_url(invoice) in html


def test_paid_invoice_has_no_how_to_pay_section(invoice, stripe_on):
    record_payment(
        invoice,
        amount=invoice.gross,
        received_on=invoice.issued_on,
        method=Payment.Method.TRANSFER,
        acting_user=None,
    )

    assert "How to pay" not in page(invoice)


@responses.activate
def test_pay_by_card_creates_a_checkout_session_and_redirects_to_it(invoice, stripe_on):
    responses.post(
        SESSIONS,
        json={"id": "cs_test_1", "object": "checkout.session", "url": CHECKOUT_URL},
    )

    response = delegate_client(invoice).post(pay_url(invoice))

    assert response.status_code == 303
    assert response["Location"] == CHECKOUT_URL
    (call,) = responses.calls
    sent = parse_qs(call.request.body)
    assert call.request.headers["Authorization"] == "Bearer sk_test_123"
    assert sent["mode"] == ["payment"]
    assert sent["line_items[0][price_data][currency]"] == ["eur"]
    assert sent["line_items[0][price_data][unit_amount]"] == [str(int(invoice.gross * 100))]
    assert sent["metadata[invoice_id]"] == [str(invoice.pk)]
    assert sent["success_url"][0].endswith(
        reverse("registration_detail", args=[invoice.registration.reference]) + "?payment=card"
    )
    history = BillingHistory.objects.get(
        invoice=invoice, action=BillingHistory.Action.CHECKOUT_STARTED
    )
    assert history.details["session"] == "cs_test_1"
    assert history.actor == invoice.registration.delegate


@responses.activate
def test_card_payment_asks_only_what_is_still_owed(invoice, stripe_on):
    record_payment(
        invoice,
        amount=Decimal("100.00"),
        received_on=invoice.issued_on,
        method=Payment.Method.TRANSFER,
        acting_user=None,
    )
    responses.post(SESSIONS, json={"id": "cs_test_2", "url": CHECKOUT_URL})

    delegate_client(invoice).post(pay_url(invoice))

    sent = parse_qs(responses.calls[0].request.body)
    owed = invoice.gross - Decimal("100.00")
    assert sent["line_items[0][price_data][unit_amount]"] == [str(int(owed * 100))]


@responses.activate
def test_stripe_refusing_sends_the_delegate_back_with_a_message(invoice, stripe_on):
    responses.post(
        SESSIONS,
        status=401,
        body=json.dumps({"error": {"message": "Invalid API Key", "type": "invalid_request_error"}}),
        content_type="application/json",
    )

    response = delegate_client(invoice).post(pay_url(invoice), follow=True)

    assert response.redirect_chain[-1][0].endswith(
        reverse("registration_detail", args=[invoice.registration.reference])
    )
    assert "Card payment is not available right now" in response.content.decode()
    assert not BillingHistory.objects.filter(action=BillingHistory.Action.CHECKOUT_STARTED)


@responses.activate
def test_paid_invoice_is_not_sent_to_stripe(invoice, stripe_on):
    record_payment(
        invoice,
        amount=invoice.gross,
        received_on=invoice.issued_on,
        method=Payment.Method.TRANSFER,
        acting_user=None,
    )

    response = delegate_client(invoice).post(pay_url(invoice), follow=True)

    assert "This invoice is paid." in response.content.decode()
    assert len(responses.calls) == 0


@responses.activate
def test_someone_elses_invoice_is_not_found(invoice, stripe_on):
    other = invoice_of(make_paid_registration())

    response = delegate_client(invoice).post(
        reverse("billing_pay_by_card", args=[invoice.registration.reference, other.pk])
    )

    assert response.status_code == 404
    assert len(responses.calls) == 0


def test_pay_by_card_is_off_without_keys_and_post_only(invoice, stripe_on, settings):
    client = delegate_client(invoice)
    assert client.get(pay_url(invoice)).status_code == 405

    settings.STRIPE_SECRET_KEY = ""

    assert client.post(pay_url(invoice)).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(invoice, stripe_on):
    response = Client().post(pay_url(invoice))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
