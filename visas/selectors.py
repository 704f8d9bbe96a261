"""Reads for visa letters: an event's rules, a registration's request, what staff may see."""

from django.conf import settings
from django.db.models import QuerySet

from events.models import Event
from events.selectors import events_visible_to
from registrations.models import Registration

from .models import VisaLetter, VisaPolicy, VisaRequest
from .rules import TripLimits, VisaWindow


def visa_policy(event: Event) -> VisaPolicy | None:
    """The event's own policy, or None (the settings' defaults apply)."""
    try:
        return event.visa_policy
    except VisaPolicy.DoesNotExist:
        return None


def visa_window(event: Event) -> VisaWindow:
    """The event's filing window: its VisaPolicy, else VISA_EARLIEST_DAYS / VISA_LATEST_DAYS /
    VISA_PROCESSING_WORKING_DAYS."""
    policy = visa_policy(event)
    if policy is not None:
        return VisaWindow(
            earliest_days=policy.earliest_days_before_entry,
            latest_days=policy.latest_days_before_entry,
            processing_working_days=policy.processing_working_days,
        )
    return VisaWindow(
        earliest_days=settings.VISA_EARLIEST_DAYS,
        latest_days=settings.VISA_LATEST_DAYS,
        processing_working_days=settings.VISA_PROCESSING_WORKING_DAYS,
    )


def trip_limits(event: Event) -> TripLimits:
    """How far around the event's dates a planned stay may reach."""
    return TripLimits(
        start_date=event.start_date,
        end_date=event.end_date,
        entry_days_before_start=settings.VISA_ENTRY_DAYS_BEFORE_START,
        exit_days_after_end=settings.VISA_EXIT_DAYS_AFTER_END,
    )


def open_request(registration: Registration) -> VisaRequest | None:
    """The registration's open request (at most one: a database constraint), or None."""
    return (
        VisaRequest.objects.filter(registration=registration, status__in=VisaRequest.OPEN_STATUSES)
        .order_by("-created_at")
        .first()
    )


def latest_request(registration: Registration) -> VisaRequest | None:
    """The registration's most recent request, open or closed, or None."""
    return (
        VisaRequest.objects.filter(registration=registration).order_by("-created_at", "-pk").first()
    )


def current_letter(request: VisaRequest) -> VisaLetter | None:
    """The request's letter that is not void (at most one), or None."""
    return request.letters.exclude(status=VisaLetter.Status.VOID).first()


def requests_visible_to(user) -> QuerySet[VisaRequest]:
    """Visa requests of the events `user` may see in the back office (none for others)."""
    return VisaRequest.objects.filter(registration__event__in=events_visible_to(user))


def can_see_passport_data(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.has_perm("visas.view_passport_data")
    )
