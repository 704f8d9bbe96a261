"""The export log in the admin: read-only, scoped to the forums the user may see."""

import posixpath

from django.contrib import admin

from events.selectors import events_visible_to

from .models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "event", "format", "variant", "status", "row_count")
    list_filter = ("format", "variant", "status")
    list_select_related = ("user", "event")
    search_fields = ("user__email", "event__slug")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "created_at", "finished_at", "user", "event", "format", "variant", "language",
        "filters", "columns", "status", "started_at", "attempts", "rows_total", "rows_done",
        "row_count", "file_name", "failure", "error",
    )  # fmt: skip
    readonly_fields = fields

    # The file's name only, not the FileField's link: MEDIA_URL is not served (attendee lists
    # are personal data); the export's owner downloads it through exports:export_download.
    @admin.display(description=ExportLog._meta.get_field("file").verbose_name)
    def file_name(self, export):
        return posixpath.basename(export.file.name) if export.file else "-"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
