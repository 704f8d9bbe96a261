"""Who issues and how each event bills: entities with their bank accounts, event billing
rules and the issuer per currency."""

from django.contrib import admin

from events.selectors import events_visible_to

from ..models import BankAccount, EventBilling, EventIssuer, IssuingEntity
from .base import BillingAdminMixin


class BankAccountInline(BillingAdminMixin, admin.StackedInline):
    """IBAN and BIC are checked (and written compactly) by `BankAccount.clean`, schwifty."""

    model = BankAccount
    extra = 0
    fields = (
        ("currency", "is_default"),
        "bank_name",
        ("iban", "bic"),
        ("account_number", "bank_code", "beneficiary_code"),
    )


@admin.register(IssuingEntity)
class IssuingEntityAdmin(BillingAdminMixin, admin.ModelAdmin):
    list_display = ("legal_name", "country", "invoice_prefix", "vat_mode", "vat_rate",
                    "invoice_languages")  # fmt: skip
    search_fields = ("legal_name", "invoice_prefix", "tax_number")
    inlines = [BankAccountInline]
    fieldsets = (
        (None, {"fields": ("legal_name", "address", "country", "email")}),
        (None, {"fields": ("registration_number", "tax_number")}),
        (
            None,
            {
                "fields": (
                    "vat_mode",
                    "vat_rate",
                    "reverse_charge_for_foreign_business",
                    "vat_exemption_note",
                )
            },
        ),  # fmt: skip
        (None, {"fields": ("invoice_prefix", "invoice_languages")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The prefix is part of every number already issued: fixed once used.
        if obj is not None and obj.invoices.filter(status="issued").exists():
            return ("invoice_prefix",)
        return ()


class _EventScopedAdmin(BillingAdminMixin, admin.ModelAdmin):
    list_select_related = ("event__forum",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(event__in=events_visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = events_visible_to(request.user).select_related("forum")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(EventBilling)
class EventBillingAdmin(_EventScopedAdmin):
    list_display = ("event", "payment_due_days", "cancellation_fee_percent",
                    "auto_cancel_unpaid", "reminder_days_before_due",
                    "payment_required_for_check_in")  # fmt: skip


@admin.register(EventIssuer)
class EventIssuerAdmin(_EventScopedAdmin):
    list_display = ("event", "currency", "entity")
    list_filter = ("currency", "entity")
    list_select_related = ("event__forum", "entity")
