"""Billing's own e-mails, queued through the outbox (`mail.services`) in the caller's
transaction and rendered after commit in the buyer's language: the payment reminder before
the due date. (Invoices, credit notes and receipts are sent with their PDFs by the documents
part of billing, hanging off `billing.extensions`.)"""

from django.conf import settings
from django.urls import reverse

from mail.services import EmailIntent, queue_emails_to_render

from .models import Invoice
from .selectors import payment_status

TEMPLATE_DIR = "billing/emails"
CONTEXT_BUILDER = "billing.invoice"


def send_payment_reminder(invoice: Invoice) -> None:
    """Remind the buyer that `invoice` falls due soon, with what is still owed, the payment
    reference and the due date; in the registration's language."""
    registration = invoice.registration
    queue_emails_to_render(
        [
            EmailIntent(
                to=invoice.buyer_email,
                language=registration.language,
                kind="billing.payment_reminder",
                template=f"{TEMPLATE_DIR}/payment_reminder",
                builder=CONTEXT_BUILDER,
                context={"invoice": invoice.pk},
                related=registration,
                reply_to=registration.event.secretariat_address,
            )
        ]
    )


def build_context(values: dict) -> tuple[dict, tuple]:
    """The reminder's context from its intent's JSON `values` (run after commit)."""
    invoice = Invoice.objects.select_related("registration__event", "entity").get(
        pk=values["invoice"]
    )
    registration = invoice.registration
    return {
        "invoice": invoice,
        "registration": registration,
        "event": registration.event,
        "status": payment_status(registration),
        "registration_url": settings.SITE_URL
        + reverse("registration_detail", args=[registration.reference]),
        "secretariat_email": registration.event.secretariat_address,
    }, ()
