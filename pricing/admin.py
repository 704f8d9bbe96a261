"""Codes, batches and the pricing rules in the admin, scoped by
`events.selectors.events_visible_to`. Batches of codes are made through
`pricing.services.create_codes` (the "Add code batch" page)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.selectors import events_visible_to
from registrations.models import DelegateCategory

from . import services
from .forms import CodeBatchForm
from .models import Code, CodeBatch, CodeUse, EventPricing, GroupDiscount, SectorRate
from .selectors import codes_with_use_counts


class _EventScopedAdmin(admin.ModelAdmin):
    event_path = "event"
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(**{f"{self.event_path}__in": events_visible_to(request.user)})
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = events_visible_to(request.user).order_by("-start_date")
        elif db_field.name == "category":
            kwargs["queryset"] = DelegateCategory.objects.filter(
                event__in=events_visible_to(request.user)
            ).select_related("event")
        elif db_field.name == "batch":
            kwargs["queryset"] = CodeBatch.objects.filter(event__in=events_visible_to(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "categories":
            kwargs["queryset"] = DelegateCategory.objects.filter(
                event__in=events_visible_to(request.user)
            ).select_related("event")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CodeUseInline(admin.TabularInline):
    model = CodeUse
    fields = ("registration", "used_at", "released_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("registration")


class CodeAdminForm(forms.ModelForm):
    class Meta:
        model = Code
        fields = (
            "event",
            "code",
            "discount_kind",
            "discount_value",
            "categories",
            "usage_limit",
            "valid_from",
            "valid_until",
            "owner",
            "batch",
        )

    def clean_code(self):
        return services.normalise_code(self.cleaned_data["code"])

    def clean(self):
        cleaned = super().clean()
        event = cleaned.get("event") or getattr(self.instance, "event", None)
        for category in cleaned.get("categories") or ():
            if event is not None and category.event_id != event.pk:
                self.add_error("categories", _("Choose categories of the chosen event only."))
                break
        return cleaned


@admin.register(Code)
class CodeAdmin(_EventScopedAdmin):
    form = CodeAdminForm
    list_display = (
        "code",
        "event",
        "owner",
        "discount_kind",
        "discount_value",
        "uses_display",
        "valid_until",
        "batch",
    )
    list_filter = ("discount_kind", "batch")
    list_select_related = ("event", "batch")
    search_fields = ("code", "owner", "batch__name")
    readonly_fields = ("created_by", "created_at")
    filter_horizontal = ("categories",)
    inlines = [CodeUseInline]

    def get_queryset(self, request):
        return codes_with_use_counts(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # Moving a used code to another event would leave its uses behind.
            return (*self.readonly_fields, "event")
        return self.readonly_fields

    @admin.display(description=_("uses"))
    def uses_display(self, obj):
        limit = "∞" if obj.usage_limit is None else obj.usage_limit
        return f"{obj.live_uses} / {limit}"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class CodeInline(admin.TabularInline):
    model = Code
    fields = ("code", "discount_kind", "discount_value", "usage_limit", "valid_until")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CodeBatch)
class CodeBatchAdmin(_EventScopedAdmin):
    list_display = ("name", "event", "owner", "created_at")
    list_select_related = ("event",)
    search_fields = ("name", "owner")
    readonly_fields = ("event", "created_by", "created_at")
    inlines = [CodeInline]

    def add_view(self, request, form_url="", extra_context=None):
        """A batch is made with its codes: one named code or `count` random ones."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CodeBatchForm(request.POST or None, events=events_visible_to(request.user))
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                values = form.cleaned_data
                try:
                    codes = services.create_codes(
                        values["event"],
                        count=values["count"] or 1,
                        code=values["code"],
                        prefix=values["prefix"],
                        discount_kind=values["discount_kind"],
                        discount_value=values["discount_value"],
                        categories=values["categories"],
                        usage_limit=values["usage_limit"],
                        valid_from=values["valid_from"],
                        valid_until=values["valid_until"],
                        owner=values["owner"],
                        batch_name=values["batch_name"],
                        created_by=request.user,
                    )
                except ValidationError as error:
                    for message in error.messages:
                        form.add_error(None, message)
                else:
                    messages.success(
                        request,
                        gettext("%(count)s codes were made.") % {"count": len(codes)},
                    )
                    if codes[0].batch_id:
                        return redirect("admin:pricing_codebatch_change", codes[0].batch_id)
                    return redirect("admin:pricing_code_change", codes[0].pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("New codes"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/pricing/new_codes.html", context, status=status)


@admin.register(SectorRate)
class SectorRateAdmin(_EventScopedAdmin):
    event_path = "category__event"
    list_display = ("category", "sector", "percent")
    list_select_related = ("category__event",)
    list_filter = ("sector",)


@admin.register(GroupDiscount)
class GroupDiscountAdmin(_EventScopedAdmin):
    list_display = ("event", "min_size", "percent")
    list_select_related = ("event",)


@admin.register(EventPricing)
class EventPricingAdmin(_EventScopedAdmin):
    list_display = ("event", "early_bird_by_payment")
    list_select_related = ("event",)
