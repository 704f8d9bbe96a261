"""Money received (and refunded) against documents, and billing's audit trail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..money import MAX_DECIMAL_PLACES, MAX_DIGITS
from .invoices import Invoice


class Payment(models.Model):
    """Money received against an invoice (positive), or paid back against a credit note or
    an overpaid invoice (negative: a refund). Never edited: a wrong entry is reversed by
    another. `external_id` makes automatic sources idempotent: a statement line's hash or a
    Stripe event id is booked once, however often it arrives."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Recorded by staff")
        STATEMENT = "statement", _("Bank statement")
        STRIPE = "stripe", _("Stripe")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=MAX_DIGITS,
        decimal_places=MAX_DECIMAL_PLACES,
        help_text=_("Negative for a refund."),
    )
    currency = models.CharField(_("currency"), max_length=3)
    received_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    bank_reference = models.CharField(_("bank reference"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    external_id = models.CharField(
        _("external id"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("A statement line's fingerprint or a Stripe event id."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["invoice", "received_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="billing_payment_external_id",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="billing_payment_not_zero"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.received_on})"

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


class BillingHistory(models.Model):
    """One thing that happened to a document (made, issued, sent, paid, credited, reminded):
    who, when, and the details. Written only by billing's services, in the same transaction.

    `action` takes one of `Action`'s values; the column has no database choices, so another
    part of billing can add an action without a migration."""

    class Action(models.TextChoices):
        DRAFTED = "drafted", _("Draft made")
        ISSUED = "issued", _("Issued")
        DISCARDED = "discarded", _("Draft discarded")
        CREDITED = "credited", _("Credit note made")
        PAYMENT_RECORDED = "payment_recorded", _("Payment recorded")
        REFUND_RECORDED = "refund_recorded", _("Refund recorded")
        REMINDER_SENT = "reminder_sent", _("Payment reminder sent")
        MARKED_OVERDUE = "marked_overdue", _("Flagged overdue")
        AUTO_CANCELLED = "auto_cancelled", _("Registration cancelled for non-payment")
        PDF_RENDERED = "pdf_rendered", _("PDF made")
        SENT = "sent", _("Sent to the buyer")
        RECEIPT_SENT = "receipt_sent", _("Receipt sent")
        STATEMENT_MATCHED = "statement_matched", _("Matched from a bank statement")
        CHECKOUT_STARTED = "checkout_started", _("Card payment started")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="history", verbose_name=_("invoice")
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the portal acted on its own (a reminder, a webhook)."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=40)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("billing history entry")
        verbose_name_plural = _("billing history")
        ordering = ["invoice", "at", "pk"]
        indexes = [models.Index(fields=["invoice", "at"], name="billing_history_idx")]

    def __str__(self):
        return f"{self.invoice_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        try:
            return self.Action(self.action).label
        except ValueError:
            return self.action
