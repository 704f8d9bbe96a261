"""The buyer's e-mails: the invoice and the credit note with their PDFs, the receipt."""

import base64
from decimal import Decimal

import pytest
from django.utils import translation

from billing.models import BillingHistory, EventBilling
from mail.models import OutgoingEmail
from registrations.emails import greeting
from registrations.services import cancel_registration
from tests.billing.document_factories import make_credit_note, make_invoice, make_uk_entity, pay

pytestmark = pytest.mark.django_db


def test_issued_invoice_is_emailed_in_the_registrations_language_with_its_pdf(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(make_uk_entity(), language="ru")

    email = OutgoingEmail.objects.get(kind="billing.invoice")
    assert email.status == OutgoingEmail.Status.SENT
    assert email.recipient == invoice.buyer_email
    assert email.language == "ru"
    with translation.override("ru"):
        russian_greeting = greeting(invoice.registration)
    assert russian_greeting in email.body_text
    assert invoice.number in email.subject
    assert invoice.payment_reference_display in email.body_text
    [attachment] = email.attachments
    assert attachment["filename"] == f"invoice-{invoice.number}.pdf"
    assert attachment["mimetype"] == "application/pdf"
    pdf = base64.b64decode(attachment["content"])
    assert pdf.startswith(b"%PDF")
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as stored:
        assert stored.read() == pdf  # the very file the delegate downloads
    # On the wire: one message to the buyer, in Russian, with the PDF.
    [message] = [sent for sent in mailoutbox if sent.subject == email.subject]
    assert message.to == [invoice.buyer_email]
    assert message.extra_headers["Content-Language"] == "ru"
    assert [(name, kind) for name, _content, kind in message.attachments] == [
        (f"invoice-{invoice.number}.pdf", "application/pdf")
    ]
    assert BillingHistory.objects.filter(invoice=invoice, action="sent").count() == 1


def test_credit_note_is_emailed_with_its_pdf_and_the_fee_kept(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(make_uk_entity(), price="600.00")
    with django_capture_on_commit_callbacks(execute=True):
        credit_note = make_credit_note(invoice, fee_percent="10")

    email = OutgoingEmail.objects.get(kind="billing.credit_note")
    assert email.language == "en"
    assert credit_note.number in email.subject
    assert f"which cancels invoice {invoice.number}" in email.body_text
    assert "Amount credited: €648.00" in email.body_text
    assert "Cancellation fee kept: €72.00" in email.body_text
    [attachment] = email.attachments
    assert attachment["filename"] == f"credit-note-{credit_note.number}.pdf"
    assert base64.b64decode(attachment["content"]).startswith(b"%PDF")
    assert [message.subject for message in mailoutbox if "MINEX Europe" in message.subject][
        -2:
    ] == [
        f"Invoice {invoice.number}: MINEX Europe 2026",
        f"Credit note {credit_note.number}: MINEX Europe 2026",
    ]


def test_receipt_goes_out_once_when_the_invoice_becomes_paid_in_full(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(make_uk_entity(), price="600.00", language="ru")

    with django_capture_on_commit_callbacks(execute=True):
        pay(invoice, "500.00", "line-1")  # part of €720.00
    assert not OutgoingEmail.objects.filter(kind="billing.receipt").exists()

    with django_capture_on_commit_callbacks(execute=True):
        pay(invoice, "220.00", "line-2")  # €720.00 in all: paid (€0.00 over)
    with django_capture_on_commit_callbacks(execute=True):
        pay(invoice, "5.00", "line-3")  # an overpayment later: no second receipt

    [receipt] = OutgoingEmail.objects.filter(kind="billing.receipt")
    assert receipt.status == OutgoingEmail.Status.SENT
    assert receipt.language == "ru"
    assert receipt.recipient == invoice.buyer_email
    assert invoice.number in receipt.subject
    assert "220,00" in receipt.body_text  # the payment that settled it, in Russian format
    assert "720,00" in receipt.body_text  # paid in all
    assert mailoutbox[-1].subject == receipt.subject
    assert BillingHistory.objects.filter(invoice=invoice, action="receipt_sent").count() == 1


def test_refund_sends_no_receipt(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(make_uk_entity(), price="100.00")
        pay(invoice, "120.00", "paid")
        pay(invoice, "-120.00", "refund")

    assert OutgoingEmail.objects.filter(kind="billing.receipt").count() == 1


def test_cancelling_a_paid_registration_emails_the_credit_note_minus_the_fee(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(make_uk_entity(), price="600.00", language="ru")
    registration = invoice.registration
    EventBilling.objects.filter(event=registration.event).update(
        cancellation_fee_percent=Decimal("10")
    )
    with django_capture_on_commit_callbacks(execute=True):
        pay(invoice, "720.00", "transfer-1")

    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(registration, acting_user=registration.delegate)

    email = OutgoingEmail.objects.get(kind="billing.credit_note")
    credit_note = invoice.credit_notes.get()
    assert email.language == "ru"
    assert credit_note.number in email.subject
    assert "648,00" in email.body_text and "72,00" in email.body_text  # credited, fee kept
    [attachment] = email.attachments
    assert attachment["filename"] == f"credit-note-{credit_note.number}.pdf"


def test_cancelling_an_unpaid_registration_emails_a_full_credit_note(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(make_uk_entity(), price="600.00")
    registration = invoice.registration
    EventBilling.objects.filter(event=registration.event).update(
        cancellation_fee_percent=Decimal("10")
    )

    with django_capture_on_commit_callbacks(execute=True):
        cancel_registration(registration, acting_user=registration.delegate)

    email = OutgoingEmail.objects.get(kind="billing.credit_note")
    assert "Amount credited: €720.00" in email.body_text
    assert "Cancellation fee kept" not in email.body_text
