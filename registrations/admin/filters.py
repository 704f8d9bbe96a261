"""Changelist filters for registrations. Their parameters are named like Django's own field
filters (`event__id__exact`, `category__id__exact`, ...), which the exports accept too, and
their choices list only what the user may see (`events.selectors`)."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.selectors import events_visible_to, forums_visible_to, sees_all_forums
from minex.countries import sorted_by_name

from ..models import DelegateCategory
from ..selectors import countries_present

FORUM_PARAMETER = "event__forum__id__exact"
EVENT_PARAMETER = "event__id__exact"
CATEGORY_PARAMETER = "category__id__exact"


def _id(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise IncorrectLookupParameters(value) from None


class ForumFilter(admin.SimpleListFilter):
    title = _("forum")
    parameter_name = FORUM_PARAMETER

    def lookups(self, request, model_admin):
        forums = forums_visible_to(request.user).order_by("display_order", "slug")
        return [(forum.pk, forum.name) for forum in forums]

    def queryset(self, request, queryset):
        forum_id = _id(self.value())
        return queryset if forum_id is None else queryset.filter(event__forum_id=forum_id)


class EventFilter(admin.SimpleListFilter):
    title = _("event")
    parameter_name = EVENT_PARAMETER

    def lookups(self, request, model_admin):
        events = events_visible_to(request.user).order_by("-start_date", "pk")
        forum_id = _safe_id(request.GET.get(FORUM_PARAMETER))
        if forum_id is not None:
            events = events.filter(forum_id=forum_id)
        return [(event.pk, event.title) for event in events]

    def queryset(self, request, queryset):
        event_id = _id(self.value())
        return queryset if event_id is None else queryset.filter(event_id=event_id)


class CategoryFilter(admin.SimpleListFilter):
    """The chosen event's categories; without an event, every category the user may see,
    named with its event."""

    title = _("category")
    parameter_name = CATEGORY_PARAMETER

    def lookups(self, request, model_admin):
        event_id = _safe_id(request.GET.get(EVENT_PARAMETER))
        categories = DelegateCategory.objects.filter(event__in=events_visible_to(request.user))
        if event_id is not None:
            categories = categories.filter(event_id=event_id)
            return [(category.pk, category.name) for category in categories]
        categories = categories.select_related("event").order_by("-event__start_date", "pk")
        return [
            (category.pk, f"{category.name} ({category.event.title})") for category in categories
        ]

    def queryset(self, request, queryset):
        category_id = _id(self.value())
        return queryset if category_id is None else queryset.filter(category_id=category_id)


class CountryFilter(admin.SimpleListFilter):
    """Countries the user's registrations come from (of the chosen event, if any), by name.

    A loose index scan (`selectors.countries_present`), not the ~250 names of every country
    in the world."""

    title = _("country")
    parameter_name = "country__exact"

    def lookups(self, request, model_admin):
        event_id = _safe_id(request.GET.get(EVENT_PARAMETER))
        if sees_all_forums(request.user):
            event_ids = None if event_id is None else [event_id]
        else:
            event_ids = list(events_visible_to(request.user).values_list("pk", flat=True))
            if event_id is not None:
                event_ids = [pk for pk in event_ids if pk == event_id]
        named = [(code, countries.name(code) or code) for code in countries_present(event_ids)]
        return sorted_by_name(named, get_language() or "en")

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if len(value) > 2:
            raise IncorrectLookupParameters(value)
        return queryset.filter(country=value)


class CheckedInFilter(admin.SimpleListFilter):
    title = _("checked in")
    parameter_name = "checked_in"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(checked_in_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


def _safe_id(value) -> int | None:
    try:
        return _id(value)
    except IncorrectLookupParameters:
        return None
