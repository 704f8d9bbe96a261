from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from .models import Event, Forum


@admin.register(Forum)
class ForumAdmin(TabbedTranslationAdmin):
    list_display = ("name", "slug", "region", "secretariat_email", "display_order")
    list_editable = ("display_order",)
    prepopulated_fields = {"slug": ("name_en",)}
    search_fields = ("name", "slug")


@admin.register(Event)
class EventAdmin(TabbedTranslationAdmin):
    list_display = ("title", "forum", "start_date", "end_date", "city", "status", "capacity")
    list_filter = ("forum", "status", "year")
    list_select_related = ("forum",)
    search_fields = ("title", "slug", "city")
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ("title_en",)}
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
                    "secretariat_email",
                )
            },
        ),
    )
