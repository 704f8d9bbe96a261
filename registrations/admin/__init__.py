"""A minimal admin for categories and registrations (the secretariat's full admin comes with
roles and bulk actions). Statuses are read-only here: they change only through the services,
which enforce capacity, write the history and send the e-mails."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from .models import DelegateCategory, Registration, RegistrationHistory


@admin.register(DelegateCategory)
class DelegateCategoryAdmin(TabbedTranslationAdmin):
    list_display = (
        "name",
        "event",
        "price",
        "currency",
        "capacity",
        "requires_approval",
        "is_open",
        "display_order",
    )
    list_filter = ("event", "requires_approval", "is_open")
    list_select_related = ("event",)
    search_fields = ("name", "code", "event__title")

    def get_readonly_fields(self, request, obj=None):
        # Changing a capacity must promote the waitlist (services.change_category_capacity).
        return ("capacity",) if obj is not None else ()


class RegistrationHistoryInline(admin.TabularInline):
    model = RegistrationHistory
    fields = ("at", "action", "from_status", "to_status", "actor", "reason", "details")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "pk")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "last_name",
        "first_name",
        "organisation",
        "event",
        "category",
        "status",
        "created_at",
    )
    list_filter = ("status",)
    list_select_related = ("event", "category")
    search_fields = ("reference", "last_name", "first_name", "email", "organisation")
    show_full_result_count = False
    inlines = (RegistrationHistoryInline,)

    def get_readonly_fields(self, request, obj=None):
        # Every field: corrections and decisions go through registrations.services.
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
