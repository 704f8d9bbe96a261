"""Reads for the door: who may use it, the zones, the search, the offline list, the numbers."""

import datetime

from django.db import connections
from django.db.models import Count, F, Q, Value
from django.db.models.functions import TruncHour
from django.db.models.lookups import Contains
from django.http import Http404
from django.utils import timezone

from badges.models import Badge
from badges.tokens import badge_token
from billing.selectors import payment_required_for_check_in, registrations_owing
from events.models import Event
from events.selectors import events_visible_to
from registrations.admin.search import folded
from registrations.models import Registration

from .models import Scan, Zone
from .services import REFUSED_STATUSES, ensure_entrance, refusal_message, token_hash

PERMISSION = "checkin.scan_badges"
SEARCH_LIMIT = 20
SEARCH_MIN_LENGTH = 2


def may_scan(user) -> bool:
    """Active staff holding `checkin.scan_badges` (the door's page and every endpoint)."""
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.has_perm(PERMISSION)
    )


def may_read_numbers(user) -> bool:
    """The live numbers are also read by the event dashboard's readers (organisers)."""
    return may_scan(user) or bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("registrations.view_registration")
    )


def event_for(user, event_id: int) -> Event:
    """The event, if `user` sees its forum (`events_visible_to`); 404 otherwise."""
    # With the event's billing rules (payment before check-in), read by every scan.
    event = events_visible_to(user).select_related("forum", "billing").filter(pk=event_id).first()
    if event is None:
        raise Http404
    return event


def zones_of(event: Event, *, active_only: bool = True) -> list[Zone]:
    """The event's zones, entrance first (created if missing), with their categories' ids as
    `category_ids`: two queries (three the first time)."""
    ensure_entrance(event)
    zones = Zone.objects.filter(event=event).prefetch_related("categories")
    if active_only:
        zones = zones.filter(Q(active=True) | Q(is_entrance=True))
    zones = list(zones)
    for zone in zones:
        zone.category_ids = [category.pk for category in zone.categories.all()]
    return zones


def search_registrations(event: Event, query: str) -> list[Registration]:
    """At most 20 of the event's registrations whose name, reference or organisation contain
    every word typed, case- and accent-insensitively (as the admin's search)."""
    registrations = Registration.objects.filter(event=event)
    fields = ("first_name", "last_name", "latin_name", "reference", "organisation")
    postgres = connections[registrations.db].vendor == "postgresql"
    for word in query.split():
        condition = Q()
        for field in fields:
            if postgres:
                condition |= Q(Contains(folded(F(field)), folded(Value(word))))
            else:
                condition |= Q(**{f"{field}__icontains": word})
        registrations = registrations.filter(condition)
    return list(
        registrations.order_by("last_name", "first_name", "pk").only(
            "reference", "first_name", "last_name", "organisation", "category_name",
            "category_name_ru", "category_name_kk", "status", "checked_in_at", "event_id",
        )[:SEARCH_LIMIT]
    )  # fmt: skip


def offline_list(event: Event) -> dict:
    """What a door needs to keep deciding while the network is down: the zones and every
    badge of the event by its token's SHA-256, whether it may enter and why not. A fixed
    number of queries whatever the number of badges (zones, their categories, the badges
    with their registrations, the payment rule and who owes)."""
    zones = zones_of(event)
    requires_payment = payment_required_for_check_in(event)
    owing = registrations_owing(event) if requires_payment else set()
    admitted = {}
    for registration_id, zone_id in Scan.objects.filter(
        event=event, outcome=Scan.Outcome.ADMITTED, undone_at__isnull=True
    ).values_list("registration_id", "zone_id"):
        admitted.setdefault(registration_id, []).append(zone_id)
    badges = []
    rows = (
        Badge.objects.filter(registration__event=event)
        .select_related("registration")
        .only(
            "code", "registration__id", "registration__first_name", "registration__last_name",
            "registration__organisation", "registration__category_id",
            "registration__category_name", "registration__category_name_ru",
            "registration__category_name_kk", "registration__status", "registration__event_id",
            "registration__checked_in_at",
        )
        .order_by("pk")
    )  # fmt: skip
    entrance = next(zone for zone in zones if zone.is_entrance)
    for badge in rows.iterator(chunk_size=2000):
        registration = badge.registration
        reason = REFUSED_STATUSES.get(registration.status, "")
        if not reason and registration.pk in owing:
            reason = Scan.Reason.UNPAID
        zones_in = admitted.get(registration.pk, [])
        if registration.checked_in_at and entrance.pk not in zones_in:
            zones_in = [*zones_in, entrance.pk]
        badges.append(
            {
                "h": token_hash(badge_token(badge)),
                "name": registration.full_name,
                "organisation": registration.organisation,
                "category_id": registration.category_id,
                "category": registration.category_name_in_language,
                "ok": not reason,
                "reason": reason,
                "message": str(refusal_message(reason, registration, entrance)) if reason else "",
                "admitted": zones_in,
            }
        )
    return {
        "generated_at": timezone.now().isoformat(),
        "event": {"id": event.pk, "name": event.title},
        "zones": [
            {
                "id": zone.pk,
                "name": zone.label,
                "entrance": zone.is_entrance,
                "categories": zone.category_ids,
            }
            for zone in zones
        ],
        "badges": badges,
    }


def live_numbers(event: Event) -> dict:
    """The dashboard's numbers: per zone admitted and expected (confirmed registrations in the
    categories it admits), and admissions per hour on the event's clock. Four queries."""
    zones = zones_of(event)
    confirmed = dict(
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
        .order_by()
        .values_list("category_id")
        .annotate(count=Count("pk"))
    )
    admitted_scans = Scan.objects.filter(
        event=event, outcome=Scan.Outcome.ADMITTED, undone_at__isnull=True
    )
    by_zone = dict(admitted_scans.order_by().values_list("zone_id").annotate(count=Count("pk")))
    checked_in = Registration.objects.filter(event=event, checked_in_at__isnull=False).count()
    hours = (
        admitted_scans.annotate(hour=TruncHour("scanned_at", tzinfo=event.tz))
        .order_by("hour")
        .values("hour", "zone_id")
        .annotate(count=Count("pk"))
    )
    per_hour: dict[datetime.datetime, dict] = {}
    for row in hours:
        slot = per_hour.setdefault(row["hour"], {"total": 0, "zones": {}})
        slot["zones"][str(row["zone_id"])] = row["count"]
        slot["total"] += row["count"]
    zone_rows = []
    for zone in zones:
        ids = zone.category_ids
        expected = sum(n for category, n in confirmed.items() if not ids or category in ids)
        # The entrance counts the secretariat's check-ins from the admin too.
        count = checked_in if zone.is_entrance else by_zone.get(zone.pk, 0)
        zone_rows.append(
            {
                "id": zone.pk,
                "name": zone.label,
                "entrance": zone.is_entrance,
                "admitted": count,
                "expected": expected,
            }
        )
    return {
        "generated_at": timezone.now().isoformat(),
        "zones": zone_rows,
        "hours": [
            {
                "hour": hour.astimezone(event.tz).isoformat(),
                "label": f"{hour.astimezone(event.tz):%d.%m %H:00}",
                "total": slot["total"],
                "zones": slot["zones"],
            }
            for hour, slot in per_hour.items()
        ],
    }


def scans_visible_to(user):
    return Scan.objects.filter(event__in=events_visible_to(user))
