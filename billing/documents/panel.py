"""The delegate's "Invoices" section on their registration page (a `DetailPanel`)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from registrations.extensions import DetailPanel

from ..models import Invoice, Payment


@dataclass(frozen=True)
class DocumentRow:
    invoice: Invoice
    paid: Decimal
    status: str
    owing: bool
    download_url: str


def _status(invoice: Invoice, paid: Decimal, credited: bool) -> str:
    if invoice.is_credit_note:
        return str(_("Credit note"))
    if credited:
        return str(_("Credited"))
    if paid >= invoice.gross:
        return str(_("Paid"))
    if paid > 0:
        return str(_("Partly paid"))
    return str(_("Unpaid"))


def documents_panel_context(request, registration) -> dict | None:
    """The registration's issued documents with what was paid on each; a note while the
    invoice waits for approval; None (no section) for a registration without any. One
    query."""
    amount = DecimalField(max_digits=14, decimal_places=3)
    paid = (
        Payment.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    credit_notes = Invoice.objects.filter(credits=OuterRef("pk"), status=Invoice.Status.ISSUED)
    documents = list(
        Invoice.objects.filter(registration=registration)
        .exclude(status=Invoice.Status.DISCARDED)
        .annotate(paid=Coalesce(Subquery(paid), Value(Decimal("0")), output_field=amount))
        .annotate(credited=Exists(credit_notes))
        .order_by("created_at", "pk")
    )
    if not documents:
        return None
    rows = []
    for document in documents:
        if not document.is_issued:
            continue
        paid = document.paid
        rows.append(
            DocumentRow(
                invoice=document,
                paid=paid,
                status=_status(document, paid, document.credited),
                owing=not (document.is_credit_note or document.credited) and paid < document.gross,
                download_url=reverse(
                    "billing_document_download", args=[registration.reference, document.pk]
                ),
            )
        )
    return {
        "documents": rows,
        "awaiting_approval": any(not document.is_issued for document in documents),
    }


DOCUMENTS_PANEL = DetailPanel(
    template="billing/documents/_registration_panel.html",
    context=documents_panel_context,
    order=50,
)
