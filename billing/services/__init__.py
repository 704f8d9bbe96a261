"""Billing's writes and rules (docstrings on each): making and issuing invoices, crediting
them, recording payments and refunds, reminders and overdue handling."""

from .credits import credit_invoice, settle_cancelled_registration
from .early_bird import lapse_early_bird, lapse_unpaid_early_birds
from .invoicing import (
    BillingError,
    VatTreatment,
    discard_draft,
    due_date,
    event_billing,
    invoice_registration,
    issue_invoice,
    save_billing_details,
    vat_treatment,
)
from .overdue import flag_overdue_invoices, send_payment_reminders
from .payments import record_payment, record_refund

__all__ = [
    "BillingError",
    "VatTreatment",
    "credit_invoice",
    "discard_draft",
    "due_date",
    "event_billing",
    "flag_overdue_invoices",
    "invoice_registration",
    "lapse_early_bird",
    "lapse_unpaid_early_birds",
    "issue_invoice",
    "record_payment",
    "record_refund",
    "save_billing_details",
    "send_payment_reminders",
    "settle_cancelled_registration",
    "vat_treatment",
]
