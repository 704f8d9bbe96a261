"""Test data builders: plain functions with sensible defaults and no hidden side effects."""

import datetime
import itertools

from django.utils import timezone

from events.models import Event, Forum

_sequence = itertools.count(1)


def make_forum(**fields) -> Forum:
    n = next(_sequence)
    values = {
        "slug": f"forum-{n}",
        "name_en": f"Forum {n}",
        "display_order": n,
    }
    values.update(fields)
    return Forum.objects.create(**values)


def make_event(forum: Forum | None = None, **fields) -> Event:
    """A published event a month from now, with registration open."""
    n = next(_sequence)
    today = timezone.localdate()
    start = fields.pop("start_date", today + datetime.timedelta(days=30))
    values = {
        "forum": forum or make_forum(),
        "slug": f"event-{n}",
        "edition_number": n,
        "year": start.year,
        "title_en": f"Event {n}",
        "city_en": "Astana",
        "country": "KZ",
        "time_zone": "Asia/Almaty",
        "start_date": start,
        "end_date": start + datetime.timedelta(days=1),
        "registration_opens_at": timezone.now() - datetime.timedelta(days=10),
        "registration_closes_at": timezone.now() + datetime.timedelta(days=20),
        "capacity": 100,
        "status": Event.Status.PUBLISHED,
    }
    values.update(fields)
    return Event.objects.create(**values)
