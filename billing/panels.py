"""Billing's sections on other apps' pages (registrations.extensions)."""

from registrations.extensions import DetailPanel

from .selectors import event_totals


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
