"""Filters of the badge list: the same choices as the registration list's (event, category,
status), scoped to the forums the user may see, plus the print state."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils.translation import gettext_lazy as _

from events.selectors import events_visible_to
from registrations.models import DelegateCategory, Registration

from ..selectors import changed_since_printed

EVENT_PARAMETER = "registration__event__id__exact"


def _id(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise IncorrectLookupParameters(value) from None


def _safe_id(value) -> int | None:
    try:
        return _id(value)
    except IncorrectLookupParameters:
        return None


class EventFilter(admin.SimpleListFilter):
    title = _("event")
    parameter_name = EVENT_PARAMETER

    def lookups(self, request, model_admin):
        events = events_visible_to(request.user).order_by("-start_date", "pk")
        return [(event.pk, event.title) for event in events]

    def queryset(self, request, queryset):
        event_id = _id(self.value())
        return queryset if event_id is None else queryset.filter(registration__event_id=event_id)


class CategoryFilter(admin.SimpleListFilter):
    title = _("category")
    parameter_name = "registration__category__id__exact"

    def lookups(self, request, model_admin):
        categories = DelegateCategory.objects.filter(event__in=events_visible_to(request.user))
        event_id = _safe_id(request.GET.get(EVENT_PARAMETER))
        if event_id is not None:
            return [(c.pk, c.name) for c in categories.filter(event_id=event_id)]
        categories = categories.select_related("event").order_by("-event__start_date", "pk")
        return [(c.pk, f"{c.name} ({c.event.title})") for c in categories]

    def queryset(self, request, queryset):
        category_id = _id(self.value())
        if category_id is None:
            return queryset
        return queryset.filter(registration__category_id=category_id)


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "registration__status__exact"

    def lookups(self, request, model_admin):
        return Registration.Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in Registration.Status.values:
            raise IncorrectLookupParameters(value)
        return queryset.filter(registration__status=value)


class PrintedFilter(admin.SimpleListFilter):
    title = _("printed")
    parameter_name = "printed"

    def lookups(self, request, model_admin):
        return [
            ("no", _("Not printed yet")),
            ("yes", _("Printed")),
            ("changed", _("Changed since printed")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(printed_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(printed_at__isnull=False)
        if self.value() == "changed":
            return changed_since_printed(queryset)
        return queryset
