"""Zones per event (the secretariat's) and the read-only record of every scan, both scoped to
the forums the user may see (`events_visible_to`), filter choices included."""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modeltranslation.admin import TranslationAdmin

from events.selectors import events_visible_to
from registrations.models import DelegateCategory

from .models import Scan, Zone
from .selectors import may_scan, scans_visible_to


class EventFilter(admin.SimpleListFilter):
    title = _("event")
    parameter_name = "event__id__exact"

    def lookups(self, request, model_admin):
        events = events_visible_to(request.user).order_by("-start_date", "pk")
        return [(event.pk, event.title) for event in events]

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, ""):
            return queryset
        if not str(value).isdigit():
            raise IncorrectLookupParameters(value)
        return queryset.filter(event_id=int(value))


class ZoneFilter(admin.SimpleListFilter):
    title = pgettext_lazy("check-in", "zone")
    parameter_name = "zone__id__exact"

    def lookups(self, request, model_admin):
        zones = Zone.objects.filter(event__in=events_visible_to(request.user)).select_related(
            "event"
        )
        return [(zone.pk, f"{zone.event.title}: {zone.label}") for zone in zones]

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, ""):
            return queryset
        if not str(value).isdigit():
            raise IncorrectLookupParameters(value)
        return queryset.filter(zone_id=int(value))


class ZoneForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = ("event", "name", "categories", "position", "active")

    def clean(self):
        cleaned = super().clean()
        event = cleaned.get("event") or getattr(self.instance, "event", None)
        categories = cleaned.get("categories") or []
        if event is not None and any(c.event_id != event.pk for c in categories):
            self.add_error("categories", _("Choose categories of this zone's event only."))
        return cleaned


@admin.register(Zone)
class ZoneAdmin(TranslationAdmin):
    form = ZoneForm
    list_display = ("__str__", "event", "is_entrance", "position", "active", "door_link")
    list_select_related = ("event",)
    list_filter = (EventFilter,)
    fields = ("event", "name", "categories", "position", "active", "is_entrance")
    readonly_fields = ("is_entrance",)
    filter_horizontal = ("categories",)

    @admin.display(description=_("check-in page"))
    def door_link(self, zone):
        url = reverse("checkin:page", args=[zone.event_id]) + f"?zone={zone.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if may_scan(request.user) else [f for f in shown if f != "door_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_visible_to(request.user))

    def get_readonly_fields(self, request, obj=None):
        return ("event", "is_entrance") if obj else ("is_entrance",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = events_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "categories":
            categories = DelegateCategory.objects.filter(event__in=events_visible_to(request.user))
            zone_id = request.resolver_match.kwargs.get("object_id")
            if zone_id and str(zone_id).isdigit():
                categories = categories.filter(event__checkin_zones__pk=int(zone_id))
            kwargs["queryset"] = categories.select_related("event")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # scans refer to it; close a zone with "active" instead


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ("scanned_at", "event", "zone", "registration", "outcome", "reason",
                    "by", "device", "offline", "undone_at")  # fmt: skip
    list_select_related = ("event", "zone", "registration", "by")
    list_filter = (EventFilter, ZoneFilter, "outcome", "offline")
    search_fields = ("=registration__reference",)
    show_full_result_count = False
    fields = ("event", "zone", "registration", "method", "outcome", "reason", "scanned_at",
              "received_at", "by", "device", "offline", "client_id", "token_hash",
              "undone_at", "undone_by")  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return scans_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
