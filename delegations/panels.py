"""The delegation's section on a member's registration page (`registrations.extensions`)."""

from registrations.extensions import DetailPanel

from . import selectors


def _delegation_panel_context(request, registration) -> dict | None:
    member = selectors.membership(registration)
    if member is None:
        return None
    return {"member": member, "delegation": member.delegation}


DELEGATION_PANEL = DetailPanel(
    template="delegations/_panel.html", context=_delegation_panel_context, order=20
)
