"""An issued document is never edited or deleted: the database refuses, whoever asks."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction

from billing.models import Invoice, InvoiceLine, Payment
from billing.services import record_payment
from tests.billing.factories import invoice_of, make_paid_registration

pytestmark = pytest.mark.django_db


def _refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except IntegrityError as error:
        return "cannot be" in str(error) or "never changed" in str(error)
    return False


def _delete_row(table: str, pk: int) -> None:
    # Raw SQL: the ORM's own PROTECT checks would refuse first; this is the database's word.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 (our names)


def test_issued_invoice_amounts_buyer_and_number_cannot_be_changed():
    invoice = invoice_of(make_paid_registration())

    rows = Invoice.objects.filter(pk=invoice.pk)
    assert _refused(lambda: rows.update(gross=1))
    assert _refused(lambda: rows.update(buyer_name="Someone else"))
    assert _refused(lambda: rows.update(number="X-1"))

    invoice.refresh_from_db()
    assert invoice.buyer_name != "Someone else"


def test_issued_invoice_cannot_be_deleted_nor_its_lines_touched():
    invoice = invoice_of(make_paid_registration())
    line = invoice.lines.get()

    assert _refused(lambda: _delete_row("billing_invoice", invoice.pk))
    assert _refused(lambda: InvoiceLine.objects.filter(pk=line.pk).update(net=0))
    assert _refused(lambda: _delete_row("billing_invoiceline", line.pk))
    assert _refused(
        lambda: InvoiceLine.objects.create(
            invoice=invoice, description={"en": "Extra"}, unit_price=1, net=1, vat=0, gross=1
        )
    )
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_issued_invoice_still_takes_its_pdf_and_reminder_marks():
    invoice = invoice_of(make_paid_registration())

    invoice.pdf.save("invoice.pdf", ContentFile(b"%PDF-1.7"), save=False)
    Invoice.objects.filter(pk=invoice.pk).update(pdf=invoice.pdf.name)
    invoice.save(update_fields=["reminder_sent_at"])

    invoice.refresh_from_db()
    assert invoice.pdf.name.endswith(".pdf")


def test_draft_can_still_be_corrected():
    invoice = invoice_of(make_paid_registration(requires_approval=True))

    Invoice.objects.filter(pk=invoice.pk).update(buyer_name="Corrected Name")

    invoice.refresh_from_db()
    assert invoice.buyer_name == "Corrected Name"


def test_payments_are_never_changed_or_deleted():
    invoice = invoice_of(make_paid_registration())
    payment, _ = record_payment(
        invoice,
        amount=100,
        received_on=datetime.date(2026, 1, 5),
        method=Payment.Method.TRANSFER,
        acting_user=None,
    )

    assert _refused(lambda: Payment.objects.filter(pk=payment.pk).update(amount=1))
    assert _refused(lambda: _delete_row("billing_payment", payment.pk))
