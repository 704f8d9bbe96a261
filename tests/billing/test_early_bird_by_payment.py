"""Early bird by payment date (docs/pricing.md): priced early bird when registered before the
deadline, kept only if paid by it; unpaid after it, re-priced at the full price with a credit
note and a new invoice (billing never changes an issued invoice)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import Invoice, Payment
from billing.services import lapse_unpaid_early_birds, record_payment
from pricing.models import EventPricing
from tests.billing.factories import invoice_of, make_billed_event, make_paid_registration

pytestmark = pytest.mark.django_db


def _early_bird_registration(*, by_payment=True):
    event = make_billed_event()  # 20 % VAT
    if by_payment:
        EventPricing.objects.create(event=event, early_bird_by_payment=True)
    deadline = timezone.now() + datetime.timedelta(days=10)
    registration = make_paid_registration(
        event, price="500.00", early_bird_price=Decimal("450.00"), early_bird_deadline=deadline
    )
    return registration, deadline


def _pay(invoice, amount, day):
    record_payment(
        invoice, amount=Decimal(amount), received_on=day,
        method=Payment.Method.TRANSFER, acting_user=None,
    )  # fmt: skip


# (case, by payment date, paid before the deadline, re-priced, price, invoices' gross)
CASES = {
    "paid in full before the deadline keeps the discount": (
        True, "540.00", False, "450.00", ["540.00"]),
    "unpaid after it goes to full price, credit note and new invoice": (
        True, None, True, "500.00", ["540.00", "-540.00", "600.00"]),
    "partly paid is re-priced too (the payment stays on the credited invoice)": (
        True, "100.00", True, "500.00", ["540.00", "-540.00", "600.00"]),
    "an event deciding by registration date keeps the early bird": (
        False, None, False, "450.00", ["540.00"]),
}  # fmt: skip


@pytest.mark.parametrize(
    ("by_payment", "paid", "repriced", "price", "documents"), CASES.values(), ids=CASES.keys()
)
def test_early_bird_by_payment_date(by_payment, paid, repriced, price, documents):
    registration, deadline = _early_bird_registration(by_payment=by_payment)
    first = invoice_of(registration)
    assert registration.price == Decimal("450.00") and first.status == Invoice.Status.ISSUED
    if by_payment:
        assert first.due_on <= deadline.date()
    if paid:
        _pay(first, paid, timezone.localdate())

    assert lapse_unpaid_early_birds(now=deadline - datetime.timedelta(minutes=1)) == 0
    assert lapse_unpaid_early_birds(now=deadline + datetime.timedelta(hours=1)) == int(repriced)

    registration.refresh_from_db()
    assert registration.price == Decimal(price)
    assert registration.early_bird is not repriced
    documents_made = Invoice.objects.filter(registration=registration).order_by("pk")
    assert [document.gross for document in documents_made] == [Decimal(d) for d in documents]
    if repriced:
        first, credit_note, second = documents_made
        assert credit_note.kind == Invoice.Kind.CREDIT_NOTE and credit_note.credits_id == first.pk
        assert second.status == Invoice.Status.ISSUED and second.number != first.number
        assert [line.net for line in second.lines.order_by("position")] == [Decimal("500.00")]
    # A second sweep changes nothing.
    assert lapse_unpaid_early_birds(now=deadline + datetime.timedelta(hours=2)) == 0
