"""Add-ons in the admin: each event's add-ons with places used, left and waiting; their
bookings (cancel through the service); the site-visit manifest as CSV or XLSX.

Every queryset, choice and download starts from `events_visible_to(request.user)`. Capacity
changes go through `services.change_add_on_capacity` (a raised capacity promotes the
waitlist); bookings are made by delegates or through the services, never typed in here."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TabbedTranslationAdmin

from events.selectors import events_visible_to
from registrations.models import DelegateCategory

from . import exports, selectors, services
from .models import AddOn, AddOnBooking, AddOnBookingHistory


@admin.register(AddOn)
class AddOnAdmin(TabbedTranslationAdmin):
    list_display = (
        "name",
        "event",
        "kind",
        "price",
        "currency",
        "capacity",
        "used",
        "left",
        "waiting",
        "active",
        "manifest_links",
    )
    list_filter = ("kind", "active")
    list_select_related = ("event",)
    search_fields = ("name", "event__title")
    filter_horizontal = ("categories",)
    show_facets = admin.ShowFacets.NEVER
    fields = (
        "event", "kind", "name", "description", "price", "currency", "capacity", "categories",
        "asks_ppe_size", "asks_passport_name", "sale_starts_at", "sale_ends_at", "position",
        "active",
    )  # fmt: skip

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(event__in=events_visible_to(request.user))
        return selectors.with_counts(queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = events_visible_to(request.user).order_by("-start_date")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "categories":
            kwargs["queryset"] = DelegateCategory.objects.filter(
                event__in=events_visible_to(request.user)
            ).select_related("event")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Moving an add-on to another event would carry its bookings along.
        return ("event",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False  # bookings are kept (PROTECT); make it inactive instead

    @admin.display(description=_("used"), ordering="used")
    def used(self, add_on):
        return add_on.used

    @admin.display(description=_("left"))
    def left(self, add_on):
        left = selectors.places_left(add_on)
        return "∞" if left is None else left

    @admin.display(description=_("waitlist"), ordering="waiting")
    def waiting(self, add_on):
        return add_on.waiting

    @admin.display(description=_("manifest"))
    def manifest_links(self, add_on):
        if add_on.pk is None:
            return "-"
        return format_html(
            '<a href="{}">CSV</a> · <a href="{}">XLSX</a>',
            reverse("admin:addons_addon_manifest", args=[add_on.pk, "csv"]),
            reverse("admin:addons_addon_manifest", args=[add_on.pk, "xlsx"]),
        )

    def save_model(self, request, obj, form, change):
        if change and "capacity" in form.changed_data:
            capacity = obj.capacity
            obj.capacity = form.initial.get("capacity")
            obj.save()
            promoted = services.change_add_on_capacity(
                obj, capacity=capacity, acting_user=request.user
            )
            obj.capacity = capacity
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d booking moved up from the waitlist.",
                        "%(count)d bookings moved up from the waitlist.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                    messages.SUCCESS,
                )
        else:
            obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Categories of another event make no sense for this add-on: drop them.
        add_on = form.instance
        add_on.categories.remove(*add_on.categories.exclude(event_id=add_on.event_id))

    def get_urls(self):
        return [
            path(
                "<int:add_on_id>/manifest.<str:file_format>",
                self.admin_site.admin_view(self.manifest_view),
                name="addons_addon_manifest",
            ),
            *super().get_urls(),
        ]

    def manifest_view(self, request, add_on_id, file_format):
        """The add-on's manifest (confirmed bookings) as CSV or XLSX; special personal data
        only for holders of `accounts.view_special_personal_data`."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if file_format not in ("csv", "xlsx"):
            raise PermissionDenied
        add_on = get_object_or_404(
            AddOn.objects.filter(event__in=events_visible_to(request.user)), pk=add_on_id
        )
        columns = exports.manifest_columns(
            add_on,
            special_personal_data=request.user.has_perm(exports.SPECIAL_PERMISSION),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"manifest-{slugify(add_on.name_en or add_on.name) or add_on.pk}-{stamp}"
        if file_format == "csv":
            response = HttpResponse(
                exports.manifest_csv(add_on, columns), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(
                exports.manifest_xlsx(add_on, columns),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
        return response


@admin.action(
    permissions=["change"],
    description=_("Cancel the selected bookings (their places go to the waitlist)"),
)
def cancel_bookings(modeladmin, request, queryset):
    cancelled = 0
    for booking in queryset.filter(status__in=AddOnBooking.ACTIVE_STATUSES):
        try:
            services.cancel_booking(booking, acting_user=request.user)
        except services.AddOnError as refusal:
            modeladmin.message_user(request, refusal.message, messages.WARNING)
        else:
            cancelled += 1
    modeladmin.message_user(
        request,
        ngettext("%(count)d booking cancelled.", "%(count)d bookings cancelled.", cancelled)
        % {"count": cancelled},
        messages.SUCCESS,
    )


class HistoryInline(admin.TabularInline):
    model = AddOnBookingHistory
    fields = ("at", "actor", "action", "from_status", "to_status", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AddOnBooking)
class AddOnBookingAdmin(admin.ModelAdmin):
    list_display = ("registration", "delegate_name", "add_on", "status", "waitlisted_at", "price")
    list_select_related = ("registration", "add_on__event")
    list_filter = ("status", "add_on__kind")
    search_fields = ("registration__reference", "registration__last_name", "add_on__name")
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    actions = (cancel_bookings,)
    inlines = (HistoryInline,)
    fields = (
        "registration", "add_on", "status", "price", "currency", "ppe_size", "waitlisted_at",
        "created_at",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(add_on__event__in=events_visible_to(request.user))
        )

    @admin.display(description=_("delegate"), ordering="registration__last_name")
    def delegate_name(self, booking):
        return booking.registration.full_name

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
