"""Reads for the staff pages: who may use them, which events and exports they may see, the
registrations an export holds, and the dashboard's numbers (a fixed number of queries).

Scoping is `events.selectors.events_visible_to`: every event and export lookup here starts
from it, so an organiser of one forum never reaches another forum's data by any URL.
"""

import datetime
import enum
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Collate, TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import get_language
from django_countries import countries

from events.models import Event
from events.selectors import events_visible_to
from registrations.models import DelegateCategory, Registration

from .models import ExportLog

# Granted to the Secretariat and Organiser groups (registrations' setup_roles command).
VIEW_PERMISSION = "registrations.view_registration"


def may_use_staff_pages(user) -> bool:
    """Active staff with the permission to read registrations; which events they reach is
    decided by `events_visible_to`."""
    return bool(user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION))


def staff_events(user) -> QuerySet[Event]:
    return events_visible_to(user).select_related("forum").order_by("-start_date", "pk")


def get_staff_event(user, slug: str) -> Event:
    """The event with this slug if `user` may see it, else 404 (existence is not revealed)."""
    return get_object_or_404(events_visible_to(user).select_related("forum"), slug=slug)


def get_user_export(user, export_id: int) -> ExportLog:
    """One of `user`'s own exports, of an event they may (still) see; else 404."""
    try:
        return ExportLog.objects.select_related("event").get(
            pk=export_id, user=user, event__in=events_visible_to(user)
        )
    except ExportLog.DoesNotExist:
        raise Http404 from None


def event_category(event: Event, category_id: int) -> DelegateCategory | None:
    return DelegateCategory.objects.filter(event=event, pk=category_id).first()


# The registrations of an export ------------------------------------------------------------

SEARCH_FIELDS = ("reference", "first_name", "last_name", "email", "organisation")

# Without a status filter an export is the attendee list: the delegates who hold a place.
ATTENDEE_STATUSES = (Registration.Status.CONFIRMED, Registration.Status.PENDING)
# The `statuses` parameter's value that asks for every status instead.
ALL_STATUSES = "all"

# How names sort for a reader of each language: ICU collations, which PostgreSQL has when
# built with ICU (Debian's and the official images are). The database's own collation (C)
# sorts by code point: "de Vries" after "Zhunusov", "Ávila" after both, and Kazakh letters
# after every Russian one. Russian and Kazakh readers get Cyrillic names first, Kazakh ones
# in the Kazakh alphabet's order (Ё after Е, Ұ and Ү after У, І after Ы); others Latin first.
NAME_COLLATIONS = {"ru": "ru-x-icu", "kk": "kk-x-icu"}
DEFAULT_NAME_COLLATION = "und-x-icu"


def export_registrations(
    event: Event, filters: dict, *, sharing: bool = False, language: str | None = None
) -> QuerySet:
    """The event's registrations matching `filters` (a valid RegistrationFilterForm's
    cleaned_data), by last name, then first name, in the order a reader of `language` (the
    active language by default) expects; the reference breaks ties.

    With no status filter, only confirmed and pending registrations (the attendee list);
    `statuses=all` asks for every status. The list for sharing keeps only confirmed
    registrations whose delegate agreed to appear in the attendee list."""
    queryset = Registration.objects.filter(event=event)
    if filters.get("status__exact"):
        queryset = queryset.filter(status=filters["status__exact"])
    elif attendees_only(filters):
        queryset = queryset.filter(status__in=ATTENDEE_STATUSES)
    if filters.get("category__id__exact"):
        queryset = queryset.filter(category_id=filters["category__id__exact"])
    if filters.get("country__exact"):
        queryset = queryset.filter(country=filters["country__exact"])
    if filters.get("visa_letter_needed__exact"):
        queryset = queryset.filter(visa_letter_needed=filters["visa_letter_needed__exact"] == "1")
    if filters.get("checked_in"):
        queryset = queryset.filter(checked_in_at__isnull=filters["checked_in"] == "no")
    if filters.get("created_at__gte"):
        queryset = queryset.filter(created_at__gte=filters["created_at__gte"])
    if filters.get("created_at__lt"):
        queryset = queryset.filter(created_at__lt=filters["created_at__lt"])
    if filters.get("q"):
        queryset = queryset.filter(_search(filters["q"]))
    if sharing:
        queryset = queryset.filter(status=Registration.Status.CONFIRMED, consent_attendee_list=True)
    return queryset.order_by(*_by_name(queryset.db, language or get_language()))


def attendees_only(filters: dict) -> bool:
    """Whether these filters give the attendee list: no status chosen, every status not
    asked for."""
    return not filters.get("status__exact") and filters.get("statuses") != ALL_STATUSES


def _by_name(database: str, language: str | None) -> list:
    if connections[database].vendor != "postgresql":
        # Other databases (the embedded SQLite) have no ICU: their own order, still stable.
        return ["last_name", "first_name", "reference"]
    collation = NAME_COLLATIONS.get((language or "").split("-")[0], DEFAULT_NAME_COLLATION)
    return [
        Collate(F("last_name"), collation),
        Collate(F("first_name"), collation),
        "reference",
    ]


def _search(text: str) -> Q:
    """As the admin searches: every word must match one of the fields (icontains)."""
    condition = Q()
    for word in smart_split(text):
        if word[0] in "\"'" and word[0] == word[-1] and len(word) > 1:
            word = unescape_string_literal(word)
        any_field = Q()
        for name in SEARCH_FIELDS:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


# The dashboard ----------------------------------------------------------------------------


@dataclass
class CategoryNumbers:
    category: DelegateCategory
    by_status: dict[str, int]
    capacity: int | None

    @property
    def places_taken(self) -> int:
        return sum(self.by_status[status] for status in Registration.PLACE_HOLDING_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def ended(self) -> int:
        return (
            self.by_status[Registration.Status.CANCELLED]
            + self.by_status[Registration.Status.REJECTED]
        )

    @property
    def percent_used(self) -> int | None:
        if self.capacity is None:  # no own limit
            return None
        if self.capacity == 0:  # a closed category: nothing left, whatever it holds
            return 100
        return round(self.places_taken * 100 / self.capacity)


@dataclass(frozen=True)
class PaceSeries:
    """An edition's registrations that hold a place now, by the day (on the venue's clock)
    they were made. Counted by their status today: a delegate who registered early and
    cancelled later is not in the early numbers either."""

    event: Event
    per_day: list[tuple[datetime.date, int]]

    @property
    def by_days_out(self) -> dict[int, int]:
        """Registrations per number of days before the event's first day; those made on the
        first day or later count at 0."""
        counts: dict[int, int] = {}
        for day, count in self.per_day:
            days_out = max((self.event.start_date - day).days, 0)
            counts[days_out] = counts.get(days_out, 0) + count
        return counts

    @property
    def opening_days_out(self) -> int | None:
        """Days before the event's first day when registration opened (venue's calendar)."""
        opens_at = self.event.registration_opens_at
        if opens_at is None:
            return None
        return max((self.event.start_date - opens_at.astimezone(self.event.tz).date()).days, 0)

    def days_out_on(self, moment: datetime.datetime) -> int:
        return (self.event.start_date - moment.astimezone(self.event.tz).date()).days


class PreviousEdition(enum.Enum):
    NONE = "none"  # the forum has no earlier edition
    HIDDEN = "hidden"  # it has one, but not one this user may see
    SHOWN = "shown"


@dataclass
class Dashboard:
    event: Event
    by_status: dict[str, int]
    categories: list[CategoryNumbers]
    pace: PaceSeries
    previous_edition: PreviousEdition
    previous_pace: PaceSeries | None
    countries: list[tuple[str, int]]  # (code, registrations holding places), code "" = none
    visa_letters: int
    checked_in: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def places_taken(self) -> int:
        return sum(self.by_status[status] for status in Registration.PLACE_HOLDING_STATUSES)

    @property
    def percent_used(self) -> int:
        return round(self.places_taken * 100 / self.event.capacity) if self.event.capacity else 0

    @property
    def pending(self) -> int:
        return self.by_status[Registration.Status.PENDING]

    @property
    def top_country_rows(self) -> list[dict]:
        """The `TOP_COUNTRIES` countries with the most registrations holding places, named in
        the active language (ties in alphabetical order), then one "other" row (code "") for
        the remaining countries and registrations with no country, if any."""
        named = sorted(
            ((code, countries.name(code), count) for code, count in self.countries if code),
            key=lambda row: (-row[2], row[1], row[0]),
        )
        rows = [
            {"code": code, "name": name, "count": count}
            for code, name, count in named[:TOP_COUNTRIES]
        ]
        other = sum(count for _code, _name, count in named[TOP_COUNTRIES:]) + sum(
            count for code, count in self.countries if not code
        )
        if other:
            rows.append({"code": "", "name": None, "count": other})
        return rows

    @property
    def statuses(self) -> list[tuple[str, str, int]]:
        return [(code, label, self.by_status[code]) for code, label in Registration.Status.choices]


TOP_COUNTRIES = 10


def event_dashboard(event: Event, *, user) -> Dashboard:
    """The event's numbers in a fixed number of queries whatever the number of registrations:
    per category and status (with visa letters and check-ins); registrations holding places
    per day; the previous edition (the forum's latest earlier, non-draft event) and, if `user`
    may see it, its registrations per day; registrations holding places per country.

    Visa letters count live registrations (pending, confirmed, waitlisted): a cancelled
    delegate needs no letter."""
    statuses = [code for code, _label in Registration.Status.choices]
    active = Q(registrations__status__in=Registration.ACTIVE_STATUSES)
    categories = list(
        DelegateCategory.objects.filter(event=event)
        .annotate(
            **{
                f"n_{status}": Count("registrations", filter=Q(registrations__status=status))
                for status in statuses
            },
            n_visa=Count(
                "registrations", filter=active & Q(registrations__visa_letter_needed=True)
            ),
            n_checked_in=Count(
                "registrations", filter=Q(registrations__checked_in_at__isnull=False)
            ),
        )
        .order_by("display_order", "pk")
    )
    by_status = dict.fromkeys(statuses, 0)
    numbers = []
    for category in categories:
        counts = {status: getattr(category, f"n_{status}") for status in statuses}
        for status, count in counts.items():
            by_status[status] += count
        numbers.append(CategoryNumbers(category, counts, category.capacity))

    previous = previous_edition(event, user=user)
    if previous is None:
        previous_state, previous_pace = PreviousEdition.NONE, None
    elif not previous.visible:
        previous_state, previous_pace = PreviousEdition.HIDDEN, None
    else:
        previous_state, previous_pace = PreviousEdition.SHOWN, pace_series(previous)

    per_country = list(
        Registration.objects.filter(event=event, status__in=Registration.PLACE_HOLDING_STATUSES)
        .values("country")
        .annotate(n=Count("id"))
        .order_by("country")
        .values_list("country", "n")
    )
    return Dashboard(
        event=event,
        by_status=by_status,
        categories=numbers,
        pace=pace_series(event),
        previous_edition=previous_state,
        previous_pace=previous_pace,
        countries=per_country,
        visa_letters=sum(category.n_visa for category in categories),
        checked_in=sum(category.n_checked_in for category in categories),
    )


def pace_series(event: Event) -> PaceSeries:
    """One query: the event's registrations holding places, per day in the event's zone (at
    most one row per day, whatever the number of registrations)."""
    per_day = list(
        Registration.objects.filter(event=event, status__in=Registration.PLACE_HOLDING_STATUSES)
        .annotate(day=TruncDate("created_at", tzinfo=event.tz))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
        .values_list("day", "n")
    )
    return PaceSeries(event, per_day)


def previous_edition(event: Event, *, user) -> Event | None:
    """The forum's latest edition starting before `event` (drafts never took registrations),
    annotated with `visible`: whether `user` may see it. One query."""
    return (
        Event.objects.filter(forum_id=event.forum_id, start_date__lt=event.start_date)
        .exclude(status=Event.Status.DRAFT)
        .annotate(visible=Exists(events_visible_to(user).filter(pk=OuterRef("pk"))))
        .order_by("-start_date", "-edition_number")
        .first()
    )
