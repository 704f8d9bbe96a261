"""Billing's models: who issues (entities, bank accounts, per-event rules), the documents
(invoices and credit notes, their lines and numbering), and the money (payments, history)."""

from .documents import DocumentRender
from .entities import BankAccount, EventBilling, EventIssuer, IssuingEntity
from .invoices import BillingDetails, Invoice, InvoiceLine, InvoiceSequence
from .payments import BillingHistory, Payment
from .statements import (
    BankStatement,
    ProviderEvent,
    StatementAllocation,
    StatementFormat,
    StatementLine,
    StatementSettings,
)

__all__ = [
    "BankAccount",
    "BankStatement",
    "BillingDetails",
    "BillingHistory",
    "DocumentRender",
    "EventBilling",
    "EventIssuer",
    "Invoice",
    "InvoiceLine",
    "InvoiceSequence",
    "IssuingEntity",
    "Payment",
    "ProviderEvent",
    "StatementAllocation",
    "StatementFormat",
    "StatementLine",
    "StatementSettings",
]
