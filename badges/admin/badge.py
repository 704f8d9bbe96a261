"""The badge list: the secretariat picks badges by the registration list's filters and prints
them (one PDF; more than BADGES_SYNC_MAX as a background batch), or reissues lost ones.

Scoped like every admin list (`events.selectors.events_visible_to`); read-only (badges are
created with their registration and change only through `badges.services`); printing needs
`badges.print_badges`.
"""

import tempfile

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from events.models import Event
from events.selectors import events_visible_to

from .. import selectors, services
from ..forms import PrintForm, ReissueForm
from ..models import Badge
from .filters import CategoryFilter, EventFilter, PrintedFilter, StatusFilter

PREVIEW = 50


def _reason_page(modeladmin, request, queryset, *, form, title, action, template, **extra):
    opts = modeladmin.model._meta
    count = queryset.count()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "form": form,
        "count": count,
        "badges": queryset.select_related("registration").order_by(
            "registration__last_name", "registration__first_name", "pk"
        )[:PREVIEW],
        "more": max(count - PREVIEW, 0),
        "action": action,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
        **extra,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, template, context)


@admin.action(description=_("Print selected badges…"), permissions=["print"])
def print_selected(modeladmin, request, queryset):
    """An intermediate page (how many, how many reprints, the reason a reprint needs), then
    one PDF: in the response up to BADGES_SYNC_MAX badges, else a background batch."""
    event_ids = list(
        queryset.order_by().values_list("registration__event_id", flat=True).distinct()[:2]
    )
    if len(event_ids) != 1:
        modeladmin.message_user(
            request, _("Choose the badges of one event: each event has its own design."),
            messages.ERROR,
        )  # fmt: skip
        return None
    badge_ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    reprints = selectors.reprints_among(badge_ids)
    form = PrintForm(request.POST if "apply" in request.POST else None, reprints=reprints)
    if form.is_valid():
        event = Event.objects.get(pk=event_ids[0])
        reason = form.cleaned_data["reason"]
        try:
            if len(badge_ids) <= settings.BADGES_SYNC_MAX:
                return _print_now(request, event, badge_ids, reason)
            batch = services.queue_badge_batch(
                event, badge_ids, acting_user=request.user, reason=reason,
                language=get_language() or settings.LANGUAGE_CODE,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            return redirect("admin:badges_badgebatch_status", batch.pk)
    return _reason_page(
        modeladmin, request, queryset, form=form, title=_("Print badges"),
        action="print_selected", template="admin/badges/badge/print.html",
        reprints=reprints, sync_max=settings.BADGES_SYNC_MAX,
    )  # fmt: skip


def _print_now(request, event, badge_ids, reason):
    # Spooled: a small PDF stays in memory, a large one goes to disk.
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    services.print_badges(event, badge_ids, acting_user=request.user, reason=reason, target=target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"{event.slug}-badges.pdf",
        content_type="application/pdf",
    )


@admin.action(description=_("Reissue selected badges (lost or stolen)…"), permissions=["print"])
def reissue_selected(modeladmin, request, queryset):
    """An intermediate page asking why, then a new code for each badge (the old QR stops
    working); each reissue is recorded."""
    form = ReissueForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        count = 0
        for badge in queryset.order_by("pk").only("pk"):
            services.reissue_badge(
                badge, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
            count += 1
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d badge reissued: print it again.",
                "%(count)d badges reissued: print them again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        return None
    return _reason_page(
        modeladmin, request, queryset, form=form, title=_("Reissue badges"),
        action="reissue_selected", template="admin/badges/badge/reissue.html",
    )  # fmt: skip


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = (
        "reference", "delegate_name", "organisation", "category", "status",
        "printed_at", "print_count", "reissued_count",
    )  # fmt: skip
    list_filter = (EventFilter, CategoryFilter, StatusFilter, PrintedFilter)
    list_select_related = ("registration",)
    search_fields = ("registration__reference", "registration__last_name", "=code")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = (print_selected, reissue_selected)
    ordering = ("-registration__created_at", "-pk")
    fields = (
        "reference", "delegate_name", "code", "issued_at", "reissued_count", "printed_at",
        "print_count",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("reference"), ordering="registration__reference")
    def reference(self, badge):
        return badge.registration.reference

    @admin.display(description=_("delegate"), ordering="registration__last_name")
    def delegate_name(self, badge):
        return badge.registration.full_name

    @admin.display(description=_("organisation"))
    def organisation(self, badge):
        return badge.registration.organisation

    @admin.display(description=_("category"))
    def category(self, badge):
        return badge.registration.category_name_in_language

    @admin.display(description=_("status"))
    def status(self, badge):
        return badge.registration.get_status_display()

    def get_queryset(self, request):
        visible = events_visible_to(request.user)
        return super().get_queryset(request).filter(registration__event__in=visible)

    def has_print_permission(self, request):
        return selectors.may_print_badges(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
