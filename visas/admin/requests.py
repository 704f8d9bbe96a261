"""The secretariat's visa request admin.

- Scoped: every queryset (the changelist, the change page, the buttons, the event filter's
  choices) starts from the forums the user may see (`events.selectors.events_visible_to`);
  another forum's request is "missing", as Django treats an id that does not exist.
- Passport data (`VisaRequest.PASSPORT_DATA_FIELDS`) is shown only to holders of
  `visas.view_passport_data`; each change-page view by such a user leaves a
  `PassportDataAccess` row. It is never in the changelist, its search or its filters.
- No raw writes: everything is read-only; statuses change only through the buttons
  (`decisions.py`, calling the services). Nothing is added or deleted here.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.urls import path
from django.utils.translation import gettext_lazy as _

from events.selectors import events_visible_to

from ..models import PassportDataAccess, VisaLetter, VisaRequest, VisaRequestHistory
from ..selectors import can_see_passport_data, requests_visible_to
from ..services import log_passport_access
from . import decisions

PASSPORT_FIELDS = frozenset(VisaRequest.PASSPORT_DATA_FIELDS)


class VisaEventFilter(admin.SimpleListFilter):
    title = _("event")
    parameter_name = "event"

    def lookups(self, request, model_admin):
        events = events_visible_to(request.user).order_by("-start_date", "pk")
        return [(event.pk, event.title) for event in events]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not str(value).isdigit():
            return queryset.none()
        return queryset.filter(registration__event_id=int(value))


class VisaRequestHistoryInline(admin.TabularInline):
    model = VisaRequestHistory
    fields = ("at", "action", "from_status", "to_status", "actor", "reason", "details")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "pk")
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_view_permission(self, request, obj=None):
        # Part of the request's page: whoever may see the request sees these rows.
        return request.user.has_perm("visas.view_visarequest")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VisaLetterInline(admin.TabularInline):
    model = VisaLetter
    fields = (
        "number",
        "version",
        "status",
        "created_at",
        "rendered_at",
        "voided_at",
        "void_reason",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-version",)
    verbose_name_plural = _("letters")

    def has_view_permission(self, request, obj=None):
        # Part of the request's page: whoever may see the request sees these rows.
        return request.user.has_perm("visas.view_visarequest")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VisaRequest)
class VisaRequestAdmin(admin.ModelAdmin):
    change_form_template = "admin/visas/visarequest/change_form.html"
    list_display = (
        "number",
        "delegate_name",
        "event",
        "status",
        "too_late",
        "filing_deadline",
        "entry_date",
        "petition_number",
        "created_at",
    )
    list_display_links = ("number",)
    list_filter = (VisaEventFilter, "status", "too_late", "application_kind")
    list_select_related = ("registration__event",)
    search_fields = (
        "registration__reference",
        "registration__last_name",
        "registration__email",
        "petition_number",
    )
    search_help_text = _("Registration reference, delegate's last name or e-mail, petition number.")
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    inlines = (VisaLetterInline, VisaRequestHistoryInline)
    fieldsets = (
        (
            _("Request"),
            {
                "fields": (
                    "registration",
                    "status",
                    "petition_number",
                    "filing_deadline",
                    "too_late",
                    "created_at",
                    "updated_at",
                    "passport_data_wiped_at",
                )
            },
        ),
        (
            _("Trip"),
            {
                "fields": (
                    "entry_date",
                    "exit_date",
                    "application_kind",
                    "consulate_city",
                    "employer",
                    "position",
                )
            },
        ),
        (_("Passport"), {"fields": VisaRequest.PASSPORT_DATA_FIELDS}),
    )

    @admin.display(description=_("number"), ordering="pk")
    def number(self, visa_request):
        return visa_request.number

    @admin.display(description=_("delegate"), ordering="registration__last_name")
    def delegate_name(self, visa_request):
        return visa_request.registration.full_name

    @admin.display(description=_("event"), ordering="registration__event")
    def event(self, visa_request):
        return visa_request.registration.event.title

    # Scoping -----------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = requests_visible_to(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_object(self, request, object_id, from_field=None):
        queryset = self.get_queryset(request).select_related("registration__event__forum")
        try:
            return queryset.get(pk=self.opts.pk.to_python(object_id))
        except (VisaRequest.DoesNotExist, ValidationError, ValueError):
            return None

    def lookup_allowed(self, lookup, value, request=None):
        # Encrypted columns cannot be filtered meaningfully, and `sex` / `nationality` would
        # reveal passport data row by row: refused (400) for everyone.
        if lookup.split("__")[0] in PASSPORT_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    # Passport data: shown only to holders of the permission, and every view logged --------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if can_see_passport_data(request.user):
            return fieldsets
        return [
            (name, options)
            for name, options in fieldsets
            if not set(options["fields"]) & PASSPORT_FIELDS
        ]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            # Nothing here is saved by a form (a raw save would skip the services and the
            # history): the buttons post to their own URLs.
            return HttpResponseNotAllowed(["GET"])
        response = super().change_view(request, object_id, form_url, extra_context)
        visa_request = getattr(request, "_visa_request_shown", None)
        if visa_request is not None and can_see_passport_data(request.user):
            log_passport_access(
                request.user,
                what=PassportDataAccess.What.VIEWED_ADMIN,
                request=visa_request,
                event=visa_request.registration.event,
            )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            request._visa_request_shown = obj
        context["decision_buttons"] = (
            decisions.buttons_for(self, request, obj) if change and obj is not None else []
        )
        # Nothing on this page is saved by a form: no Save buttons.
        context.update(
            show_save=False,
            show_save_and_continue=False,
            show_save_and_add_another=False,
            show_delete=False,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        opts = self.model._meta
        return [
            # Before Django's own: its `<path:object_id>/` catch-all would take these.
            *(
                path(
                    f"<path:object_id>/{button.name}/",
                    self.admin_site.admin_view(self._decision_view(button)),
                    name=button.url_name(opts),
                )
                for button in decisions.BUTTONS
            ),
            *super().get_urls(),
        ]

    def _decision_view(self, button):
        def view(request, object_id):
            return decisions.decision_view(self, request, object_id, button)

        return view
