"""Check-in's section on the event dashboard (registrations.extensions): admitted and expected
per zone, admissions per hour, refreshed by `static/checkin/live.js` from `checkin:live`."""

from django.urls import reverse

from registrations.extensions import DetailPanel

from .selectors import live_numbers, may_read_numbers, may_scan


def _dashboard_context(request, event) -> dict | None:
    if not may_read_numbers(request.user):
        return None
    return {
        "live": live_numbers(event),
        "live_url": reverse("checkin:live", args=[event.pk]),
        "page_url": reverse("checkin:page", args=[event.pk]) if may_scan(request.user) else "",
    }


DASHBOARD_LIVE = DetailPanel(
    template="checkin/panels/live.html", context=_dashboard_context, order=40
)
