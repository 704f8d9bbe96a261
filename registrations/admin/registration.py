"""The secretariat's registration admin.

- Scoped: every queryset (the changelist, the change page, the history page, the actions,
  the filters' choices and the on-behalf form's events) starts from the forums the user may
  see (`events.selectors`); another forum's registration is "missing", as Django treats an
  id that does not exist.
- No raw writes: statuses change only through the bulk actions and the change page's
  buttons (`decisions.py`; both call the services), details
  only through `update_registration_details` (audited), new registrations only through the
  on-behalf page (`register_on_behalf`); nothing is deleted.
- Fast at 100,000 rows: related rows joined (`list_select_related`), no full-table count
  and no facets, no date hierarchy (it scans for the years and months), filters backed by
  indexes.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.selectors import may_see_special_personal_data
from events.selectors import events_visible_to
from mail.selectors import undeliverable_address

from .. import services
from ..models import Registration, RegistrationHistory
from ..selectors import registrations_visible_to
from . import decisions, history
from .actions import ACTIONS
from .filters import (
    EVENT_PARAMETER,
    FORUM_PARAMETER,
    CategoryFilter,
    CheckedInFilter,
    CountryFilter,
    EventFilter,
    ForumFilter,
)
from .forms import OnBehalfForm, RegistrationAdminForm
from .history import hide_special_changes
from .search import search_registrations

# Changelist parameters that are the admin's own, not filters: not passed on to the exports.
NOT_FILTERS = {"o", "p", "e", "_changelist_filters", FORUM_PARAMETER, EVENT_PARAMETER}

SPECIAL_FIELDS = frozenset(Registration.SPECIAL_PERSONAL_DATA_FIELDS)


def _names_special_field(item) -> bool:
    """Whether a list_display / search_fields / list_filter entry reads a field of special
    personal data (`phone`, `^phone`, `phone__startswith`, `("phone", SomeFilter)`)."""
    if isinstance(item, (list, tuple)):
        item = item[0]
    if not isinstance(item, str):
        return False  # a filter class: none of ours reads those fields
    return item.lstrip("^=@").split("__")[0] in SPECIAL_FIELDS


class RegistrationHistoryInline(admin.TabularInline):
    model = RegistrationHistory
    fields = ("at", "action", "from_status", "to_status", "actor", "reason", "details")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "pk")
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def get_fields(self, request, obj=None):
        if may_see_special_personal_data(request.user):
            return self.fields
        return tuple("details_shown" if name == "details" else name for name in self.fields)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("details"))
    def details_shown(self, entry):
        # The old → new values of a correction, without those of special personal data.
        return json.dumps(hide_special_changes(entry.details), ensure_ascii=False)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    change_list_template = "admin/registrations/registration/change_list.html"
    form = RegistrationAdminForm
    change_form_template = "admin/registrations/registration/change_form.html"
    list_display = (
        "reference",
        "name",
        "organisation",
        "country_name",
        "event",
        "category",
        "status",
        "phone",  # special personal data: the secretariat's only (get_list_display)
        "created_at",
    )
    list_display_links = ("reference",)
    list_filter = (
        ForumFilter,
        EventFilter,
        CategoryFilter,
        "status",
        CountryFilter,
        "visa_letter_needed",
        CheckedInFilter,
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("event", "category")
    search_fields = ("reference", "last_name", "first_name", "email", "organisation")
    search_help_text = _("Name, e-mail address, organisation or reference.")
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ACTIONS
    inlines = (RegistrationHistoryInline,)

    class Media:
        css = {"all": ["registrations/admin/registration.css"]}

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "status",
                    "event",
                    "category",
                    "delegate",
                    "created_at",
                    "waitlisted_at",
                    "checked_in_at",
                )
            },
        ),
        (
            _("Delegate"),
            {
                "fields": (
                    "title",
                    "first_name",
                    "last_name",
                    "latin_name",
                    "email",
                    "email_delivery",
                    "job_title",
                    "organisation",
                    "country",
                    "phone",
                    "language",
                ),
                "description": _(
                    "Corrections are recorded in the history with old and new values."
                ),
            },
        ),
        (
            _("Needs"),
            {
                "fields": (
                    "dietary_needs",
                    "accessibility_needs",
                    "visa_letter_needed",
                    "nationality",
                    "how_heard",
                )
            },
        ),
        (
            _("Consent"),
            {
                "fields": (
                    "consent_privacy_at",
                    "privacy_policy_version",
                    "consent_attendee_list",
                    "consent_marketing",
                )
            },
        ),
        (
            _("Category and price when registered"),
            {
                "fields": (
                    "category_name",
                    "category_name_ru",
                    "category_name_kk",
                    "price",
                    "currency",
                    "early_bird",
                )
            },
        ),
    )

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        # Django's markup, written directly: rendering the checkbox widget's template for
        # each of 100 rows was a third of the page's time.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), obj),
        )

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, registration):
        return registration.full_name

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, registration):
        # The field's own display looks the code up in ~250 translated choices per row.
        return registration.country.name

    # Scoping ---------------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = registrations_visible_to(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_object(self, request, object_id, from_field=None):
        """As Django's, from the scoped queryset, with the event, the category and the
        delegate the change page shows joined in: None (Django's "does not exist") for
        another forum's registration."""
        queryset = self.get_queryset(request).select_related("event", "category", "delegate")
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Registration.DoesNotExist, ValidationError, ValueError):
            return None

    def lookup_allowed(self, lookup, value, request=None):
        # Django accepts a filter parameter spanning two relations only when it names a
        # list_filter entry's field; the forum filter is a SimpleListFilter whose parameter
        # (`event__forum__id__exact`, kept for the exports' links) is not a field path it
        # recognises, so it answered 400. The filter's own queryset runs on the scoped
        # queryset: another forum's id gives no rows.
        if lookup == FORUM_PARAMETER:
            return True
        # A querystring filter on special personal data (`?dietary_needs__icontains=...`)
        # would reveal it row by row: refused (400) without the permission.
        if _names_special_field(lookup) and not (
            request is not None and may_see_special_personal_data(request.user)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    # Special personal data: shown only to holders of the permission ---------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if may_see_special_personal_data(request.user):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in SPECIAL_FIELDS]})
            for name, options in fieldsets
        ]

    def get_list_display(self, request):
        return self._without_special(request, super().get_list_display(request))

    def get_search_fields(self, request):
        return self._without_special(request, super().get_search_fields(request))

    def get_search_results(self, request, queryset, search_term):
        # Case- and accent-insensitive, through the trigram indexes (admin/search.py).
        return search_registrations(self, request, queryset, search_term)

    def get_list_filter(self, request):
        return self._without_special(request, super().get_list_filter(request))

    def _without_special(self, request, items):
        if may_see_special_personal_data(request.user):
            return items
        return type(items)(item for item in items if not _names_special_field(item))

    # Permissions: no plain add form, no deletes; statuses never editable -------------------

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def may_register_on_behalf(self, request) -> bool:
        return request.user.has_perm("registrations.add_registration")

    def get_readonly_fields(self, request, obj=None):
        editable = set(services.EDITABLE_DETAILS)
        if obj is not None and not obj.is_active:
            editable = set()  # cancelled and rejected registrations are closed records
        return [
            *(field.name for field in self.model._meta.fields if field.name not in editable),
            "email_delivery",
        ]

    @admin.display(description=_("e-mail delivery"))
    def email_delivery(self, obj):
        """Whether the mail server refused this address for good (mailings skip it)."""
        refusal = undeliverable_address(obj.email) if obj is not None and obj.email else None
        if refusal is None:
            return gettext("No permanent refusal")
        return format_html(
            '<strong class="errornote">{}</strong> {}',
            gettext("Undeliverable since %(date)s (SMTP %(code)s): mailings skip it.")
            % {
                "date": formats.date_format(refusal.first_seen_at, "SHORT_DATE_FORMAT"),
                "code": refusal.smtp_code or "—",
            },
            refusal.reason,
        )

    # Saving details: through the service, never a raw save --------------------------------

    def save_model(self, request, obj, form, change):
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.EDITABLE_DETAILS
        }
        request._registration_not_saved = False
        try:
            services.update_registration_details(obj, acting_user=request.user, **changes)
        except services.RegistrationError as error:
            self._refuse(request, str(error.message))
        except ValidationError as error:
            self._refuse(request, " ".join(error.messages))

    def _refuse(self, request, message: str) -> None:
        request._registration_not_saved = True
        self.message_user(request, message, messages.ERROR)

    def log_change(self, request, obj, message):
        if not getattr(request, "_registration_not_saved", False):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if getattr(request, "_registration_not_saved", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # The changelist's links: on-behalf registration, "export these" ---------------------

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "on_behalf_url": (
                reverse("admin:registrations_registration_on_behalf")
                if self.may_register_on_behalf(request)
                else None
            ),
            "export_url": self._export_url(request),
        }
        return super().changelist_view(request, extra_context)

    def _export_url(self, request) -> str | None:
        """The exports page of the filtered event with the same filters, or None when no
        event (in the user's forums) is chosen: exports are per event."""
        if not request.user.has_perm("registrations.view_registration"):
            return None
        event_id = request.GET.get(EVENT_PARAMETER, "")
        if not event_id.isdigit():
            return None
        event = events_visible_to(request.user).filter(pk=int(event_id)).only("slug").first()
        if event is None:
            return None
        try:
            url = reverse("exports:export", args=[event.slug])
        except NoReverseMatch:
            return None
        filters = {
            name: value
            for name, value in request.GET.items()
            if name not in NOT_FILTERS and value != ""
        }
        return f"{url}?{urlencode(filters)}" if filters else url

    # Register on a delegate's behalf -------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "on-behalf/",
                self.admin_site.admin_view(self.on_behalf_view),
                name="registrations_registration_on_behalf",
            ),
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

    # The change page: a summary with the decision buttons; the history page ---------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["decision_buttons"] = (
            decisions.buttons_for(self, request, obj) if change and obj is not None else []
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        return history.history_view(self, request, object_id, extra_context)

    def on_behalf_view(self, request):
        """Register a delegate (VIP, phone registration) for an event in the user's forums,
        with the window and capacity overrides; `register_on_behalf` records who did it."""
        if not self.may_register_on_behalf(request):
            raise PermissionDenied
        events = events_visible_to(request.user).select_related("forum").order_by("-start_date")
        form = OnBehalfForm(request.POST or None, events=events)
        refused = False
        if request.method == "POST" and form.is_valid():
            try:
                result = services.register_on_behalf(
                    form.cleaned_data["event"],
                    email=form.cleaned_data["email"],
                    category=form.cleaned_data["category"],
                    acting_user=request.user,
                    profile=form.profile(),
                    override_window=form.cleaned_data["override_window"],
                    override_capacity=form.cleaned_data["override_capacity"],
                    **form.registration_options(),
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
                refused = True
            except ValidationError as error:
                _add_errors(form, error)
            else:
                registration = result.registration
                if result.created:
                    self.message_user(
                        request,
                        gettext("Registered %(name)s: %(reference)s, %(status)s.")
                        % {
                            "name": registration.full_name,
                            "reference": registration.reference,
                            "status": registration.get_status_display().lower(),
                        },
                        messages.SUCCESS,
                    )
                else:
                    self.message_user(
                        request,
                        gettext(
                            "%(email)s already holds registration %(reference)s for this "
                            "event; nothing was changed."
                        )
                        % {"email": registration.email, "reference": registration.reference},
                        messages.WARNING,
                    )
                return redirect("admin:registrations_registration_change", registration.pk)
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Register a delegate on their behalf"),
            "subtitle": None,
            "opts": opts,
            "app_label": opts.app_label,
            "adminform": helpers.AdminForm(form, list(form.FIELDSETS), {}),
            "form": form,
            "errors": helpers.AdminErrorList(form, []),
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        # Shown again after a POST: 409 when a rule refused it (closed, full), else 400.
        status = (409 if refused else 400) if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/registrations/registration/on_behalf.html", context, status=status
        )


def _add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form: on the field it names if the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
