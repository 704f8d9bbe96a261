"""Forums and events in the admin, scoped like everything in the back office: an organiser
sees only their own forums and their events (`selectors.forums_visible_to`). Capacity changes
go through the registration services: `registrations.admin.capacity` replaces the event admin
registered here with a subclass that saves the capacity through them."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from minex.countries import country_choices

from .models import Event, Forum
from .selectors import events_visible_to, forums_visible_to


@admin.register(Forum)
class ForumAdmin(TabbedTranslationAdmin):
    list_display = ("name", "slug", "region", "secretariat_email", "display_order")
    list_editable = ("display_order",)
    prepopulated_fields = {"slug": ("name_en",)}
    search_fields = ("name", "slug")
    filter_horizontal = ("organisers",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=forums_visible_to(request.user))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "organisers":
            # Organisers are staff accounts (they log in to the back office).
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True).order_by("email")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # forums hold events (PROTECT)


@admin.register(Event)
class EventAdmin(TabbedTranslationAdmin):
    list_display = ("title", "forum", "start_date", "end_date", "city", "status", "capacity")
    list_filter = (("forum", admin.RelatedOnlyFieldListFilter), "status", "year")
    list_select_related = ("forum",)
    search_fields = ("title", "slug", "city")
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ("title_en",)}
    show_facets = admin.ShowFacets.NEVER
    fieldsets = (
        (None, {"fields": ("forum", "edition_number", "year", "title", "tagline", "slug")}),
        (
            _("Place and dates"),
            {
                "fields": (
                    ("start_date", "end_date"),
                    "dates_are_provisional",
                    "time_zone",
                    "city",
                    "country",
                    "venue",
                )
            },
        ),
        (_("Content"), {"fields": ("description", "programme")}),
        (
            _("Registration"),
            {
                "fields": (
                    "status",
                    ("registration_opens_at", "registration_closes_at"),
                    "capacity",
                    "waitlist_enabled",
                    "substitution_cutoff",
                    "secretariat_email",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=events_visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "forum":
            kwargs["queryset"] = forums_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "country":
            # In the admin user's alphabet (Kazakh too), built once per language.
            kwargs["choices"] = country_choices
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # events hold registrations (PROTECT); archive them instead
