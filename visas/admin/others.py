"""Each event's visa policy, and the read-only log of who saw passport data."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from events.selectors import events_visible_to, sees_all_forums

from ..models import PassportDataAccess, VisaPolicy


@admin.register(VisaPolicy)
class VisaPolicyAdmin(TabbedTranslationAdmin):
    """Not an inline on the event's page: `events` knows nothing of visas."""

    list_display = (
        "event",
        "earliest_days_before_entry",
        "latest_days_before_entry",
        "processing_working_days",
        "inviting_organisation",
    )
    list_select_related = ("event",)
    fieldsets = (
        (None, {"fields": ("event",)}),
        (
            _("Filing window"),
            {
                "fields": (
                    "earliest_days_before_entry",
                    "latest_days_before_entry",
                    "processing_working_days",
                )
            },
        ),
        (
            _("Inviting organisation"),
            {
                "fields": (
                    "inviting_organisation",
                    "inviting_organisation_address",
                    "signatory_name",
                    "signatory_position",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = events_visible_to(request.user).order_by("-start_date")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PassportDataAccess)
class PassportDataAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "user_email", "what", "request", "event", "detail")
    list_filter = ("what", ("at", admin.DateFieldListFilter))
    list_select_related = ("request__registration", "event")
    search_fields = ("user_email", "detail", "request__registration__reference")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 100

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        visible = Q(event__in=events_visible_to(request.user))
        if sees_all_forums(request.user):
            visible |= Q(event__isnull=True)
        return queryset.filter(visible)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
