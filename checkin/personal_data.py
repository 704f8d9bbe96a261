"""Check-in's part of a delegate's personal data (registered into `minex.personal_data`
from `CheckinConfig.ready()`): the scans of their registrations' badges at the doors."""

from django.utils.translation import gettext_lazy as _

from minex.personal_data import PersonalDataSource, row

from .models import Scan

SCAN_FIELDS = (
    "scanned_at", "method", "outcome", "reason", "offline", "device", "undone_at",
)  # fmt: skip


def checkin_personal_data(user) -> list:
    scans = (
        Scan.objects.filter(registration__delegate=user)
        .select_related("registration", "zone", "event")
        .order_by("scanned_at", "pk")
    )
    return [
        {
            "registration": scan.registration.reference,
            "event": str(scan.event),
            "zone": str(scan.zone),
            **row(scan, SCAN_FIELDS),
        }
        for scan in scans
    ]


def erase_checkin_personal_data(user, *, now) -> dict:
    """Scans stay as anonymous attendance (zone, outcome, times, with the anonymous
    registration); the door device's label and the badge token's hash, which could tie a
    scan to a person, are emptied."""
    emptied = Scan.objects.filter(registration__delegate=user).update(device="", token_hash="")
    return {"scans_anonymised": emptied}


SOURCE = PersonalDataSource(
    name="checkin",
    label=_("Check-in"),
    export=checkin_personal_data,
    erase=erase_checkin_personal_data,
    order=55,
    kept=_(
        "Scans at the doors are kept as anonymous attendance counts with their times; the "
        "device's label and your badge's fingerprint are removed."
    ),
)
