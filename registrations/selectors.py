"""Reads for registrations: places left, waitlist positions, a delegate's registrations."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event
from events.selectors import (
    events_visible_to,
    missing_translations,
    sees_all_forums,
    translation_gaps,
)

from .models import DelegateCategory, Registration, RegistrationHistory


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


# Availability, for the registration form ---------------------------------------------------


@dataclass(frozen=True)
class CategoryAvailability:
    """What a delegate is told about one category before choosing it."""

    category: DelegateCategory
    price: Decimal
    early_bird: bool
    places_left: int  # within the category and the event, whichever is fewer
    waitlist: bool  # full, but registering joins the waitlist

    @property
    def full(self) -> bool:
        return self.places_left <= 0 and not self.waitlist

    @property
    def label(self) -> str:
        return render_to_string("registrations/_category_label.html", {"option": self})


def open_categories(
    event: Event, *, unlocked: set[int] = frozenset()
) -> QuerySet[DelegateCategory]:
    """The categories the public form offers: open ones, without the invite-only ones except
    those in `unlocked` (the ids an invitation code unlocks, `extensions.unlocked_categories`)."""
    return (
        event.categories.filter(is_open=True)
        .filter(Q(invite_only=False) | Q(pk__in=unlocked))
        .order_by("display_order", "pk")
    )


def category_availability(
    event: Event, categories: QuerySet[DelegateCategory]
) -> dict[int, CategoryAvailability]:
    """Price and places left for each category, in one query whatever their number (the
    event's places taken come along as a subquery on every row).

    For display only: the services count again under their locks before deciding."""
    taken_in_event = (
        Registration.objects.filter(event=event, status__in=PLACE_HOLDING)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    annotated = categories.annotate(
        taken=Count("registrations", filter=Q(registrations__status__in=PLACE_HOLDING)),
        taken_in_event=Coalesce(Subquery(taken_in_event), 0),
    )
    now = timezone.now()
    result = {}
    for category in annotated:
        left = max(event.capacity - category.taken_in_event, 0)
        if category.capacity is not None:
            left = min(left, max(category.capacity - category.taken, 0))
        result[category.pk] = CategoryAvailability(
            category=category,
            price=category.current_price(now),
            early_bird=category.is_early_bird(now),
            places_left=left,
            waitlist=left <= 0 and event.waitlist_enabled,
        )
    return result


@dataclass(frozen=True)
class PaymentInstructions:
    """One way to pay, and the categories on the form it applies to."""

    text: str
    categories: tuple[DelegateCategory, ...]

    @property
    def category_ids(self) -> str:
        return " ".join(str(category.pk) for category in self.categories)


def payment_instructions(
    availability: dict[int, CategoryAvailability],
) -> list[PaymentInstructions]:
    """The payment instructions of the priced categories on offer, each distinct text once
    (the form shows it once, not in every category), in the categories' order. No query."""
    groups: dict[str, list[DelegateCategory]] = {}
    for option in availability.values():
        text = option.category.payment_instructions
        if option.price and text:
            groups.setdefault(text, []).append(option.category)
    return [PaymentInstructions(text, tuple(categories)) for text, categories in groups.items()]


def delegate_registrations(delegate) -> QuerySet[Registration]:
    """A delegate's own registrations, newest event first, with what the list shows."""
    return (
        Registration.objects.filter(delegate=delegate)
        .select_related("event__forum", "category")
        .order_by("-event__start_date", "-created_at")
    )


def get_delegate_registration(delegate, reference: str) -> Registration:
    """The delegate's own registration with this reference; anyone else's is a 404."""
    return get_object_or_404(
        Registration.objects.select_related("event__forum", "category"),
        delegate=delegate,
        reference=reference.upper(),
    )


def last_privacy_consent(delegate) -> Registration | None:
    """The delegate's most recent acceptance of the privacy policy (given with each
    registration): the registration, with only its version and time loaded, or None."""
    return (
        Registration.objects.filter(delegate=delegate)
        .only("pk", "privacy_policy_version", "consent_privacy_at")
        .order_by("-consent_privacy_at", "-pk")
        .first()
    )


def visible_history(registration: Registration) -> list[RegistrationHistory]:
    return list(registration.history.order_by("at", "pk"))


PLACE_HOLDING = Registration.PLACE_HOLDING_STATUSES


def active_registration(event: Event, delegate) -> Registration | None:
    """The delegate's pending, confirmed or waitlisted registration for the event, if any
    (at most one: a database constraint). The whole row: register_delegate returns it to its
    callers for a replayed submission."""
    return Registration.objects.filter(
        event=event, delegate=delegate, status__in=Registration.ACTIVE_STATUSES
    ).first()


# The back office -------------------------------------------------------------------------


def registrations_visible_to(user) -> QuerySet[Registration]:
    """The registrations `user` may see in the back office: those of the events
    `events.selectors.events_visible_to` gives (no subquery for those who see every forum)."""
    if sees_all_forums(user):
        return Registration.objects.all()
    return Registration.objects.filter(event__in=events_visible_to(user))


def countries_present(event_ids: list[int] | None = None) -> list[str]:
    """The country codes registrations come from (of these events, or of all), for the
    admin's country filter.

    On PostgreSQL a loose index scan: a recursive query that jumps along
    `registration_country_idx` from one country to the next, one probe per country
    (about 30) instead of reading 100,000 index entries for a DISTINCT."""
    if connection.vendor != "postgresql":
        registrations = Registration.objects.exclude(country="")
        if event_ids is not None:
            registrations = registrations.filter(event_id__in=event_ids)
        return list(registrations.order_by("country").values_list("country", flat=True).distinct())
    in_events = "AND event_id = ANY(%s)" if event_ids is not None else ""
    sql = f"""
        WITH RECURSIVE present(country) AS (
            (SELECT country FROM registrations_registration
             WHERE country > '' {in_events} ORDER BY country LIMIT 1)
            UNION ALL
            SELECT (SELECT r.country FROM registrations_registration r
                    WHERE r.country > present.country {in_events} ORDER BY r.country LIMIT 1)
            FROM present WHERE present.country IS NOT NULL
        )
        SELECT country FROM present WHERE country IS NOT NULL
    """  # noqa: S608 (no user input in the text; the event ids are parameters)
    params = [list(event_ids), list(event_ids)] if event_ids is not None else []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# Translations, for the event admin ---------------------------------------------------------


def event_missing_translations(event: Event) -> dict[str, list[str]]:
    """`events.selectors.missing_translations` (the event's and its forum's texts) plus each
    delegate category's, labelled with the category's name: "Category “Delegate”:
    description" -> ["kk"]. Reads `event.categories.all()`, so a prefetch serves a list."""
    gaps = missing_translations(event)
    for category in event.categories.all():
        for field_name, languages in translation_gaps(category).items():
            label = _("Category “%(category)s”: %(field)s") % {
                "category": category.name,
                "field": field_name,
            }
            gaps[label] = languages
    return gaps
