"""Badge designs (per event, with a colour per category), the print log and the batches.

Designs are edited by the secretariat (`badges.*_badgedesign`); the print log and batches are
read-only records. A batch's status page and its download are admin views, scoped to the
user's forums and open to holders of `badges.print_badges`.
"""

import posixpath

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from events.selectors import events_visible_to
from registrations.models import DelegateCategory

from .. import selectors, services
from ..models import BadgeBatch, BadgeCategoryColour, BadgeDesign, BadgePrint


class ColourInline(admin.TabularInline):
    model = BadgeCategoryColour
    fields = ("category", "colour")
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            categories = DelegateCategory.objects.filter(event__in=events_visible_to(request.user))
            design_id = request.resolver_match.kwargs.get("object_id")
            if design_id:
                categories = categories.filter(event__badge_design__pk=design_id)
            kwargs["queryset"] = categories.select_related("event")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(BadgeDesign)
class BadgeDesignAdmin(admin.ModelAdmin):
    list_display = ("event", "size", "language", "updated_at")
    list_select_related = ("event",)
    inlines = (ColourInline,)
    fieldsets = (
        (None, {"fields": ("event", "size", "language")}),
        (
            _("Shown on the badge"),
            {
                "fields": (
                    "show_native_name",
                    "show_latin_name",
                    "show_organisation",
                    "show_country",
                    "show_category",
                    "show_qr",
                )  # fmt: skip
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = events_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ("event",) if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BadgePrint)
class BadgePrintAdmin(admin.ModelAdmin):
    list_display = ("printed_at", "event", "printed_by", "badge_count", "reprints", "reason")
    list_select_related = ("event", "printed_by")
    list_filter = ("event",)
    show_full_result_count = False
    fields = ("printed_at", "event", "printed_by", "badge_count", "reprints", "reason", "batch")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BadgeBatch)
class BadgeBatchAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event", "created_by", "badges_total", "status", "status_link")
    list_select_related = ("event", "created_by")
    show_full_result_count = False
    fields = (
        "created_at", "event", "created_by", "badges_total", "badges_done", "status",
        "attempts", "started_at", "finished_at", "file_name", "reason", "error",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("file"))
    def file_name(self, batch):
        # Never the FileField's link: MEDIA_URL is not served (names and QR codes).
        return posixpath.basename(batch.file.name) if batch.file else "-"

    @admin.display(description=_("progress"))
    def status_link(self, batch):
        url = reverse("admin:badges_badgebatch_status", args=[batch.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    def get_queryset(self, request):
        return selectors.batches_visible_to(request.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:batch_id>/status/", view(self.status_view), name="badges_badgebatch_status"),
            path(
                "<int:batch_id>/download/",
                view(self.download_view),
                name="badges_badgebatch_download",
            ),
            *super().get_urls(),
        ]

    def _batch(self, request, batch_id) -> BadgeBatch:
        if not selectors.may_print_badges(request.user):
            raise PermissionDenied
        return get_object_or_404(
            selectors.batches_visible_to(request.user).select_related("event"), pk=batch_id
        )

    def status_view(self, request, batch_id):
        """The batch's progress; the page refreshes itself until the PDF is ready."""
        batch = self._batch(request, batch_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Badge print batch"),
            "subtitle": None,
            "opts": self.model._meta,
            "batch": batch,
        }
        return TemplateResponse(request, "admin/badges/badgebatch/status.html", context)

    def download_view(self, request, batch_id):
        batch = self._batch(request, batch_id)
        if batch.status != BadgeBatch.Status.DONE or not batch.file:
            raise Http404
        try:
            opened = batch.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            opened,
            as_attachment=True,
            filename=services.download_filename(batch),
            content_type="application/pdf",
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
