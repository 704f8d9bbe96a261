"""The delegate's "How to pay" section on their registration page (a `DetailPanel`): for
each invoice still owing, the transfer details and, when card payment is on, a button."""

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from registrations.extensions import DetailPanel

from ..models import BankAccount, Invoice
from ..statements.selectors import with_outstanding
from . import PROVIDERS
from .bank_transfer import transfer_instructions
from .base import TransferInstructions


@dataclass(frozen=True)
class OwedInvoice:
    invoice: Invoice
    owed: Decimal
    transfer: TransferInstructions | None
    card_url: str


def payment_panel_context(request, registration) -> dict | None:
    """None (no section) unless an issued invoice of this registration is still owed. Two
    queries: the owed invoices, and the entity's accounts."""
    owed = list(
        with_outstanding(
            Invoice.objects.filter(
                registration=registration,
                kind=Invoice.Kind.INVOICE,
                status=Invoice.Status.ISSUED,
            ).select_related("entity")
        )
        .filter(outstanding__gt=0)
        .order_by("pk")
    )
    if not owed:
        return None
    accounts = {}
    for account in BankAccount.objects.filter(
        entity__in={invoice.entity_id for invoice in owed}
    ).order_by("-is_default", "pk"):
        accounts.setdefault((account.entity_id, account.currency), account)
    card = PROVIDERS["stripe"].is_enabled()
    rows = []
    for invoice in owed:
        account = accounts.get((invoice.entity_id, invoice.currency))
        transfer = transfer_instructions(invoice, account, invoice.outstanding) if account else None
        card_url = (
            reverse("billing_pay_by_card", args=[registration.reference, invoice.pk])
            if card
            else ""
        )
        rows.append(OwedInvoice(invoice, invoice.outstanding, transfer, card_url))
    return {"owed_invoices": rows}


PAYMENT_PANEL = DetailPanel(
    template="billing/providers/_payment_panel.html",
    context=payment_panel_context,
    order=60,
)
