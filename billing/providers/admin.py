"""Payment providers' notifications in the admin, read-only: what Stripe told us and what
the portal did with it (booked, duplicate, ignored, not bookable), for the secretariat to
follow up a card payment that could not be booked."""

from django.contrib import admin

from ..models import ProviderEvent


@admin.register(ProviderEvent)
class ProviderEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "provider", "event_type", "event_id", "invoice", "outcome")
    list_filter = ("provider", "outcome")
    list_select_related = ("invoice",)
    search_fields = ("event_id", "invoice__number")
    show_facets = admin.ShowFacets.NEVER

    def has_module_permission(self, request):
        return request.user.is_active and request.user.has_perm("billing.view_billing")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
