"""Reads for mailings: who a mailing reaches, and how far its delivery has come."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from billing.selectors import payment_statuses
from events.models import Event
from events.selectors import events_visible_to, sees_all_forums
from mail.models import OutgoingEmail, UndeliverableAddress
from registrations.models import Registration

from .models import Mailing

DEFAULT_STATUSES = (Registration.Status.CONFIRMED, Registration.Status.PENDING)


def mailings_visible_to(user) -> QuerySet[Mailing]:
    """Mailings about the events ``user`` sees; mailings to every event only for those who
    see every forum."""
    visible = Q(event__in=events_visible_to(user))
    if sees_all_forums(user):
        visible |= Q(event__isnull=True)
    return Mailing.objects.filter(visible)


def matching_registrations(mailing: Mailing) -> QuerySet[Registration]:
    """The registrations the mailing's filters select (every delegate's, undeliverable
    addresses included), as the registration admin's filters would."""
    registrations = Registration.objects.all()
    if mailing.event_id is not None:
        registrations = registrations.filter(event_id=mailing.event_id)
    if mailing.pk is not None:
        category_ids = list(mailing.categories.values_list("pk", flat=True))
        if category_ids:
            registrations = registrations.filter(category_id__in=category_ids)
    registrations = registrations.filter(status__in=mailing.statuses or DEFAULT_STATUSES)
    if mailing.countries:
        registrations = registrations.filter(country__in=mailing.countries)
    if mailing.checked_in == Mailing.CheckedIn.YES:
        registrations = registrations.filter(checked_in_at__isnull=False)
    elif mailing.checked_in == Mailing.CheckedIn.NO:
        registrations = registrations.filter(checked_in_at__isnull=True)
    if mailing.payment_states:
        # Payment state is computed from invoices and payments (billing), not stored: read it
        # for the registrations selected so far, in two queries whatever their number.
        ids = list(registrations.values_list("pk", flat=True))
        statuses = payment_statuses(ids)
        wanted = set(mailing.payment_states)
        registrations = Registration.objects.filter(
            pk__in=[pk for pk in ids if statuses[pk].state in wanted]
        )
    if mailing.news_consent_only or mailing.purpose == Mailing.Purpose.NEWS:
        # The person's consent as it stands now (the profile), not the snapshot a
        # registration took when it was made: an unsubscribe must count at once.
        registrations = registrations.filter(delegate__delegate_profile__consent_marketing=True)
    return registrations


def _undeliverable():
    return Exists(UndeliverableAddress.objects.filter(address=Lower(OuterRef("email"))))


@dataclass(frozen=True)
class RecipientCount:
    recipients: int
    undeliverable: int


def count_recipients(mailing: Mailing) -> RecipientCount:
    """How many delegates the mailing will reach, and how many it skips as undeliverable
    (two aggregate queries, whatever the size)."""
    registrations = matching_registrations(mailing)
    reachable = registrations.exclude(_undeliverable()).aggregate(
        n=Count("delegate_id", distinct=True)
    )["n"]
    skipped = registrations.filter(_undeliverable()).aggregate(
        n=Count("delegate_id", distinct=True)
    )["n"]
    return RecipientCount(recipients=reachable, undeliverable=skipped)


def recipient_registrations(mailing: Mailing) -> Iterator[Registration]:
    """One registration per delegate (their latest that matches), undeliverable addresses
    left out, streamed in delegate order with the event joined."""
    registrations = (
        matching_registrations(mailing)
        .exclude(_undeliverable())
        # Only what a mailing fills in: 20,000 full rows cost seconds to build.
        .only(*RECIPIENT_FIELDS)
        .order_by("delegate_id", "-created_at", "-pk")
    )
    events = {}  # one Event object per event, not one per registration
    last_delegate = None
    for registration in registrations.iterator(chunk_size=2000):
        if registration.delegate_id == last_delegate:
            continue
        last_delegate = registration.delegate_id
        if registration.event_id not in events:
            events[registration.event_id] = Event.objects.get(pk=registration.event_id)
        registration.event = events[registration.event_id]
        yield registration


# The registration's fields a mailing or a reminder reads (placeholders, address, language).
RECIPIENT_FIELDS = (
    "event_id", "delegate_id", "reference", "title", "first_name", "last_name", "email",
    "language", "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class MailingProgress:
    total: int
    sent: int
    failed: int
    waiting: int

    @property
    def percent(self) -> int:
        return round(100 * (self.sent + self.failed) / self.total) if self.total else 0


def mailing_progress(mailing: Mailing) -> MailingProgress:
    """The mailing's e-mails by outbox status (one aggregate query; its tests not counted)."""
    counts = OutgoingEmail.objects.filter(
        related_type=ContentType.objects.get_for_model(Mailing),
        related_id=str(mailing.pk),
        bulk=True,
    ).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=OutgoingEmail.Status.SENT)),
        failed=Count("pk", filter=Q(status=OutgoingEmail.Status.FAILED)),
    )
    return MailingProgress(
        total=counts["total"],
        sent=counts["sent"],
        failed=counts["failed"],
        waiting=counts["total"] - counts["sent"] - counts["failed"],
    )
