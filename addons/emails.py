"""Add-on e-mails to the delegate, queued through the outbox (`mail.services`) in the caller's
transaction and rendered after commit in the registration's language: the bookings just made
(confirmed or on the waitlist, with the position), a cancellation, and "a place came free"."""

from django.conf import settings
from django.urls import reverse

from mail.services import EmailIntent, queue_emails_to_render
from registrations.models import Registration

from .models import AddOnBooking

TEMPLATE_DIR = "addons/emails"
CONTEXT_BUILDER = "addons.booking"


def send_booking_email(registration: Registration, bookings) -> None:
    """The bookings just made for `registration`, each with its status."""
    _queue(registration, "booked", bookings)


def send_cancelled_email(registration: Registration, bookings) -> None:
    """The bookings just cancelled."""
    _queue(registration, "cancelled", bookings)


def send_promoted_email(booking: AddOnBooking) -> None:
    """A place came free on the add-on and the booking is confirmed now."""
    _queue(booking.registration, "promoted", [booking])


def _queue(registration: Registration, template: str, bookings) -> None:
    queue_emails_to_render(
        [
            EmailIntent(
                to=registration.email,
                language=registration.language,
                kind=f"addons.{template}",
                template=f"{TEMPLATE_DIR}/{template}",
                builder=CONTEXT_BUILDER,
                context={
                    "registration": registration.pk,
                    "bookings": [booking.pk for booking in bookings],
                },
                related=registration,
                reply_to=registration.event.secretariat_address,
            )
        ]
    )


def build_context(values: dict) -> tuple[dict, tuple]:
    """The context from the intent's JSON `values` (run after commit, in its language)."""
    from .selectors import waitlist_positions

    registration = Registration.objects.select_related("event__forum").get(
        pk=values["registration"]
    )
    bookings = list(
        AddOnBooking.objects.filter(pk__in=values["bookings"])
        .select_related("add_on")
        .order_by("add_on__position", "add_on_id")
    )
    positions = waitlist_positions(bookings)
    for booking in bookings:
        booking.waitlist_position = positions.get(booking.pk)
    return {
        "registration": registration,
        "event": registration.event,
        "bookings": bookings,
        "registration_url": settings.SITE_URL
        + reverse("registration_detail", args=[registration.reference]),
        "secretariat_email": registration.event.secretariat_address,
    }, ()
