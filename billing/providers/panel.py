"""How the delegate may pay what they owe, shown inside billing's "Payment" section of
their registration page (`billing.panels`): the transfer details of the issuing entity's
account in the invoice's currency and, when card payment is on, the "Pay by card" button."""

from decimal import Decimal

from django.urls import reverse

from ..models import Invoice
from . import PROVIDERS
from .bank_transfer import receiving_account, transfer_instructions


def payment_options(invoice: Invoice, *, owed: Decimal) -> dict:
    """For `owed` on `invoice`: `transfer` (instructions, or None without an account) and
    `card_url` ("" while card payment is off). One query (the account)."""
    account = receiving_account(invoice)
    card_url = ""
    if PROVIDERS["stripe"].is_enabled():
        card_url = reverse("billing_pay_by_card", args=[invoice.registration.reference, invoice.pk])
    return {
        "transfer": transfer_instructions(invoice, account, owed) if account else None,
        "card_url": card_url,
    }
