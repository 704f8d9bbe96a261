"""Reads for registrations: places left, waitlist positions, a delegate's registrations."""

from django.db.models import Q

from .models import DelegateCategory, Registration


def waitlist_position(registration: Registration) -> int | None:
    """The registration's place in its event's waitlist (1 = next in line), or None when it
    is not waitlisted. The order is the promotion order: `waitlisted_at`, then id."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=Registration.Status.WAITLISTED
    ).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def places_taken(category: DelegateCategory) -> int:
    """Confirmed and pending registrations in the category (for display; the services count
    again under their locks before deciding)."""
    return Registration.objects.filter(
        category=category, status__in=Registration.PLACE_HOLDING_STATUSES
    ).count()
