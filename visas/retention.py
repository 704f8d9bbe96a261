"""Retention: passport data and letter PDFs are wiped `VISA_PASSPORT_RETENTION_DAYS` after the
event, by the daily `visas.tasks.wipe_expired_passport_data`.

When: the event ends with its last day on its own clock (`Event.end_date` in `Event.time_zone`);
the data is kept for N whole days after that and wiped from the event-local midnight that
starts day end_date + N + 1. With N = 30, an event ending on 3 October keeps its data through
2 November and loses it on 3 November, at midnight in Astana for an Astana event.

What: the encrypted passport fields (`VisaRequest.PASSPORT_DATA_FIELDS`, set to empty: the
columns then hold no token at all) and the files of every letter version. The request keeps
its status, petition number, dates and letter rows (numbers, verification tokens), so the
verification page still answers for a letter number, with what is left.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from events.models import Event

from .models import VisaLetter, VisaRequest, VisaRequestHistory

logger = logging.getLogger(__name__)


def retention_ends(event_end: datetime.date, time_zone, *, days: int) -> datetime.datetime:
    """The moment an event's passport data is due to be wiped: the event-local midnight
    starting the day `days` + 1 after its last day."""
    day = event_end + datetime.timedelta(days=days + 1)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=time_zone)


def requests_due_for_wipe(now: datetime.datetime | None = None) -> list[int]:
    """Ids of the requests whose event's retention has ended and whose data is not wiped.

    The database narrows by date (a day's margin for the time zones); the exact moment is
    decided per event on its own clock. One query for the events, one for the ids."""
    now = now or timezone.now()
    days = settings.VISA_PASSPORT_RETENTION_DAYS
    # Local dates are within a day of UTC's: an event ending after this cannot be due.
    latest_end = now.date() - datetime.timedelta(days=days)
    pending = VisaRequest.objects.filter(passport_data_wiped_at__isnull=True)
    events = Event.objects.filter(
        end_date__lte=latest_end,
        pk__in=pending.values("registration__event"),
    ).only("pk", "end_date", "time_zone")
    due_events = [
        event.pk for event in events if now >= retention_ends(event.end_date, event.tz, days=days)
    ]
    if not due_events:
        return []
    return list(
        pending.filter(registration__event__in=due_events)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def wipe_passport_data(request_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Wipe one request's passport data and its letters' files; False if already wiped.

    In one transaction, under the request's row lock and then its letters' (the services'
    lock order): the passport fields emptied, `passport_data_wiped_at` set, every letter's
    file deleted from the private storage and its reference cleared, and a history row
    (actor None: the portal acting on its own) naming how many files went. Files are deleted
    inside the transaction: if it then rolls back, the request is still unwiped and the next
    run deletes again (deleting a missing file is a no-op), so no file outlives the run that
    committed the wipe."""
    now = now or timezone.now()
    with transaction.atomic():
        request = (
            VisaRequest.objects.select_for_update(no_key=True)
            .filter(pk=request_id, passport_data_wiped_at__isnull=True)
            .first()
        )
        if request is None:
            return False
        for name in VisaRequest.PASSPORT_DATA_FIELDS:
            field = VisaRequest._meta.get_field(name)
            setattr(request, name, None if field.null else "")
        request.passport_data_wiped_at = now
        request.save(
            update_fields=[
                *VisaRequest.PASSPORT_DATA_FIELDS,
                "passport_data_wiped_at",
                "updated_at",
            ]
        )
        files_deleted = 0
        letters = VisaLetter.objects.select_for_update(no_key=True).filter(request=request)
        for letter in letters.order_by("version"):
            if not letter.file:
                continue
            letter.file.storage.delete(letter.file.name)
            letter.file = ""
            letter.save(update_fields=["file"])
            files_deleted += 1
        VisaRequestHistory.objects.create(
            request=request,
            actor=None,
            at=now,
            action=VisaRequestHistory.Action.PASSPORT_DATA_WIPED,
            from_status=request.status,
            to_status=request.status,
            details={
                "retention_days": settings.VISA_PASSPORT_RETENTION_DAYS,
                "letter_files_deleted": files_deleted,
            },
        )
    return True


def wipe_expired_passport_data(now: datetime.datetime | None = None) -> int:
    """Wipe every request whose event's retention has ended (`requests_due_for_wipe`), each
    in its own transaction (`wipe_passport_data`); return how many were wiped. Running it
    again wipes nothing more."""
    wiped = 0
    for request_id in requests_due_for_wipe(now):
        if wipe_passport_data(request_id, now=now):
            wiped += 1
    if wiped:
        logger.info("Wiped the passport data of %d visa requests.", wiped)
    return wiped
