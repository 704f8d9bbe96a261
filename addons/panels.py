"""Add-ons' section of the delegate's registration page (registrations.extensions)."""

from registrations.extensions import DetailPanel
from registrations.models import Registration

from .forms import BookAddOnsForm
from .selectors import registration_bookings, waitlist_positions
from .services import REGISTRATION_STATUSES_THAT_BOOK


def registration_context(request, registration, *, form=None) -> dict | None:
    """The bookings (with waitlist positions) and a form for the add-ons still on offer;
    nothing when the event offers none to this registration and it has none."""
    bookings = registration_bookings(registration)
    positions = waitlist_positions(bookings)
    for booking in bookings:
        booking.waitlist_position = positions.get(booking.pk)
    may_book = registration.status in REGISTRATION_STATUSES_THAT_BOOK
    if form is None and may_book:
        form = BookAddOnsForm(
            registration=registration, booked_ids=[booking.add_on_id for booking in bookings]
        )
    if not bookings and not (form is not None and form.add_ons):
        return None
    return {
        "bookings": bookings,
        "form": form if may_book and form.add_ons else None,
        "may_cancel": registration.status in Registration.ACTIVE_STATUSES,
    }


REGISTRATION_ADD_ONS = DetailPanel(
    template="addons/_registration_add_ons.html", context=registration_context, order=30
)


def _confirmation_context(request, registration) -> dict | None:
    bookings = registration_bookings(registration)
    if not bookings:
        return None
    positions = waitlist_positions(bookings)
    for booking in bookings:
        booking.waitlist_position = positions.get(booking.pk)
    return {"bookings": bookings, "may_cancel": False}


# The thank-you page: the add-ons just booked, confirmed or on their waitlist.
CONFIRMATION_ADD_ONS = DetailPanel(
    template="addons/_confirmation_add_ons.html", context=_confirmation_context, order=30
)
