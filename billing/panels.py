"""Billing's sections on other apps' pages (registrations.extensions)."""

from registrations.extensions import DetailPanel

from .providers.panel import payment_options
from .selectors import event_totals, registration_documents, status_from_documents


def _dashboard_context(request, event) -> dict | None:
    totals = event_totals(event)
    if not totals:
        return None
    return {
        "totals": totals,
        "may_see_documents": request.user.has_perm("billing.view_billing"),
    }


DASHBOARD_TOTALS = DetailPanel(
    template="billing/_dashboard_totals.html", context=_dashboard_context, order=50
)


def _registration_context(request, registration) -> dict | None:
    if not registration.price:
        return None
    documents = registration_documents(registration)
    if not documents:
        return None
    open_invoice = next(
        (d for d in reversed(documents) if d.kind == d.Kind.INVOICE and d.payment_reference),
        None,
    )
    status = status_from_documents(registration, documents)
    return {
        "documents": documents,
        "status": status,
        "open_invoice": open_invoice,
        # Bank details and "Pay by card" (billing/providers): one query, only while owed.
        "how_to_pay": payment_options(open_invoice, owed=status.underpaid)
        if open_invoice and status.underpaid
        else None,
    }


# The delegate's registration page: what they owe, how to quote the payment, their documents.
REGISTRATION_PAYMENT = DetailPanel(
    template="billing/_registration_payment.html", context=_registration_context, order=20
)
