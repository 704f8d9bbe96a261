"""Mailings in the admin: write (per language, placeholders checked by line), choose the
recipients with the registration admin's filters, preview, test, send, follow the progress.

Scoped like everything else: a mailing's event (and its categories) only among
``events.selectors.events_visible_to(user)``, mailings to every event only for those who see
every forum. Sending needs ``mailings.send_mailing`` (the Secretariat).
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from billing.selectors import PaymentState
from events.selectors import events_visible_to, sees_all_forums
from minex.countries import country_choices
from registrations.models import DelegateCategory, Registration

from . import services
from .models import EventReminder, Mailing
from .placeholders import PLACEHOLDERS, validate_template
from .selectors import (
    count_recipients,
    mailing_progress,
    mailings_visible_to,
    recipient_registrations,
)


def _country_choices():
    return [choice for choice in country_choices() if choice[0]]


class MailingForm(forms.ModelForm):
    statuses = forms.MultipleChoiceField(
        label=_("registration statuses"),
        choices=Registration.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty: confirmed and pending."),
    )
    countries = forms.MultipleChoiceField(
        label=_("countries"), choices=_country_choices, required=False
    )
    payment_states = forms.MultipleChoiceField(
        label=_("payment"),
        choices=PaymentState.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Empty: paid or not."),
    )

    class Meta:
        model = Mailing
        fields = [
            "name",
            "purpose",
            "subject",
            "body",
            "event",
            "categories",
            "statuses",
            "countries",
            "checked_in",
            "payment_states",
            "news_consent_only",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every text field: refused with the line named for an unknown placeholder or a
        # broken {{ … }}.
        for name, field in self.fields.items():
            if name.startswith(("subject", "body")):
                field.validators.append(validate_template)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("event") is None and cleaned.get("purpose") != Mailing.Purpose.NEWS:
            self.add_error("event", gettext("Choose the event this mailing is about."))
        categories = cleaned.get("categories")
        event = cleaned.get("event")
        if categories and any(c.event_id != getattr(event, "pk", None) for c in categories):
            self.add_error("categories", gettext("Choose categories of the chosen event."))
        return cleaned


@admin.register(Mailing)
class MailingAdmin(TabbedTranslationAdmin):
    form = MailingForm
    list_display = [
        "name",
        "purpose",
        "event",
        "status",
        "recipients_count",
        "skipped_undeliverable",
        "send_requested_at",
        "sent_by",
    ]
    list_filter = ["status", "purpose"]
    list_select_related = ["event", "sent_by"]
    search_fields = ["name"]
    show_facets = admin.ShowFacets.NEVER
    filter_horizontal = ["categories"]
    change_form_template = "admin/mailings/mailing/change_form.html"
    fieldsets = [
        (None, {"fields": ["name", "purpose"]}),
        (_("Message"), {"fields": ["subject", "body"]}),
        (
            _("Recipients"),
            {
                "fields": [
                    "event",
                    "categories",
                    "statuses",
                    "countries",
                    "checked_in",
                    "payment_states",
                    "news_consent_only",
                ]
            },
        ),
        (
            _("Sending"),
            {
                "fields": [
                    "status",
                    "created_by",
                    "sent_by",
                    "send_requested_at",
                    "queued_at",
                    "finished_at",
                    "recipients_count",
                    "skipped_undeliverable",
                ]
            },
        ),
    ]
    SENDING_FIELDS = (
        "status",
        "created_by",
        "sent_by",
        "send_requested_at",
        "queued_at",
        "finished_at",
        "recipients_count",
        "skipped_undeliverable",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=mailings_visible_to(request.user))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Mailing.Status.DRAFT:
            # Once sent, the mailing is its own record: nothing in it changes.
            return [field.name for field in Mailing._meta.fields] + ["categories"]
        return list(self.SENDING_FIELDS)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "event" in form.base_fields:
            form.base_fields["event"].queryset = events_visible_to(request.user)
            form.base_fields["event"].required = not sees_all_forums(request.user)
        if "categories" in form.base_fields:
            form.base_fields["categories"].queryset = DelegateCategory.objects.filter(
                event__in=events_visible_to(request.user)
            ).select_related("event")
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # A mailing that went out stays as the record of what was sent to whom.
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.status == Mailing.Status.DRAFT
        )

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/preview/", wrap(self.preview_view), name=f"{prefix}_preview"),
            path("<path:object_id>/test/", wrap(self.test_view), name=f"{prefix}_test"),
            path("<path:object_id>/send/", wrap(self.send_view), name=f"{prefix}_send"),
            *super().get_urls(),
        ]

    def _mailing(self, request, object_id) -> Mailing:
        mailing = self.get_object(request, unquote(object_id))
        if mailing is None:
            raise Http404
        return mailing

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        mailing = self.get_object(request, unquote(object_id))
        if mailing is not None:
            extra_context.update(
                mailing=mailing,
                recipient_count=count_recipients(mailing),
                progress=mailing_progress(mailing),
                may_send=request.user.has_perm("mailings.send_mailing"),
                placeholders=PLACEHOLDERS,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def preview_view(self, request, object_id):
        mailing = self._mailing(request, object_id)
        sample = next(iter(recipient_registrations(mailing)), None)
        previews = []
        if sample is not None:
            for code, name in settings.LANGUAGES:
                message = services.render_for(mailing, sample, language=code)
                previews.append({"code": code, "language": name, "message": message})
        return TemplateResponse(
            request,
            "admin/mailings/mailing/preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": mailing,
                "title": gettext("Preview"),
                "sample": sample,
                "previews": previews,
                "problems": services.check_mailing(mailing),
            },
        )

    def test_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        mailing = self._mailing(request, object_id)
        try:
            count = services.send_test(mailing, to_user=request.user)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        else:
            messages.success(
                request,
                gettext("%(count)d test e-mails are on their way to %(email)s.")
                % {"count": count, "email": request.user.email},
            )
        return redirect(self._change_url(mailing))

    def send_view(self, request, object_id):
        mailing = self._mailing(request, object_id)
        if not request.user.has_perm("mailings.send_mailing"):
            raise PermissionDenied
        if request.method != "POST":
            return TemplateResponse(
                request,
                "admin/mailings/mailing/send_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "original": mailing,
                    "title": gettext("Send this mailing?"),
                    "recipient_count": count_recipients(mailing),
                },
            )
        try:
            started = services.send_mailing(mailing, acting_user=request.user)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        else:
            if started:
                messages.success(request, gettext("The mailing is being sent."))
            else:
                messages.info(request, gettext("This mailing was already sent."))
        return redirect(self._change_url(mailing))

    def _change_url(self, mailing):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[mailing.pk])


@admin.register(EventReminder)
class EventReminderAdmin(TabbedTranslationAdmin):
    list_display = ["event", "days_before", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["event"]
    fields = ["event", "days_before", "note", "is_active"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = events_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
