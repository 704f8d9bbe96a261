"""Reads about add-ons: what an event offers with its places left, a registration's bookings,
waitlist positions, the admin's counts and the site-visit manifest."""

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from pricing.rules import Kind as PriceLineKind
from pricing.rules import QuoteLine, add_on_key
from registrations.models import Registration

from .models import AddOn, AddOnBooking

Status = AddOnBooking.Status


def _count_of(status: str):
    return Coalesce(
        Subquery(
            AddOnBooking.objects.filter(add_on=OuterRef("pk"), status=status)
            .order_by()
            .values("add_on")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_counts(queryset):
    """Annotate `used` (confirmed bookings) and `waiting` (waitlisted) on add-ons: subqueries,
    so the rows are not multiplied by a join."""
    return queryset.annotate(used=_count_of(Status.CONFIRMED), waiting=_count_of(Status.WAITLISTED))


def event_add_ons(event_id: int, *, counts: bool = True) -> list[AddOn]:
    """The event's active add-ons in their order, each with `category_ids` (allowed categories,
    empty for all) and, with `counts`, `used`, `waiting` and `left` (None: unlimited): one
    query."""
    queryset = (
        AddOn.objects.filter(event_id=event_id, active=True)
        .annotate(
            category_ids=ArrayAgg(
                "categories__id", filter=Q(categories__isnull=False), distinct=True, default=[]
            )
        )
        .order_by("position", "pk")
    )
    if counts:
        queryset = with_counts(queryset)
    add_ons = list(queryset)
    for add_on in add_ons:
        add_on.left = places_left(add_on) if counts else None
    return add_ons


def places_left(add_on: AddOn) -> int | None:
    """Free places of an add-on annotated by `with_counts`; None when unlimited."""
    if add_on.capacity is None:
        return None
    return max(add_on.capacity - add_on.used, 0)


def registration_bookings(registration: Registration, *, active_only: bool = True):
    """The registration's bookings with their add-ons, in the add-ons' order."""
    queryset = AddOnBooking.objects.filter(registration=registration).select_related("add_on")
    if active_only:
        queryset = queryset.filter(status__in=AddOnBooking.ACTIVE_STATUSES)
    return list(queryset.order_by("add_on__position", "add_on_id", "pk"))


def waitlist_positions(bookings) -> dict[int, int]:
    """{booking id: 1-based place in its add-on's waitlist} for the waitlisted `bookings`:
    one query over those add-ons' waitlists (ids only), none when nothing waits."""
    waiting = {booking.pk for booking in bookings if booking.status == Status.WAITLISTED}
    if not waiting:
        return {}
    add_on_ids = {booking.add_on_id for booking in bookings if booking.pk in waiting}
    positions = {}
    seen: dict[int, int] = {}
    for pk, add_on_id in (
        AddOnBooking.objects.filter(add_on_id__in=add_on_ids, status=Status.WAITLISTED)
        .order_by("add_on_id", "waitlisted_at", "pk")
        .values_list("pk", "add_on_id")
    ):
        seen[add_on_id] = seen.get(add_on_id, 0) + 1
        if pk in waiting:
            positions[pk] = seen[add_on_id]
    return positions


def waitlist(add_on: AddOn):
    """The add-on's waitlist in promotion order, with the registrations."""
    return (
        AddOnBooking.objects.filter(add_on=add_on, status=Status.WAITLISTED)
        .select_related("registration")
        .order_by("waitlisted_at", "pk")
    )


def manifest_bookings(add_on: AddOn):
    """The confirmed bookings of an add-on for its manifest, by surname: one query."""
    return (
        AddOnBooking.objects.filter(add_on=add_on, status=Status.CONFIRMED)
        .select_related("registration")
        .order_by(F("registration__last_name").asc(), "registration__first_name", "pk")
    )


def price_lines(registration: Registration) -> list[QuoteLine]:
    """The registration's confirmed, priced bookings as price lines (pricing's line provider,
    `pricing.extensions.add_line_provider`), in the add-ons' order, named in English, Russian
    and Kazakh (English where a name is missing). Waitlisted bookings cost nothing until they
    are confirmed. One query."""
    bookings = (
        AddOnBooking.objects.filter(registration=registration, status=Status.CONFIRMED, price__gt=0)
        .select_related("add_on")
        .order_by("add_on__position", "add_on_id", "pk")
    )
    lines = []
    for booking in bookings:
        add_on = booking.add_on
        english = add_on.name_en or add_on.name
        lines.append(
            QuoteLine(
                kind=PriceLineKind.ADD_ON,
                descriptions={
                    "en": english,
                    "ru": add_on.name_ru or english,
                    "kk": add_on.name_kk or english,
                },
                amount=booking.price,
                currency=booking.currency,
                key=add_on_key(add_on.pk),
            )
        )
    return lines
