"""The buyer's e-mails about documents, through the outbox, in the registration's language:
the invoice or credit note with its PDF attached, and the receipt once an invoice is paid."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from mail.services import EmailAttachment, EmailIntent, queue_email, queue_emails_to_render

from ..models import BillingHistory, Invoice, Payment
from .pdf import fee_kept, pdf_filename

TEMPLATE_DIR = "billing/documents/emails"
RECEIPT_BUILDER = "billing.documents.receipt"


def _registration_url(registration) -> str:
    with translation.override(registration.language):
        path = reverse("registration_detail", args=[registration.reference])
    return settings.SITE_URL + path


def send_document(invoice: Invoice, pdf: bytes) -> None:
    """Queue `invoice` (or a credit note) to its buyer with its PDF attached.

    Called by the PDF job in the worker, after the commit that issued the document, so it
    renders at once (`queue_email`): the outbox row carries the PDF's bytes, and every attempt
    sends the same message. Side effects, in order: the outbox row; a "sent" history row.
    """
    registration = invoice.registration
    event = registration.event
    name = "credit_note" if invoice.is_credit_note else "invoice"
    context = {
        "invoice": invoice,
        "registration": registration,
        "event": event,
        "registration_url": _registration_url(registration),
        "secretariat_email": event.secretariat_address,
    }
    if invoice.is_credit_note:
        context["fee_kept"] = fee_kept(invoice)
        context["credited_amount"] = -invoice.gross
    email = queue_email(
        to=invoice.buyer_email,
        language=registration.language,
        kind=f"billing.{name}",
        template=f"{TEMPLATE_DIR}/{name}",
        context=context,
        related=registration,
        reply_to=event.secretariat_address,
        attachments=[EmailAttachment(pdf_filename(invoice), pdf, "application/pdf")],
    )
    BillingHistory.objects.create(
        invoice=invoice,
        action=BillingHistory.Action.SENT,
        details={"email": email.pk, "to": invoice.buyer_email, "language": email.language},
    )


def paid_total(invoice: Invoice) -> Decimal:
    """What has been received against `invoice`, refunds deducted."""
    return invoice.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def send_receipt_if_paid(payment: Payment, *, actor=None) -> bool:
    """If `payment` (just recorded) is the one that makes its invoice paid in full, queue the
    receipt e-mail; return whether it did.

    Runs inside the transaction that recorded the payment (billing's `payment_recorded`), with
    the invoice's row locked there: the receipt is an intent rendered after commit, so nothing
    is rendered under the lock. A refund, a part payment, or a payment on an invoice that was
    already paid sends nothing. Side effects, in order: the outbox row; a history row.
    """
    invoice = payment.invoice
    if invoice.kind != Invoice.Kind.INVOICE or payment.amount <= 0:
        return False
    total = paid_total(invoice)
    if not (total >= invoice.gross > total - payment.amount):
        return False
    registration = invoice.registration
    queue_emails_to_render(
        [
            EmailIntent(
                to=invoice.buyer_email,
                language=registration.language,
                kind="billing.receipt",
                template=f"{TEMPLATE_DIR}/receipt",
                builder=RECEIPT_BUILDER,
                context={"invoice": invoice.pk, "payment": payment.pk},
                related=registration,
                reply_to=registration.event.secretariat_address,
            )
        ]
    )
    BillingHistory.objects.create(
        invoice=invoice,
        payment=payment,
        actor=actor,
        action=BillingHistory.Action.RECEIPT_SENT,
        details={"to": invoice.buyer_email, "language": registration.language},
    )
    return True


def build_receipt_context(values: dict) -> tuple[dict, tuple]:
    """The receipt's context from its intent (run after commit, in the e-mail's language)."""
    invoice = Invoice.objects.select_related("registration__event", "entity").get(
        pk=values["invoice"]
    )
    payment = Payment.objects.get(pk=values["payment"])
    registration = invoice.registration
    return {
        "invoice": invoice,
        "payment": payment,
        "paid_total": paid_total(invoice),
        "registration": registration,
        "event": registration.event,
        "registration_url": _registration_url(registration),
        "secretariat_email": registration.event.secretariat_address,
    }, ()
