"""Billing's forms: the billing section of the registration form (whom to invoice), and the
admin's record-a-payment form."""

import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minex.widgets import PythonWidgetRenderer
from registrations.extensions import FormSection
from registrations.forms import MultilineTextField, PlainTextField

from .models import BillingDetails, IssuingEntity, Payment

_VAT_NUMBER = re.compile(r"\A[A-Z]{2}[A-Z0-9]{2,13}\Z|\A[0-9]{12}\Z")


class BillingDetailsForm(forms.Form):
    """Whom the invoice is made out to: the delegate, or their organisation with its legal
    name, address and VAT number.

    No country list of its own: a second one would add some 11 kB to every registration page.
    The buyer's country for the VAT rule is the VAT number's prefix (IE…, DE…; EL is Greece;
    a 12-digit BIN is Kazakhstan), else the delegate's country; the address says the rest."""

    # The registration page renders many fields: its widgets are written in Python.
    default_renderer = PythonWidgetRenderer

    invoice_to = forms.ChoiceField(
        label=_("Invoice to"),
        choices=BillingDetails.InvoiceTo.choices,
        required=False,
        initial=BillingDetails.InvoiceTo.PERSON,
    )
    organisation = PlainTextField(
        label=_("Organisation's legal name"), max_length=200, required=False
    )
    address = MultilineTextField(
        label=_("Billing address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
    )
    vat_number = PlainTextField(
        label=_("VAT number"),
        max_length=30,
        required=False,
        # No help text: the page's weight budget (a refusal explains the format).
        widget=forms.TextInput(attrs={"placeholder": "IE1234567T"}),
    )

    def clean_vat_number(self):
        value = re.sub(r"[\s.\-]", "", self.cleaned_data["vat_number"]).upper()
        if value and not _VAT_NUMBER.match(value):
            raise forms.ValidationError(
                _("Enter the VAT number with its country prefix, e.g. IE1234567T.")
            )
        return value

    def clean(self):
        cleaned = super().clean()
        cleaned["invoice_to"] = cleaned.get("invoice_to") or BillingDetails.InvoiceTo.PERSON
        if cleaned["invoice_to"] == BillingDetails.InvoiceTo.ORGANISATION:
            for name in ("organisation", "address"):
                if not cleaned.get(name):
                    self.add_error(name, _("Needed for an invoice to your organisation."))
        else:
            cleaned["organisation"] = ""
            cleaned["vat_number"] = ""
        cleaned["country"] = vat_number_country(cleaned.get("vat_number") or "")
        return cleaned


# VAT-number prefixes that are not the ISO 3166 code of their country.
_VAT_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}


def vat_number_country(vat_number: str) -> str:
    """The country a (normalised) VAT number belongs to, or "" when it does not say."""
    if re.fullmatch(r"[0-9]{12}", vat_number):
        return "KZ"  # a Kazakh BIN
    prefix = vat_number[:2]
    if re.fullmatch(r"[A-Z]{2}", prefix):
        return _VAT_PREFIX_COUNTRY.get(prefix, prefix)
    return ""


def _costs_money(category) -> bool:
    return not category.is_free


BILLING_SECTION = FormSection(
    name="billing",
    legend=_("Billing details"),
    form_class=BillingDetailsForm,
    applies_to=_costs_money,
)


class RecordPaymentForm(forms.Form):
    """The secretariat books a payment against an issued invoice."""

    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=3, min_value=Decimal("0.001")
    )
    received_on = forms.DateField(label=_("Date received"), initial=timezone.localdate)
    method = forms.ChoiceField(
        label=_("Method"), choices=Payment.Method.choices, initial=Payment.Method.TRANSFER
    )
    bank_reference = PlainTextField(label=_("Bank reference"), max_length=200, required=False)
    is_refund = forms.BooleanField(
        label=_("This is a refund (money paid back to the buyer)"), required=False
    )
    note = MultilineTextField(label=_("Note"), max_length=1000, required=False)

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class AccountantListForm(forms.Form):
    """Which documents the accountant downloads: one entity, a period, a format."""

    entity = forms.ModelChoiceField(
        label=_("Issuing entity"), queryset=IssuingEntity.objects.order_by("legal_name")
    )
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")], initial="csv"
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period is before its start."))
        return cleaned
