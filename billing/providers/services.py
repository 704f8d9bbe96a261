"""Card payments' writes: starting a checkout (audited) and booking Stripe's events once."""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from ..models import BillingHistory, Invoice, Payment, ProviderEvent
from ..services import BillingError, record_payment
from ..services.invoicing import record
from ..statements.selectors import with_outstanding
from .base import PaymentError, PaymentStart
from .stripe_checkout import from_minor_units

logger = logging.getLogger(__name__)

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


def outstanding_amount(invoice: Invoice):
    return with_outstanding(Invoice.objects.filter(pk=invoice.pk)).values_list(
        "outstanding", flat=True
    )[0]


def start_payment(invoice: Invoice, *, provider, request) -> PaymentStart:
    """Begin paying what is still owed on `invoice` with `provider`; a history row notes a
    card checkout started (who, how much). Raises `PaymentError` for an invoice with nothing
    owed or that cannot be paid online, or when the provider refuses."""
    if invoice.status != Invoice.Status.ISSUED or invoice.kind != Invoice.Kind.INVOICE:
        raise PaymentError(gettext("This invoice cannot be paid online."))
    amount = outstanding_amount(invoice)
    if amount <= 0:
        raise PaymentError(gettext("This invoice is paid."))
    started = provider.start_payment(invoice, amount=amount, request=request)
    if started.redirect_url:
        with transaction.atomic():
            record(
                invoice,
                actor=request.user,
                action=BillingHistory.Action.CHECKOUT_STARTED,
                provider=provider.code,
                amount=str(amount),
                **started.details,
            )
    return started


def book_stripe_event(event) -> str:
    """Book a verified Stripe event (a `stripe.Event` or its dict); return what happened,
    for the webhook's answer.

    Each event id is kept once (`ProviderEvent`): the same event delivered again returns
    "duplicate" and books nothing. A paid Checkout Session books its amount against the
    invoice in its metadata through `record_payment` (method card, source stripe, external
    id `stripe:<session id>`, so two different events about one session book once too).
    Everything in one transaction: the event is recorded only with its booking."""
    event = event.to_dict() if hasattr(event, "to_dict") else event  # plain dicts from here
    session = event["data"]["object"]
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = ProviderEvent.objects.create(
                    provider="stripe", event_id=event["id"], event_type=event["type"]
                )
        except IntegrityError:
            return "duplicate"
        row.outcome = _book_session(event, session, row)
        row.save(update_fields=["outcome", "invoice"])
    return row.outcome


def _book_session(event, session, row) -> str:
    if event["type"] not in PAID_EVENTS:
        return "ignored"
    if session.get("payment_status") != "paid":
        return "not paid yet"
    metadata = session.get("metadata") or {}
    invoice_id = metadata.get("invoice_id") or session.get("client_reference_id") or ""
    invoice = Invoice.objects.filter(pk=invoice_id).first() if invoice_id.isdigit() else None
    if invoice is None:
        logger.error("Stripe session %s names no invoice of ours", session.get("id"))
        return "unknown invoice"
    row.invoice = invoice
    currency = (session.get("currency") or "").upper()
    if currency != invoice.currency:
        logger.error(
            "Stripe session %s paid in %s for a %s invoice",
            session["id"],
            currency,
            invoice.currency,
        )
        return "currency differs"
    received_on = timezone.localdate(
        datetime.datetime.fromtimestamp(event["created"], tz=datetime.UTC)
    )
    try:
        payment, created = record_payment(
            invoice,
            amount=from_minor_units(session["amount_total"], currency),
            received_on=received_on,
            method=Payment.Method.CARD,
            bank_reference=session.get("payment_intent") or session["id"],
            source=Payment.Source.STRIPE,
            external_id=f"stripe:{session['id']}",
            acting_user=None,
            note=f"Stripe event {event['id']}",
        )
    except BillingError as error:
        logger.error("Stripe session %s could not be booked: %s", session["id"], error)
        return "not bookable"
    return "booked" if created else "already booked"
