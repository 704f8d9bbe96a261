"""Reminders before the due date; unpaid invoices flagged after it, and cancelled where the
event chose so (the place going to the waitlist)."""

import datetime
from decimal import Decimal

import pytest

from billing.models import BillingHistory, Invoice, Payment
from billing.selectors import PaymentState, payment_status
from billing.services import flag_overdue_invoices, record_payment, send_payment_reminders
from billing.tasks import flag_overdue_invoices as flag_overdue_task
from mail.models import OutgoingEmail
from registrations.models import Registration
from tests.billing.factories import invoice_of, make_billed_event, make_paid_registration
from tests.factories import make_registration

pytestmark = pytest.mark.django_db


def _reminders():
    return OutgoingEmail.objects.filter(kind="billing.payment_reminder")


def test_reminder_goes_once_within_the_days_before_due_and_not_to_payers(
    django_capture_on_commit_callbacks,
):
    event = make_billed_event(reminder_days_before_due=3)
    unpaid = invoice_of(make_paid_registration(event))
    paid = invoice_of(make_paid_registration(event))
    record_payment(
        paid, amount=paid.gross, received_on=paid.issued_on, method="card", acting_user=None
    )

    assert send_payment_reminders(today=unpaid.due_on - datetime.timedelta(days=4)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert send_payment_reminders(today=unpaid.due_on - datetime.timedelta(days=3)) == 1
    assert send_payment_reminders(today=unpaid.due_on - datetime.timedelta(days=2)) == 0

    reminder = _reminders().get()
    assert reminder.recipient == unpaid.buyer_email
    assert unpaid.number in reminder.subject
    assert unpaid.payment_reference_display in reminder.body_text
    assert unpaid.history.filter(action=BillingHistory.Action.REMINDER_SENT).count() == 1


def test_overdue_invoice_is_flagged_and_the_registration_kept_by_default():
    registration = make_paid_registration()
    invoice = invoice_of(registration)

    assert flag_overdue_invoices(today=invoice.due_on) == 0
    assert flag_overdue_invoices(today=invoice.due_on + datetime.timedelta(days=1)) == 1

    invoice.refresh_from_db()
    registration.refresh_from_db()
    assert invoice.overdue_since is not None
    assert payment_status(registration).overdue
    assert registration.status == Registration.Status.CONFIRMED


def test_auto_cancel_frees_the_place_for_the_waitlist_and_credits_in_full():
    event = make_billed_event(auto_cancel_unpaid=True, cancellation_fee_percent=Decimal("10"))
    event.capacity = 1
    event.save(update_fields=["capacity"])
    unpaid = make_paid_registration(event)
    waiting = make_registration(unpaid.category)
    assert waiting.status == Registration.Status.WAITLISTED
    invoice = invoice_of(unpaid)

    flag_overdue_invoices(today=invoice.due_on + datetime.timedelta(days=1))

    unpaid.refresh_from_db()
    waiting.refresh_from_db()
    assert unpaid.status == Registration.Status.CANCELLED
    assert waiting.status == Registration.Status.CONFIRMED
    assert invoice.credit_notes.get().gross == -invoice.gross  # nothing paid: no fee
    assert payment_status(unpaid).state == PaymentState.CREDITED
    assert invoice.history.filter(action=BillingHistory.Action.AUTO_CANCELLED).exists()


def test_partly_paid_overdue_is_flagged_and_a_paid_one_is_not():
    event = make_billed_event()
    partly = invoice_of(make_paid_registration(event))
    paid = invoice_of(make_paid_registration(event))
    for invoice, amount in ((partly, Decimal("100")), (paid, paid.gross)):
        record_payment(
            invoice,
            amount=amount,
            received_on=invoice.issued_on,
            method=Payment.Method.TRANSFER,
            acting_user=None,
        )

    flag_overdue_invoices(today=partly.due_on + datetime.timedelta(days=1))

    flagged = set(Invoice.objects.filter(overdue_since__isnull=False).values_list("pk", flat=True))
    assert flagged == {partly.pk}


def test_beat_task_runs_the_service():
    assert flag_overdue_task.apply().get() == 0
