"""Add-ons' part of a delegate's personal data (registered into `minex.personal_data` from
`AddonsConfig.ready()`): their bookings, with the PPE size and the passport name a site visit
asks for (special personal data), and each booking's history."""

from django.utils.translation import gettext_lazy as _

from minex.personal_data import PersonalDataSource, plain, row

from .models import AddOnBooking, AddOnBookingHistory

BOOKING_FIELDS = (
    "status", "price", "currency", "ppe_size", "passport_name", "waitlisted_at", "created_at",
    "updated_at",
)  # fmt: skip


def addons_personal_data(user) -> list:
    bookings = (
        AddOnBooking.objects.filter(registration__delegate=user)
        .select_related("registration", "add_on")
        .prefetch_related("history")
        .order_by("created_at", "pk")
    )
    return [
        {
            "registration": booking.registration.reference,
            "add_on": booking.add_on.name,
            **row(booking, BOOKING_FIELDS),
            "history": [
                {
                    "at": plain(entry.at),
                    "action": entry.action,
                    "from_status": entry.from_status,
                    "to_status": entry.to_status,
                    "reason": entry.reason,
                }
                for entry in sorted(booking.history.all(), key=lambda e: (e.at, e.pk))
            ],
        }
        for booking in bookings
    ]


def erase_addons_personal_data(user, *, now) -> dict:
    """Bookings stay (the add-on's places and the invoice count them) without the PPE size
    and passport name; their history keeps actions, statuses and times, without reasons or
    changed values."""
    bookings = AddOnBooking.objects.filter(registration__delegate=user)
    emptied = bookings.update(ppe_size="", passport_name="", updated_at=now)
    AddOnBookingHistory.objects.filter(booking__registration__delegate=user).update(
        reason="", details={}
    )
    return {"add_on_bookings_emptied": emptied}


SOURCE = PersonalDataSource(
    name="addons",
    label=_("Add-ons"),
    export=addons_personal_data,
    erase=erase_addons_personal_data,
    order=44,
    kept=_(
        "Bookings are kept as anonymous counts (add-on, status, price, dates); your PPE size "
        "and the name as in your passport are wiped."
    ),
)
