"""The delegate's ticket: the QR on the registration page (a panel) and a printable page.

Only confirmed registrations have a ticket; another delegate's registration is a 404
(`registrations.selectors.get_delegate_registration`), and so is an unconfirmed one.
"""

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from registrations.extensions import DetailPanel
from registrations.models import Registration
from registrations.selectors import get_delegate_registration

from . import selectors
from .tokens import badge_token


def qr_svg(badge, *, title: str, scale: int) -> str:
    """The badge's QR as an inline SVG element, `scale` pixels a module, with width and
    height attributes (no style attribute: the page's CSP allows none)."""
    return mark_safe(  # noqa: S308  (segno's own markup; the token is url-safe base64)
        segno.make(badge_token(badge), error="m").svg_inline(
            scale=scale, border=4, svgclass="ticket__qr", title=title, dark="#000", light="#fff"
        )
    )


def _ticket_panel_context(request, registration: Registration) -> dict | None:
    if registration.status != Registration.Status.CONFIRMED:
        return None
    badge = selectors.badge_of(registration)
    if badge is None:
        return None
    return {
        "qr": qr_svg(badge, title=registration.reference, scale=4),
        "ticket_url": reverse("badges:ticket", args=[registration.reference]),
    }


ticket_panel = DetailPanel(
    template="badges/ticket_panel.html", context=_ticket_panel_context, order=50
)


@require_GET
@login_required
def ticket(request, reference):
    """A printable ticket with the QR code, for the delegate's own confirmed registration."""
    registration = get_delegate_registration(request.user, reference)
    badge = selectors.badge_of(registration)
    if registration.status != Registration.Status.CONFIRMED or badge is None:
        raise Http404
    return render(
        request,
        "badges/ticket.html",
        {"registration": registration, "qr": qr_svg(badge, title=registration.reference, scale=6)},
    )
