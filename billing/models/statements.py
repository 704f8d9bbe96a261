"""Bank statements the secretariat imports, their lines, and what each line pays.

A statement is read once (`billing.statements.services.import_statement`): its lines are
stored with the matcher's proposal (which invoices a credit pays, and how sure it is), the
secretariat reviews them, and applying books the chosen lines through
`billing.services.record_payment`. Each line carries a fingerprint of what the bank said
(account, date, amount, currency, remittance text, the bank's own id): the payment's
`external_id` is built from it, so the same line in a second import of the same statement
books nothing.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..money import MAX_DECIMAL_PLACES, MAX_DIGITS
from .entities import BankAccount
from .invoices import Invoice
from .payments import Payment


class StatementFormat(models.TextChoices):
    CSV = "csv", _("CSV (columns set per account or upload)")
    MT940 = "mt940", _("SWIFT MT940")
    CAMT053 = "camt053", _("ISO 20022 CAMT.053 (XML)")


class StatementSettings(models.Model):
    """How one bank account's CSV statements are laid out, and how far an amount may fall
    short of an invoice (the bank's fees) and still count as paying it in full."""

    class Delimiter(models.TextChoices):
        COMMA = ",", _("Comma")
        SEMICOLON = ";", _("Semicolon")
        TAB = "\t", _("Tab")

    class DecimalSeparator(models.TextChoices):
        POINT = ".", _("Point (1,234.56)")
        COMMA = ",", _("Comma (1.234,56)")

    bank_account = models.OneToOneField(
        BankAccount,
        on_delete=models.CASCADE,
        related_name="statement_settings",
        verbose_name=_("bank account"),
    )
    date_column = models.CharField(
        _("date column"),
        max_length=60,
        default="Date",
        help_text=_("The column's heading, or its number counting from 1."),
    )
    amount_column = models.CharField(
        _("amount column"),
        max_length=60,
        default="Amount",
        help_text=_("Signed: credits positive, debits negative."),
    )
    currency_column = models.CharField(
        _("currency column"),
        max_length=60,
        blank=True,
        help_text=_("Leave empty when every line is in the account's currency."),
    )
    reference_column = models.CharField(
        _("reference or description column"), max_length=60, default="Description"
    )
    counterparty_column = models.CharField(
        _("payer column"), max_length=60, blank=True, help_text=_("The payer's name, if given.")
    )
    bank_id_column = models.CharField(_("bank's transaction id column"), max_length=60, blank=True)
    delimiter = models.CharField(
        _("column separator"), max_length=1, choices=Delimiter.choices, default=Delimiter.COMMA
    )
    decimal_separator = models.CharField(
        _("decimal separator"),
        max_length=1,
        choices=DecimalSeparator.choices,
        default=DecimalSeparator.POINT,
    )
    date_format = models.CharField(
        _("date format"),
        max_length=20,
        blank=True,
        help_text=_(
            "As Python writes it, e.g. %d.%m.%Y; empty tries 2026-11-30, 30.11.2026 and 30/11/2026."
        ),
    )
    fee_tolerance = models.DecimalField(
        _("bank fee tolerance"),
        max_digits=MAX_DIGITS,
        decimal_places=MAX_DECIMAL_PLACES,
        default=Decimal("0"),
        help_text=_(
            "A transfer this much short of an invoice (in the account's currency) still "
            "matches it; the shortfall is shown."
        ),
    )

    class Meta:
        verbose_name = _("statement import settings")
        verbose_name_plural = _("statement import settings")

    def __str__(self):
        return str(self.bank_account)


class BankStatement(models.Model):
    """One uploaded statement file for a bank account, read into lines."""

    class Status(models.TextChoices):
        REVIEW = "review", _("Waiting for review")
        APPLIED = "applied", _("Applied")

    bank_account = models.ForeignKey(
        BankAccount,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("bank account"),
    )
    format = models.CharField(_("format"), max_length=10, choices=StatementFormat.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file checksum (SHA-256)"), max_length=64)
    bank_statement_id = models.CharField(_("bank's statement id"), max_length=100, blank=True)
    fee_tolerance = models.DecimalField(
        _("bank fee tolerance"), max_digits=MAX_DIGITS, decimal_places=MAX_DECIMAL_PLACES
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REVIEW
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.bank_account})"


class StatementLine(models.Model):
    """One booking on a statement, as the bank wrote it, with the matcher's verdict."""

    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Matched")
        AMBIGUOUS = "ambiguous", _("Needs a decision")
        UNMATCHED = "unmatched", _("No invoice found")
        ALREADY_BOOKED = "already_booked", _("Already booked")
        NOT_A_PAYMENT = "not_a_payment", _("Not a payment (debit)")

    class Basis(models.TextChoices):
        REFERENCE = "reference", _("payment reference")
        INVOICE_NUMBER = "invoice_number", _("invoice number")
        NAME_AND_AMOUNT = "name_and_amount", _("payer's name and amount")
        REVIEWER = "reviewer", _("chosen by the reviewer")

    statement = models.ForeignKey(
        BankStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    position = models.PositiveIntegerField(_("line"))
    booked_on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"), max_digits=MAX_DIGITS, decimal_places=MAX_DECIMAL_PLACES
    )
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.TextField(_("reference or description"), max_length=2000, blank=True)
    counterparty = models.CharField(_("payer"), max_length=300, blank=True)
    bank_id = models.CharField(_("bank's transaction id"), max_length=100, blank=True)
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        help_text=_("SHA-256 of the account, date, amount, currency, text and bank's id."),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    basis = models.CharField(_("matched by"), max_length=16, choices=Basis.choices, blank=True)
    difference = models.DecimalField(
        _("difference"),
        max_digits=MAX_DIGITS,
        decimal_places=MAX_DECIMAL_PLACES,
        null=True,
        blank=True,
        help_text=_("Received minus due: negative is a shortfall (e.g. bank fees)."),
    )
    candidates = models.ManyToManyField(
        Invoice, related_name="+", blank=True, verbose_name=_("possible invoices")
    )
    include = models.BooleanField(
        _("book on apply"), default=False, help_text=_("Chosen for booking by the reviewer.")
    )
    applied_at = models.DateTimeField(_("booked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"], name="billing_statement_line_position"
            ),
        ]
        indexes = [models.Index(fields=["fingerprint"], name="billing_line_fingerprint")]

    def __str__(self):
        return f"{self.booked_on} {self.amount} {self.currency}"

    @property
    def shortfall(self) -> Decimal | None:
        """How much less than due arrived (bank fees), if less did."""
        return -self.difference if self.difference is not None and self.difference < 0 else None

    @property
    def surplus(self) -> Decimal | None:
        return self.difference if self.difference is not None and self.difference > 0 else None

    @property
    def external_id(self) -> str:
        """The first payment's `external_id`; further invoices paid by the same transfer get
        ":2", ":3", …"""
        return f"stmt:{self.fingerprint}"


class StatementAllocation(models.Model):
    """How much of a line goes to one invoice (a transfer may pay two)."""

    line = models.ForeignKey(
        StatementLine,
        on_delete=models.CASCADE,
        related_name="allocations",
        verbose_name=_("statement line"),
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="+", verbose_name=_("invoice")
    )
    amount = models.DecimalField(
        _("amount"), max_digits=MAX_DIGITS, decimal_places=MAX_DECIMAL_PLACES
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment"),
    )

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["line", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["line", "invoice"], name="billing_allocation_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billing_allocation_positive"),
        ]

    def __str__(self):
        return f"{self.invoice} {self.amount}"


class ProviderEvent(models.Model):
    """A notification from a payment provider (a Stripe event), kept once by its id: the same
    event delivered again is acknowledged and does nothing."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=255)
    event_type = models.CharField(_("event type"), max_length=100)
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invoice"),
    )
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment provider event")
        verbose_name_plural = _("payment provider events")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="billing_provider_event_once"
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.event_id}"
