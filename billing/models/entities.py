"""Who issues invoices (legal entities, their bank accounts) and how each event bills."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from events.models import Event
from registrations.models import Currency

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def validate_invoice_languages(value: str) -> None:
    """A comma-separated list of the portal's language codes, e.g. "ru,en"."""
    codes = [code.strip() for code in value.split(",")]
    if not value.strip() or any(code not in LANGUAGE_CODES for code in codes):
        raise ValidationError(
            _(
                "Use the portal's language codes separated by commas, e.g. “ru,en” "
                "(known: %(codes)s)."
            )
            % {"codes": ", ".join(sorted(LANGUAGE_CODES))}
        )
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Each language may appear only once."))


class IssuingEntity(models.Model):
    """A company that issues invoices: its legal details, VAT rule and numbering prefix."""

    class VatMode(models.TextChoices):
        STANDARD = "standard", _("VAT at the entity's rate")
        EXEMPT = "exempt", _("Exempt from VAT")

    legal_name = models.CharField(_("legal name"), max_length=200)
    address = models.TextField(_("address"), max_length=500)
    country = CountryField(_("country"))
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    tax_number = models.CharField(
        _("tax number"), max_length=60, blank=True, help_text=_("VAT number or BIN.")
    )
    vat_mode = models.CharField(
        _("VAT"), max_length=10, choices=VatMode.choices, default=VatMode.STANDARD
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    reverse_charge_for_foreign_business = models.BooleanField(
        _("reverse charge for foreign businesses"),
        default=False,
        help_text=_(
            "A buyer with a VAT number in another country pays no VAT; the invoice says "
            "“reverse charge”."
        ),
    )
    vat_exemption_note = models.CharField(
        _("VAT exemption note"),
        max_length=300,
        blank=True,
        help_text=_("Printed on invoices when the entity is exempt from VAT."),
    )
    invoice_prefix = models.CharField(
        _("invoice number prefix"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"\A[A-Z0-9]{1,12}\Z", _("Capital letters and digits only."))],
        help_text=_("Invoice numbers read PREFIX-YEAR-00001."),
    )
    invoice_languages = models.CharField(
        _("invoice languages"),
        max_length=30,
        default="en",
        validators=[validate_invoice_languages],
        help_text=_("Languages printed on each invoice, in order, e.g. “ru,en”."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("issuing entity")
        verbose_name_plural = _("issuing entities")
        ordering = ["legal_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100),
                name="billing_entity_vat_rate_percent",
            ),
        ]

    def __str__(self):
        return self.legal_name

    @property
    def languages(self) -> list[str]:
        return [code.strip() for code in self.invoice_languages.split(",") if code.strip()]


class BankAccount(models.Model):
    """Where an entity is paid in one currency: an IBAN and BIC, or for the tenge the local
    details (IIK, BIK, KBe) Kazakh banks ask for."""

    entity = models.ForeignKey(
        IssuingEntity,
        on_delete=models.CASCADE,
        related_name="bank_accounts",
        verbose_name=_("issuing entity"),
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    bank_name = models.CharField(_("bank"), max_length=200)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC (SWIFT)"), max_length=11, blank=True)
    account_number = models.CharField(
        _("account number (IIK)"), max_length=34, blank=True, help_text=_("Local details.")
    )
    bank_code = models.CharField(_("bank code (BIK)"), max_length=11, blank=True)
    beneficiary_code = models.CharField(_("beneficiary code (KBe)"), max_length=2, blank=True)
    is_default = models.BooleanField(
        _("default for this currency"),
        default=False,
        help_text=_("Printed on this entity's invoices in this currency."),
    )

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["entity", "currency", "-is_default", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "currency"],
                condition=Q(is_default=True),
                name="billing_one_default_account_per_currency",
                violation_error_message=_(
                    "This entity already has a default account in this currency."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.bank_name} ({self.currency})"

    def clean(self):
        """IBAN and BIC checked and written compactly with schwifty; without an IBAN, the local
        account number is required."""
        errors = {}
        if self.iban:
            try:
                self.iban = IBAN(self.iban).compact
            except SchwiftyException:
                errors["iban"] = _("This is not a valid IBAN.")
        if self.bic:
            try:
                self.bic = BIC(self.bic).compact
            except SchwiftyException:
                errors["bic"] = _("This is not a valid BIC (SWIFT code).")
        if not self.iban and not self.account_number and "iban" not in errors:
            errors["iban"] = _("Give an IBAN, or the local account number.")
        if self.iban and not self.bic and "iban" not in errors:
            errors["bic"] = _("An IBAN needs the bank's BIC.")
        if errors:
            raise ValidationError(errors)


def default_payment_due_days() -> int:
    return settings.BILLING_PAYMENT_DUE_DAYS


class EventBilling(models.Model):
    """One event's billing rules: when invoices fall due, the cancellation fee, reminders."""

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="billing", verbose_name=_("event")
    )
    payment_due_days = models.PositiveSmallIntegerField(
        _("payment due after (days)"),
        default=default_payment_due_days,
        help_text=_("Never later than the day before the event starts."),
    )
    cancellation_fee_percent = models.DecimalField(
        _("cancellation fee (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Kept from the money paid when a paid registration is cancelled."),
    )
    auto_cancel_unpaid = models.BooleanField(
        _("cancel unpaid registrations automatically"),
        default=False,
        help_text=_(
            "A registration still unpaid after its due date is cancelled; its place goes "
            "to the waitlist."
        ),
    )
    reminder_days_before_due = models.PositiveSmallIntegerField(
        _("reminder before the due date (days)"),
        default=3,
        help_text=_("0 sends no reminder."),
    )
    payment_required_for_check_in = models.BooleanField(
        _("payment required before check-in"),
        default=False,
        help_text=_(
            "At the door, a delegate in a paid category is refused until what was invoiced "
            "is paid (checkin/)."
        ),
    )

    class Meta:
        verbose_name = _("event billing")
        verbose_name_plural = _("event billing")
        constraints = [
            models.CheckConstraint(
                condition=Q(cancellation_fee_percent__gte=0) & Q(cancellation_fee_percent__lte=100),
                name="billing_event_fee_percent",
            ),
        ]

    def __str__(self):
        return str(self.event)


class EventIssuer(models.Model):
    """Which entity invoices an event's registrations in one currency."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="invoice_issuers", verbose_name=_("event")
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    entity = models.ForeignKey(
        IssuingEntity,
        on_delete=models.PROTECT,
        related_name="event_issuers",
        verbose_name=_("issuing entity"),
    )

    class Meta:
        verbose_name = _("issuer for a currency")
        verbose_name_plural = _("issuers per currency")
        ordering = ["event", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "currency"],
                name="billing_one_issuer_per_event_currency",
                violation_error_message=_("This event already has an issuer for this currency."),
            ),
        ]

    def __str__(self):
        return f"{self.event} {self.currency}: {self.entity}"
