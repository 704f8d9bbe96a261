"""Card payments through Stripe Checkout (Stripe's hosted payment page).

On only when STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set. Starting a payment
creates a Checkout Session for what is still owed on the invoice and sends the payer to
Stripe; Stripe tells us the outcome by a webhook (`/billing/stripe/webhook/`), whose
signature is checked with `stripe.Webhook.construct_event` before anything is read, and
`services.book_stripe_event` books it once.
"""

import logging
from decimal import Decimal

import stripe
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..money import minor_units
from .base import PaymentError, PaymentProvider, PaymentStart

logger = logging.getLogger(__name__)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Stripe counts money in the currency's smallest unit (cents, tiyn)."""
    return int(Decimal(amount).scaleb(minor_units(currency)).to_integral_value())


def from_minor_units(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-minor_units(currency))


class StripeCheckoutProvider(PaymentProvider):
    code = "stripe"
    name = _("Card")

    def is_enabled(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)

    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=1)

    def start_payment(self, invoice, *, amount: Decimal, request) -> PaymentStart:
        page = request.build_absolute_uri(
            reverse("registration_detail", args=[invoice.registration.reference])
        )
        metadata = {
            "invoice_id": str(invoice.pk),
            "invoice_number": invoice.number,
            "payment_reference": invoice.payment_reference,
        }
        params = {
            "mode": "payment",
            "client_reference_id": str(invoice.pk),
            "customer_email": invoice.buyer_email,
            "locale": "auto",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": invoice.currency.lower(),
                        "unit_amount": to_minor_units(amount, invoice.currency),
                        "product_data": {
                            "name": gettext("Invoice %(number)s") % {"number": invoice.number}
                        },
                    },
                }
            ],
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "success_url": f"{page}?payment=card",
            "cancel_url": page,
        }
        try:
            session = self.client().v1.checkout.sessions.create(params=params)
        except stripe.StripeError as error:
            logger.warning("Stripe Checkout session for invoice %s failed: %s", invoice.pk, error)
            raise PaymentError(
                gettext(
                    "Card payment is not available right now. Please try again later, or pay "
                    "by bank transfer."
                )
            ) from error
        return PaymentStart(redirect_url=session["url"], details={"session": session["id"]})

    def handle_notification(self, request) -> HttpResponse:
        from .services import book_stripe_event

        try:
            event = stripe.Webhook.construct_event(
                request.body,
                request.headers.get("Stripe-Signature"),
                settings.STRIPE_WEBHOOK_SECRET,
            )
        except (ValueError, stripe.SignatureVerificationError):
            # Not from Stripe (or too old to trust): nothing is read or booked.
            return HttpResponseBadRequest(
                gettext("The notification's signature is not valid."), content_type="text/plain"
            )
        outcome = book_stripe_event(event)
        return HttpResponse(outcome, content_type="text/plain")
