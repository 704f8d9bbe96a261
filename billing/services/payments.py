"""Money in and out: payments and refunds against documents."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import User

from .. import extensions
from ..models import BillingHistory, Invoice, Payment
from ..money import quantize
from .invoicing import BillingError, record


def record_payment(
    invoice: Invoice,
    *,
    amount: Decimal,
    received_on: datetime.date,
    method: str,
    bank_reference: str = "",
    source: str = Payment.Source.MANUAL,
    external_id: str | None = None,
    acting_user: User | None,
    note: str = "",
) -> tuple[Payment, bool]:
    """Book money received against an issued document; return `(payment, created)`.

    `amount` is rounded to the currency's minor units; a negative amount is a refund (see
    `record_refund`). With `external_id` (a statement line's fingerprint, a Stripe event id)
    the call is idempotent: the same id twice books once, and the second call returns the
    first payment with `created=False` — also when two calls race (the unique constraint
    decides, inside a savepoint).

    Side effects, in order: the invoice row is locked; the payment; a history row;
    `extensions.payment_recorded` (the receipt hangs off it). Raises `BillingError` for a
    document that is not issued or an amount of zero.
    """
    external_id = (external_id or "").strip()
    with transaction.atomic():
        if external_id:
            existing = Payment.objects.filter(external_id=external_id).first()
            if existing is not None:
                return existing, False
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.ISSUED:
            raise BillingError(gettext("Payments are recorded against issued documents only."))
        amount = quantize(amount, invoice.currency)
        if amount == 0:
            raise BillingError(gettext("Enter an amount other than zero."))
        payment = Payment(
            invoice=invoice,
            amount=amount,
            currency=invoice.currency,
            received_on=received_on,
            method=method,
            bank_reference=bank_reference.strip()[:200],
            source=source,
            external_id=external_id,
            recorded_by=acting_user,
            note=note,
        )
        try:
            with transaction.atomic():
                payment.save(force_insert=True)
        except IntegrityError as error:
            if external_id and "billing_payment_external_id" in str(error):
                return Payment.objects.get(external_id=external_id), False
            raise
        action = (
            BillingHistory.Action.REFUND_RECORDED
            if amount < 0
            else BillingHistory.Action.PAYMENT_RECORDED
        )
        record(
            invoice,
            actor=acting_user,
            action=action,
            payment=payment,
            amount=str(amount),
            source=source,
        )
        extensions.payment_recorded.send(
            Payment, payment=payment, invoice=invoice, actor=acting_user
        )
    return payment, True


def record_refund(
    invoice: Invoice,
    *,
    amount: Decimal,
    received_on: datetime.date,
    method: str,
    bank_reference: str = "",
    source: str = Payment.Source.MANUAL,
    external_id: str | None = None,
    acting_user: User | None,
    note: str = "",
) -> tuple[Payment, bool]:
    """Book money paid back to the buyer (`amount` positive, as written on the transfer),
    against the credit note that cancelled the invoice or against an overpaid invoice.

    Refuses (`BillingError`) to pay back more than the registration's payments exceed what it
    still owes: a refund never makes the balance owed grow. Then as `record_payment`, with the
    amount negative.
    """
    from ..selectors import payment_status  # selectors read; no cycle at import time

    amount = quantize(abs(Decimal(amount)), invoice.currency)
    status = payment_status(invoice.registration)
    if amount > status.overpaid:
        raise BillingError(
            gettext(
                "At most %(amount)s can be refunded: that is what was paid beyond what is owed."
            )
            % {"amount": f"{status.overpaid} {invoice.currency}"}
        )
    return record_payment(
        invoice,
        amount=-amount,
        received_on=received_on,
        method=method,
        bank_reference=bank_reference,
        source=source,
        external_id=external_id,
        acting_user=acting_user,
        note=note,
    )
