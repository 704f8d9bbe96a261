"""Files made from registrations: the calendar entry sent with a confirmation."""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Registration

CALENDAR_MIMETYPE = "text/calendar"


def registration_calendar(registration: Registration) -> bytes:
    """An iCalendar file with one all-day event spanning the forum's dates, in the
    registration's language.

    All-day (DATE values, DTEND the day after the last day as RFC 5545 requires) because a
    forum's programme and its local times are not fixed when delegates register, and an
    all-day entry shows the same days in every time zone.
    """
    event = registration.event
    with translation.override(registration.language):
        event_url = settings.SITE_URL + reverse("event_detail", kwargs={"slug": event.slug})
        place = ", ".join(
            part for part in (event.venue, event.city, str(event.country.name)) if part
        )
        entry = icalendar.Event()
        entry.add("uid", f"{registration.reference}@{urlsplit(settings.SITE_URL).hostname}")
        entry.add("dtstamp", timezone.now())
        entry.add("dtstart", event.start_date)
        entry.add("dtend", event.end_date + datetime.timedelta(days=1))
        entry.add("summary", event.title)
        entry.add("location", place)
        entry.add("url", event_url)
        entry.add(
            "description",
            "\n".join(
                [
                    _("Your registration reference: %(reference)s")
                    % {"reference": registration.reference},
                    event_url,
                ]
            ),
        )
        # Free, not busy: delegates plan meetings around the forum's sessions.
        entry.add("transp", "TRANSPARENT")

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//MINEX Forum//Delegate registration//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(entry)
    return calendar.to_ical()


def calendar_filename(registration: Registration) -> str:
    return f"{registration.event.slug}.ics"
