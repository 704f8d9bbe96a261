"""Billing in the admin: entities and bank accounts, each event's billing rules and issuers,
invoices and credit notes (read-only once issued, with a record-a-payment page), payments,
bank statements (`billing/statements/admin.py`).

Everything needs `billing.view_billing` (the Secretariat) besides the model permission, and
everything about an event is scoped with `events.selectors.events_visible_to`."""

from ..providers import admin as providers  # Stripe's notifications, read-only
from ..statements import admin as statements  # bank statements: upload, review, apply
from . import documents, setup

__all__ = ["documents", "providers", "setup", "statements"]
