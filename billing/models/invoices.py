"""Invoices and credit notes, their lines, their gapless numbering, and the buyer's details.

An issued document is never edited or deleted: `billing.services` only ever inserts and
issues, the admin shows issued documents read-only, and on PostgreSQL a trigger (migration
0001) refuses any change to an issued document's fields or lines — only its PDF and the
reminder and overdue marks may still be written. A mistake is corrected by a credit note.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from registrations.models import Registration

from ..money import MAX_DECIMAL_PLACES, MAX_DIGITS
from ..references import display_reference
from .entities import IssuingEntity


def _amount(verbose_name):
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=MAX_DECIMAL_PLACES
    )


class BillingDetails(models.Model):
    """Whom to invoice for a registration, as the delegate gave it on the registration form
    (kept for waitlisted registrations too, so their invoice can be made on promotion)."""

    class InvoiceTo(models.TextChoices):
        PERSON = "person", _("To me")
        ORGANISATION = "organisation", _("To my organisation")

    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        related_name="billing_details",
        verbose_name=_("registration"),
    )
    invoice_to = models.CharField(
        _("invoice to"), max_length=12, choices=InvoiceTo.choices, default=InvoiceTo.PERSON
    )
    organisation = models.CharField(_("organisation's legal name"), max_length=200, blank=True)
    address = models.TextField(_("billing address"), max_length=500, blank=True)
    country = CountryField(_("country"), blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("billing details")
        verbose_name_plural = _("billing details")

    def __str__(self):
        return self.organisation or str(self.registration)


class InvoiceSequence(models.Model):
    """The last number an entity issued in a year. Its row is locked (`select_for_update`)
    while a number is assigned, so numbers have no gap and no duplicate."""

    entity = models.ForeignKey(
        IssuingEntity, on_delete=models.PROTECT, related_name="sequences", verbose_name=_("entity")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice number sequence")
        verbose_name_plural = _("invoice number sequences")
        constraints = [
            models.UniqueConstraint(fields=["entity", "year"], name="billing_sequence_unique_year")
        ]

    def __str__(self):
        return f"{self.entity.invoice_prefix}-{self.year}: {self.last_number}"


def invoice_pdf_path(instance: "Invoice", filename: str) -> str:
    # A random folder: the number alone would be guessable. Served only through views that
    # check who asks (MEDIA_ROOT is not public).
    return f"billing/{instance.year}/{secrets.token_urlsafe(16)}/{filename}"


class Invoice(models.Model):
    """An invoice or a credit note. A credit note's amounts are negative (it takes money back
    off its invoice), so summing documents gives what the buyer owes."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        DISCARDED = "discarded", _("Discarded draft")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    entity = models.ForeignKey(
        IssuingEntity,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("issuing entity"),
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("registration"),
    )
    credits = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("credits invoice"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    number = models.CharField(_("number"), max_length=40, blank=True, default="")
    sequence_number = models.PositiveIntegerField(_("number in the year"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))

    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_organisation = models.CharField(_("buyer's organisation"), max_length=200, blank=True)
    buyer_address = models.TextField(_("buyer's address"), max_length=500, blank=True)
    buyer_country = CountryField(_("buyer's country"), blank=True)
    buyer_vat_number = models.CharField(_("buyer's VAT number"), max_length=30, blank=True)
    buyer_email = models.EmailField(_("buyer's e-mail address"), max_length=254)

    currency = models.CharField(_("currency"), max_length=3)
    net = _amount(_("net"))
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat = _amount(_("VAT"))
    gross = _amount(_("gross"))
    reverse_charge = models.BooleanField(_("reverse charge"), default=False)
    vat_exempt = models.BooleanField(_("exempt from VAT"), default=False)

    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    payment_reference = models.CharField(
        _("payment reference"),
        max_length=20,
        blank=True,
        default="",
        help_text=_("Stored without spaces; shown in groups of four."),
    )
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("The languages printed, in order.")
    )
    pdf = models.FileField(_("PDF"), upload_to=invoice_pdf_path, max_length=255, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    overdue_since = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created_at", "-pk"]
        permissions = [("view_billing", _("Can see invoices and payments"))]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "number"],
                condition=~Q(number=""),
                name="billing_invoice_number",
            ),
            models.UniqueConstraint(
                fields=["entity", "year", "sequence_number"], name="billing_invoice_sequence"
            ),
            models.UniqueConstraint(
                fields=["payment_reference"],
                condition=~Q(payment_reference=""),
                name="billing_invoice_payment_reference",
            ),
            # One draft at a time per registration, and one credit note per invoice.
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(status="draft", kind="invoice"),
                name="billing_one_draft_per_registration",
            ),
            models.UniqueConstraint(
                fields=["credits"],
                condition=Q(kind="credit_note") & ~Q(status="discarded"),
                name="billing_one_credit_note_per_invoice",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credits__isnull=True)
                | Q(kind="credit_note", credits__isnull=False),
                name="billing_credit_note_credits_an_invoice",
            ),
            models.CheckConstraint(
                condition=Q(
                    status="issued",
                    sequence_number__isnull=False,
                    issued_on__isnull=False,
                )
                & ~Q(number="")
                | (~Q(status="issued") & Q(number="", sequence_number__isnull=True)),
                name="billing_issued_has_number",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "issued", "discarded"]),
                name="billing_invoice_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(gross=models.F("net") + models.F("vat")),
                name="billing_gross_is_net_plus_vat",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "issued_on"], name="billing_invoice_entity_date"),
            models.Index(fields=["status", "due_on"], name="billing_invoice_due"),
        ]

    def __str__(self):
        return self.number or _("Draft %(pk)s") % {"pk": self.pk}

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def payment_reference_display(self) -> str:
        return display_reference(self.payment_reference)


class InvoiceLine(models.Model):
    """One line of a document. `description` holds the text in each of the document's
    languages ({"en": …, "ru": …}), written when the line is made: later renames of the
    category do not change an issued invoice."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice")
    )
    position = models.PositiveSmallIntegerField(
        pgettext_lazy("invoice line", "position"), default=1
    )
    description = models.JSONField(_("description"), default=dict)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=3, default=1)
    unit_price = _amount(_("unit price"))
    net = _amount(_("net"))
    vat = _amount(_("VAT"))
    gross = _amount(_("gross"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position", "pk"]

    def __str__(self):
        return self.description_in(settings.LANGUAGE_CODE)

    def description_in(self, language: str) -> str:
        """The line's text in `language`, else in the first language it has."""
        if language in self.description:
            return self.description[language]
        return next(iter(self.description.values()), "")
