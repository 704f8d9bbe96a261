"""Payments, refunds and the payment status a registration shows."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from billing.models import BillingHistory, Invoice, Payment
from billing.selectors import PaymentState, payment_status, payment_statuses
from billing.services import BillingError, credit_invoice, record_payment, record_refund
from registrations.services import cancel_registration
from tests.billing.factories import invoice_of, make_billed_event, make_paid_registration
from tests.factories import make_registration

TODAY = datetime.date(2026, 11, 2)


def _pay(invoice, amount, **options):
    return record_payment(
        invoice,
        amount=Decimal(amount),
        received_on=TODAY,
        method=options.pop("method", Payment.Method.TRANSFER),
        acting_user=None,
        **options,
    )


@pytest.mark.django_db
def test_status_goes_unpaid_partly_paid_paid_then_overpaid():
    registration = make_paid_registration(price="500.00")  # 600.00 with VAT
    invoice = invoice_of(registration)
    assert payment_status(registration).state == PaymentState.UNPAID
    assert payment_status(registration).underpaid == Decimal("600")

    _pay(invoice, "250.00")
    status = payment_status(registration)
    assert (status.state, status.paid, status.underpaid) == (
        PaymentState.PARTLY_PAID,
        Decimal("250"),
        Decimal("350"),
    )

    _pay(invoice, "350.00")
    assert payment_status(registration).state == PaymentState.PAID
    assert payment_status(registration).balance == 0

    _pay(invoice, "20.00")
    status = payment_status(registration)
    assert (status.state, status.overpaid) == (PaymentState.PAID, Decimal("20"))
    assert invoice.history.filter(action=BillingHistory.Action.PAYMENT_RECORDED).count() == 3


@pytest.mark.django_db
def test_registration_without_issued_invoice_is_not_invoiced():
    draft_only = make_paid_registration(requires_approval=True)
    assert payment_status(draft_only).state == PaymentState.NOT_INVOICED


@pytest.mark.django_db
def test_same_external_id_books_once():
    invoice = invoice_of(make_paid_registration())

    first, created = _pay(invoice, "100", external_id="stmt:abc123", source="statement")
    again, created_again = _pay(invoice, "100", external_id="stmt:abc123", source="statement")

    assert created and not created_again and again.pk == first.pk
    assert Payment.objects.filter(invoice=invoice).count() == 1


@pytest.mark.django_db(transaction=True)
def test_same_external_id_from_two_threads_at_once_books_once():
    invoice = invoice_of(make_paid_registration())
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def deliver():
        try:
            barrier.wait(timeout=30)
            outcomes.append(_pay(invoice, "100", external_id="evt_1", source="stripe")[1])
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == [False, False, False, True]
    assert Payment.objects.filter(external_id="evt_1").count() == 1


@pytest.mark.django_db
def test_payment_is_rounded_to_the_currency_and_refused_on_a_draft_or_for_zero():
    invoice = invoice_of(make_paid_registration())
    payment, _ = _pay(invoice, "10.005")
    assert payment.amount == Decimal("10.01")

    with pytest.raises(BillingError):
        _pay(invoice, "0.001")
    draft = invoice_of(make_paid_registration(requires_approval=True))
    with pytest.raises(BillingError):
        _pay(draft, "10")


@pytest.mark.django_db
def test_cancelling_a_paid_registration_credits_it_minus_the_events_fee():
    event = make_billed_event(cancellation_fee_percent=Decimal("10"))
    registration = make_paid_registration(event, price="600.00")  # 720.00 gross
    invoice = invoice_of(registration)
    _pay(invoice, "720.00")

    cancel_registration(registration, acting_user=registration.delegate)

    credit_note = invoice.credit_notes.get()
    assert credit_note.status == Invoice.Status.ISSUED and credit_note.number
    # -720 for the invoice, +72 for the 10% fee (60 net + 12 VAT).
    assert (credit_note.net, credit_note.vat, credit_note.gross) == (
        Decimal("-540"),
        Decimal("-108"),
        Decimal("-648"),
    )
    status = payment_status(registration)
    assert (status.invoiced, status.overpaid) == (Decimal("72"), Decimal("648"))

    record_refund(
        credit_note,
        amount=Decimal("648"),
        received_on=TODAY,
        method=Payment.Method.TRANSFER,
        acting_user=None,
    )
    status = payment_status(registration)
    assert (status.state, status.balance, status.refunded) == (
        PaymentState.REFUNDED,
        Decimal("0"),
        Decimal("648"),
    )


@pytest.mark.django_db
def test_cancelling_an_unpaid_registration_credits_it_in_full():
    event = make_billed_event(cancellation_fee_percent=Decimal("10"))
    registration = make_paid_registration(event)

    cancel_registration(registration, acting_user=registration.delegate)

    credit_note = invoice_of(registration).credit_notes.get()
    assert credit_note.gross == -invoice_of(registration).gross
    assert payment_status(registration).state == PaymentState.CREDITED


@pytest.mark.django_db
def test_refund_beyond_what_was_overpaid_is_refused():
    registration = make_paid_registration(price="100.00")
    invoice = invoice_of(registration)
    _pay(invoice, "120.00")  # exactly the gross

    with pytest.raises(BillingError):
        record_refund(
            invoice, amount=Decimal("1"), received_on=TODAY, method="transfer", acting_user=None
        )


@pytest.mark.django_db
def test_an_invoice_is_credited_once():
    invoice = invoice_of(make_paid_registration())
    credit_invoice(invoice, acting_user=None)
    with pytest.raises(BillingError):
        credit_invoice(invoice, acting_user=None)


@pytest.mark.django_db
def test_statuses_for_many_registrations_take_two_queries(django_assert_num_queries):
    event = make_billed_event()
    registrations = [make_paid_registration(event) for _ in range(3)]
    free = make_registration()
    _pay(invoice_of(registrations[0]), "720")

    with django_assert_num_queries(2):
        statuses = payment_statuses([r.pk for r in [*registrations, free]])

    assert [statuses[r.pk].state for r in registrations] == ["paid", "unpaid", "unpaid"]
    assert statuses[free.pk].state == PaymentState.NOT_INVOICED


@pytest.mark.django_db
def test_status_from_documents_agrees_with_payment_status():
    from billing.selectors import registration_documents, status_from_documents

    event = make_billed_event(cancellation_fee_percent=Decimal("10"))
    registrations = [make_paid_registration(event) for _ in range(3)]
    _pay(invoice_of(registrations[1]), "100")
    _pay(invoice_of(registrations[2]), "720")
    cancel_registration(registrations[2], acting_user=registrations[2].delegate)

    for registration in registrations:
        documents = registration_documents(registration)
        assert status_from_documents(registration, documents) == payment_status(registration)
