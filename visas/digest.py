"""The secretariat's daily digest: per event, the open visa requests (requested or in review)
whose petition must be filed within `VISA_FILING_DIGEST_DAYS` days, or whose deadline has
passed (flagged). Sent by `visas.tasks.send_filing_deadline_digest` (beat, daily).

One e-mail per event, to `Event.secretariat_address` (the event's, else the forum's, else
the global address), in the site's default language, through the outbox; none for an event
with nothing to say, none for an event already over, and at most one per event per day on
the event's clock (a second run the same day finds the first one's outbox row). It names
the delegates by their registration name and the request numbers, never passport data, and
links to each request in the admin and to the event's migration-service page.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Event
from mail.models import OutgoingEmail
from mail.services import queue_email

from .models import VisaRequest

KIND = "visas.filing_deadline_digest"
TEMPLATE = "visas/emails/filing_deadline_digest"
DIGEST_STATUSES = (VisaRequest.Status.REQUESTED, VisaRequest.Status.IN_REVIEW)


@dataclass
class DigestEntry:
    request: VisaRequest
    days_left: int  # negative once the deadline has passed

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass
class EventDigest:
    event: Event
    today: datetime.date  # on the event's clock
    entries: list[DigestEntry] = field(default_factory=list)


def filing_deadline_digests(now: datetime.datetime | None = None) -> list[EventDigest]:
    """The events with something to say and their entries, deadline first: one query."""
    now = now or timezone.now()
    horizon = settings.VISA_FILING_DIGEST_DAYS
    # Local dates are within a day of UTC's; the exact horizon is decided per event below.
    latest_deadline = now.date() + datetime.timedelta(days=horizon + 1)
    requests = (
        VisaRequest.objects.filter(status__in=DIGEST_STATUSES, filing_deadline__lte=latest_deadline)
        .select_related("registration__event__forum")
        .order_by("filing_deadline", "pk")
    )
    digests: dict[int, EventDigest] = {}
    for request in requests:
        event = request.registration.event
        digest = digests.get(event.pk)
        if digest is None:
            digest = digests[event.pk] = EventDigest(event, now.astimezone(event.tz).date())
        if digest.today > event.end_date:
            continue  # the event is over: nothing can be filed for it any more
        days_left = (request.filing_deadline - digest.today).days
        if days_left <= horizon:
            digest.entries.append(DigestEntry(request, days_left))
    return [digest for digest in digests.values() if digest.entries]


def send_filing_deadline_digests(now: datetime.datetime | None = None) -> list[OutgoingEmail]:
    """Queue one digest e-mail per event with something to say and none yet today (event's
    clock); return the outbox rows. Side effects: the rows, handed to delivery after commit
    (the caller's transaction, or at once in autocommit)."""
    now = now or timezone.now()
    event_type = ContentType.objects.get_for_model(Event)
    sent = []
    for digest in filing_deadline_digests(now):
        event = digest.event
        start_of_day = datetime.datetime.combine(digest.today, datetime.time.min, tzinfo=event.tz)
        if OutgoingEmail.objects.filter(
            kind=KIND,
            related_type=event_type,
            related_id=str(event.pk),
            created_at__gte=start_of_day,
        ).exists():
            continue
        sent.append(
            queue_email(
                to=event.secretariat_address,
                language=settings.LANGUAGE_CODE,
                kind=KIND,
                template=TEMPLATE,
                context=_context(digest),
                related=event,
            )
        )
    return sent


def _context(digest: EventDigest) -> dict:
    event = digest.event
    with translation.override(settings.LANGUAGE_CODE):
        # The admin lives under the language prefix: link to it in the secretariat's.
        petition_url = settings.SITE_URL + reverse("visas_petition:event", args=[event.pk])
        entries = [
            {
                "number": entry.request.number,
                "reference": entry.request.registration.reference,
                "name": entry.request.registration.full_name,
                "status": entry.request.get_status_display(),
                "entry_date": entry.request.entry_date,
                "filing_deadline": entry.request.filing_deadline,
                "days_left": entry.days_left,
                "overdue_days": -entry.days_left,
                "overdue": entry.overdue,
                "too_late": entry.request.too_late,
                "admin_url": settings.SITE_URL
                + reverse("admin:visas_visarequest_change", args=[entry.request.pk]),
            }
            for entry in digest.entries
        ]
    return {
        "event": event,
        "today": digest.today,
        "entries": entries,
        "overdue_count": sum(1 for entry in digest.entries if entry.overdue),
        "petition_url": petition_url,
    }
