"""Times as the host city reads them: every public page and e-mail shows a moment (a
registration window, an early-bird deadline, a history entry) on the event's clock, with the
zone named, through this one module.

    {% load event_time %}
    {% event_time event.registration_closes_at event %}         <time datetime="…">…</time>
    {% event_time event.registration_closes_at event as closes %}  (for blocktranslate)
    {{ event.registration_closes_at|event_time_text:event }}   plain text, for text e-mails

A delegate in London reading "closes on 19 April" for a deadline of 01:00 on 20 April in
Almaty would miss it, hence the local date and time and the zone both, never UTC alone.
"""

import datetime

from django import template
from django.utils import formats
from django.utils.html import format_html

from events.models import Event

register = template.Library()

# Day, month and year as the site writes dates ("20 April 2026", Russian "20 апреля 2026":
# Django's `E` is the month's form inside a date), then the 24-hour time.
DATE_AND_TIME_FORMAT = "j E Y, H:i"


def event_local_time(value: datetime.datetime, event: Event) -> datetime.datetime:
    """The aware moment `value` on the event's wall clock."""
    return value.astimezone(event.tz)


def zone_label(local: datetime.datetime, event: Event) -> str:
    """The zone by its IANA name and its offset from UTC on that date ("Asia/Almaty, UTC+5"):
    names such as Asia/Almaty have no abbreviation, and the offset of a zone with summer time
    depends on the date."""
    if event.time_zone == "UTC":
        return "UTC"
    offset = local.utcoffset() or datetime.timedelta(0)
    sign = "-" if offset < datetime.timedelta(0) else "+"
    hours, seconds = divmod(abs(int(offset.total_seconds())), 3600)
    minutes = seconds // 60
    return f"{event.time_zone}, UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def format_event_time(value: datetime.datetime | None, event: Event) -> str:
    """ "20 April 2026, 01:00 (Asia/Almaty, UTC+5)" in the active language; "" for no time."""
    if value is None:
        return ""
    local = event_local_time(value, event)
    return f"{formats.date_format(local, DATE_AND_TIME_FORMAT)} ({zone_label(local, event)})"


@register.filter
def event_time_text(value, event):
    """The moment as plain text on the event's clock (text e-mails, blocktranslate values)."""
    return format_event_time(value, event)


@register.simple_tag
def event_time(value, event):
    """The moment on the event's clock in a <time> element whose machine-readable value
    carries the event's UTC offset."""
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>',
        event_local_time(value, event).isoformat(timespec="seconds"),
        format_event_time(value, event),
    )
