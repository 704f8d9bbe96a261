"""Invoices and credit notes (read-only: an issued document is never edited), the
record-a-payment page, and payments."""

from decimal import Decimal

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.selectors import events_visible_to
from registrations.templatetags.money import format_money

from ..forms import RecordPaymentForm
from ..models import BillingHistory, Invoice, InvoiceLine, Payment
from ..selectors import PaymentState, payment_status, state_for
from ..services import BillingError, record_payment, record_refund
from .base import BillingAdminMixin, ReadOnlyInline, may_see_billing

_MONEY = DecimalField(max_digits=16, decimal_places=3)


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ("position", "description_text", "quantity", "unit_price", "net", "vat", "gross")
    readonly_fields = fields

    @admin.display(description=_("description"))
    def description_text(self, line):
        return " / ".join(line.description.values())


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("received_on", "amount", "method", "bank_reference", "source", "recorded_by")
    readonly_fields = fields


class HistoryInline(ReadOnlyInline):
    model = BillingHistory
    fields = ("at", "action_label", "actor", "details")
    readonly_fields = fields
    verbose_name_plural = _("history")


@admin.register(Invoice)
class InvoiceAdmin(BillingAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "issued_on", "buyer", "net_shown", "vat_shown",
                    "gross_shown", "currency", "status", "payment_state")  # fmt: skip
    list_filter = ("entity", "currency", "status", "kind", ("issued_on", admin.DateFieldListFilter))
    list_select_related = ("entity",)
    date_hierarchy = "issued_on"
    search_fields = ("number", "payment_reference", "buyer_name", "buyer_organisation",
                     "buyer_email", "registration__reference")  # fmt: skip
    show_full_result_count = False
    inlines = [InvoiceLineInline, PaymentInline, HistoryInline]
    fields = (
        "kind", "status", "number", "entity", "registration_link", "credits", "issued_on",
        "due_on", "payment_reference", "buyer_name", "buyer_organisation", "buyer_address",
        "buyer_country", "buyer_vat_number", "buyer_email", "currency", "net", "vat_rate", "vat",
        "gross", "reverse_charge", "vat_exempt", "languages", "overdue_since", "money",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        registration = OuterRef("registration_id")
        issued = Invoice.objects.filter(registration_id=registration, status="issued")
        payments = Payment.objects.filter(invoice__registration_id=registration)
        return (
            super()
            .get_queryset(request)
            .filter(registration__event__in=events_visible_to(request.user))
            .annotate(
                registration_invoiced=_sum_of(issued, "gross", "registration_id"),
                registration_paid=_sum_of(payments, "amount", "invoice__registration_id"),
                registration_refunded=_sum_of(
                    payments.filter(amount__lt=0), "amount", "invoice__registration_id"
                ),
            )
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("buyer"), ordering="buyer_name")
    def buyer(self, invoice):
        return invoice.buyer_organisation or invoice.buyer_name

    @admin.display(description=_("net"), ordering="net")
    def net_shown(self, invoice):
        return format_money(invoice.net, invoice.currency)

    @admin.display(description=_("VAT"), ordering="vat")
    def vat_shown(self, invoice):
        return format_money(invoice.vat, invoice.currency)

    @admin.display(description=_("gross"), ordering="gross")
    def gross_shown(self, invoice):
        return format_money(invoice.gross, invoice.currency)

    @admin.display(description=_("payment status"))
    def payment_state(self, invoice):
        if invoice.status != Invoice.Status.ISSUED:
            return "-"
        invoiced, paid = invoice.registration_invoiced, invoice.registration_paid
        state = PaymentState(state_for(invoiced, paid, -invoice.registration_refunded))
        balance = invoiced - paid
        if balance > 0 and state == PaymentState.PARTLY_PAID:
            return format_html(
                "{} ({})",
                state.label,
                gettext("%(amount)s due") % {"amount": format_money(balance, invoice.currency)},
            )
        if balance < 0:
            return format_html(
                "{} ({})",
                state.label,
                gettext("%(amount)s overpaid")
                % {"amount": format_money(-balance, invoice.currency)},
            )
        return state.label

    @admin.display(description=_("registration"))
    def registration_link(self, invoice):
        url = reverse("admin:registrations_registration_change", args=[invoice.registration_id])
        return format_html('<a href="{}">{}</a>', url, invoice.registration.reference)

    @admin.display(description=_("payments"))
    def money(self, invoice):
        status = payment_status(invoice.registration)
        text = gettext("%(state)s: invoiced %(invoiced)s, paid %(paid)s.") % {
            "state": status.label,
            "invoiced": format_money(status.invoiced, invoice.currency),
            "paid": format_money(status.paid, invoice.currency),
        }
        if invoice.status != Invoice.Status.ISSUED:
            return text
        url = reverse("admin:billing_invoice_record_payment", args=[invoice.pk])
        return format_html('{} <a class="button" href="{}">{}</a>', text, url,
                           gettext("Record a payment or refund"))  # fmt: skip

    def get_urls(self):
        return [
            path(
                "<int:invoice_id>/record-payment/",
                self.admin_site.admin_view(self.record_payment_view),
                name="billing_invoice_record_payment",
            ),
            *super().get_urls(),
        ]

    def record_payment_view(self, request, invoice_id):
        """Book a payment (or a refund) against an issued document, through the services;
        the page shows what is owed or overpaid first."""
        if not (may_see_billing(request) and request.user.has_perm("billing.add_payment")):
            raise PermissionDenied
        invoice = self.get_queryset(request).filter(pk=invoice_id).first()
        if invoice is None or invoice.status != Invoice.Status.ISSUED:
            raise Http404
        form = RecordPaymentForm(request.POST or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                values = form.cleaned_data
                book = record_refund if values["is_refund"] else record_payment
                try:
                    book(
                        invoice,
                        amount=values["amount"],
                        received_on=values["received_on"],
                        method=values["method"],
                        bank_reference=values["bank_reference"],
                        note=values["note"],
                        acting_user=request.user,
                    )
                except BillingError as refusal:
                    form.add_error(None, refusal.message)
                else:
                    messages.success(request, gettext("The payment was recorded."))
                    return redirect("admin:billing_invoice_change", invoice.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Record a payment: %(number)s") % {"number": invoice.number},
            "invoice": invoice,
            "status": payment_status(invoice.registration),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(
            request, "admin/billing/record_payment.html", context, status=status
        )


def _sum_of(queryset, field: str, group: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(group).annotate(total=Sum(field)).values("total")[:1],
            output_field=_MONEY,
        ),
        Decimal("0"),
        output_field=_MONEY,
    )


@admin.register(Payment)
class PaymentAdmin(BillingAdminMixin, admin.ModelAdmin):
    list_display = ("received_on", "invoice", "amount", "currency", "method", "source",
                    "bank_reference", "recorded_by")  # fmt: skip
    list_filter = ("currency", "method", "source", ("received_on", admin.DateFieldListFilter))
    list_select_related = ("invoice", "recorded_by")
    search_fields = ("bank_reference", "invoice__number", "external_id")
    show_full_result_count = False
    readonly_fields = ("invoice", "amount", "currency", "received_on", "method",
                       "bank_reference", "source", "external_id", "recorded_by", "note",
                       "created_at")  # fmt: skip
    fields = readonly_fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(invoice__registration__event__in=events_visible_to(request.user))
        )

    def has_add_permission(self, request):
        return False  # through an invoice's "record a payment" page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
