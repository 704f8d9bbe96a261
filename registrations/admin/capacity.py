"""Events and categories in the admin, where capacity changes go through the services.

`events` knows nothing of registrations, so the event admin defined there is replaced here
by a subclass whose save calls `change_event_capacity`: raising a capacity promotes the
waitlist (history rows and e-mails included), and the page says how many were promoted.
The subclass also tells the secretariat which texts still lack a language (the event's, its
forum's and its categories', `selectors.event_missing_translations`): a notice on the change
page and a "translations complete" column in the list.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from events.admin import EventAdmin
from events.models import Event
from events.selectors import events_visible_to, languages_missing

from .. import selectors, services
from ..models import DelegateCategory


def _report_promoted(modeladmin, request, promoted: list) -> None:
    if promoted:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d registration was promoted from the waitlist.",
                "%(count)d registrations were promoted from the waitlist.",
                len(promoted),
            )
            % {"count": len(promoted)},
            messages.SUCCESS,
        )


def _fields_except_capacity(obj) -> list[str]:
    """The columns an admin save writes directly; the capacity goes through the services."""
    return [
        field.name
        for field in obj._meta.concrete_fields
        if not field.primary_key and field.name != "capacity"
    ]


admin.site.unregister(Event)


@admin.register(Event)
class EventCapacityAdmin(EventAdmin):
    list_display = (*EventAdmin.list_display, "translations_complete")

    def get_queryset(self, request):
        # The column reads every category's texts: one query for the page, not one per row.
        return super().get_queryset(request).select_related("forum").prefetch_related("categories")

    @admin.display(description=_("translations complete"))
    def translations_complete(self, obj):
        missing = languages_missing(selectors.event_missing_translations(obj))
        if not missing:
            return gettext("yes")
        return gettext("missing: %(languages)s") % {"languages": ", ".join(missing)}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            event = self.get_object(request, unquote(object_id))
            if event is not None:
                self._report_missing_translations(request, event)
        return super().change_view(request, object_id, form_url, extra_context)

    def _report_missing_translations(self, request, event) -> None:
        gaps = selectors.event_missing_translations(event)
        if not gaps:
            return
        listed = "; ".join(f"{label} ({', '.join(languages)})" for label, languages in gaps.items())
        self.message_user(
            request,
            # Visitors reading a missing language get the English text (or nothing).
            gettext(
                "Some texts are not written in every language yet; add them before "
                "publishing: %(missing)s."
            )
            % {"missing": listed},
            messages.WARNING,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Lock the event first (the services' order, and their lock mode), then write every
        # field but the capacity: the capacity the form read was read without a lock, so only
        # the service, under the lock, sets it (and promotes into any new places). One
        # transaction, so the e-mails leave only if both writes commit.
        with transaction.atomic():
            Event.objects.select_for_update(no_key=True).only("pk").get(pk=obj.pk)
            obj.save(update_fields=_fields_except_capacity(obj))
            if "capacity" in form.changed_data:
                promoted = services.change_event_capacity(
                    obj, capacity=obj.capacity, acting_user=request.user
                )
                _report_promoted(self, request, promoted)


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
        "invite_only",
        "display_order",
    )
    list_filter = ("requires_approval", "is_open", "invite_only")
    list_select_related = ("event",)
    search_fields = ("name", "code", "event__title")
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = events_visible_to(request.user).order_by("-start_date")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None:
            # Moving a category to another event would carry its registrations (and their
            # places) along without either event's capacity being checked.
            return (*readonly, "event")
        return readonly

    def has_delete_permission(self, request, obj=None):
        return False  # categories hold registrations (PROTECT); close them instead

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        # The event row first, then the category: the order register_delegate and the capacity
        # services lock in. Saving the category (which locks its row) before the service took
        # the event lock was the reverse order, and deadlocked against a registration.
        with transaction.atomic():
            Event.objects.select_for_update(no_key=True).only("pk").get(pk=obj.event_id)
            obj.save(update_fields=_fields_except_capacity(obj))
            if "capacity" in form.changed_data:
                promoted = services.change_category_capacity(
                    obj, capacity=obj.capacity, acting_user=request.user
                )
                _report_promoted(self, request, promoted)
