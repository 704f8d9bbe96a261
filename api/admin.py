"""Tokens, webhook subscriptions and the delivery log in the admin.

A token's key and a subscription's secret are shown once, on the page that answers the
"Save" that made them, and never stored readable (the key) or shown again (the secret).
Tokens are revoked, never edited or deleted (their use stays on record). Subscriptions are
scoped to the forums the user sees (`forums_visible_to`), as everything else.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.selectors import forums_visible_to

from . import services
from .models import ApiToken, Scope, WebhookDelivery, WebhookEvent, WebhookSubscription


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ("name", "prefix", "user", "scopes", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__email")
    autocomplete_fields = ("user",)
    actions = ["revoke"]
    readonly_fields = ("name", "prefix", "user", "scopes", "created_at", "created_by",
                       "last_used_at", "revoked_at")  # fmt: skip

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ["user", "name", "scopes"] if obj is None else list(self.readonly_fields)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            token, key = services.create_token(
                form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                acting_user=request.user,
            )
        except ValidationError as error:
            request._token_refused = " ".join(error.messages)
            return
        obj.pk, request._token_key = token.pk, key

    def save_related(self, request, form, formsets, change):
        pass  # nothing related; the service saved the token

    def log_addition(self, request, obj, message):
        if obj.pk:
            super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        refused = getattr(request, "_token_refused", None)
        if refused:
            self.message_user(request, refused, messages.ERROR)
            return self.response_post_save_add(request, obj)
        token = ApiToken.objects.get(pk=obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Your new API key"),
            "token": token,
            "key": request._token_key,
        }
        response = TemplateResponse(request, "api/admin/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.revoke_token(token, acting_user=request.user)
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )

    def has_revoke_permission(self, request):
        return request.user.has_perm("api.change_apitoken") or request.user.is_superuser


class SubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ["forum", "url", "events", "is_active"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("url", "forum", "events", "is_active", "consecutive_failures", "paused_at")
    list_filter = ("is_active",)
    list_select_related = ("forum",)
    readonly_fields = ("consecutive_failures", "paused_at", "created_at", "created_by")
    actions = ["resume"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(forum__in=forums_visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "forum":
            kwargs["queryset"] = forums_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        subscription, secret = services.create_subscription(
            form.cleaned_data["forum"],
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            acting_user=request.user,
        )
        obj.pk, obj.secret, request._webhook_secret = subscription.pk, secret, secret

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Your webhook's secret"),
            "subscription": obj,
            "secret": request._webhook_secret,
        }
        response = TemplateResponse(request, "api/admin/subscription_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Resume the selected subscriptions"))
    def resume(self, request, queryset):
        for subscription in queryset:
            services.resume_subscription(subscription)
        self.message_user(request, _("Resumed."), messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent where, how often, and what the receiver answered."""

    list_display = ("created_at", "event", "subscription", "status", "attempts",
                    "last_status_code", "next_attempt_at", "delivered_at")  # fmt: skip
    list_filter = ("status", "event")
    list_select_related = ("subscription",)
    show_full_result_count = False
    readonly_fields = (
        "id", "subscription", "event", "status", "attempts", "next_attempt_at",
        "last_status_code", "last_error", "created_at", "delivered_at", "body",
    )  # fmt: skip

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(subscription__forum__in=forums_visible_to(request.user))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
