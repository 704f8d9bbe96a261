"""Invitation and discount codes, and the pricing rules of an event.

The rules are applied by `pricing.rules` in one documented order (docs/pricing.md); the
services in `pricing/services.py` write the codes' uses and each registration's price lines.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from events.models import Event
from registrations.models import Currency, DelegateCategory, Registration

CODE_PATTERN = r"\A[A-Z0-9][A-Z0-9-]{2,39}\Z"
code_validator = RegexValidator(
    CODE_PATTERN,
    _("A code has 3 to 40 characters: Latin letters A–Z, digits 0–9 and hyphens."),
)

_PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class CodeBatch(models.Model):
    """Codes made together for one owner, e.g. "50 for Sponsor X"."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="code_batches", verbose_name=_("event")
    )
    name = models.CharField(_("name"), max_length=120)
    owner = models.CharField(
        _("owner"), max_length=200, blank=True, help_text=_("The sponsor or partner.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("code batch")
        verbose_name_plural = _("code batches")
        ordering = ["event", "name", "pk"]

    def __str__(self):
        return self.name


class Code(models.Model):
    """An invitation or discount code for one event.

    Codes are stored in capitals (`pricing.services.normalise_code`), so "gov-2026" and
    "GOV-2026" are one code; the unique constraint is on the upper-cased text all the same.
    """

    class Discount(models.TextChoices):
        PERCENT = "percent", _("Percentage off the category's price")
        FIXED = "fixed", _("Fixed amount off the category's price")
        FREE = "free", pgettext_lazy("price", "Free of charge")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="codes", verbose_name=_("event")
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    discount_kind = models.CharField(
        _("discount"), max_length=8, choices=Discount.choices, default=Discount.PERCENT
    )
    discount_value = models.DecimalField(
        _("discount value"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "Percent (0–100) for a percentage, an amount in the category's currency for a "
            "fixed discount; ignored for a free code. 0 for a code that only unlocks."
        ),
    )
    categories = models.ManyToManyField(
        DelegateCategory,
        blank=True,
        related_name="codes",
        verbose_name=_("categories"),
        help_text=_(
            "The categories this code unlocks (invite-only ones) or applies to; empty means "
            "every public category of the event."
        ),
    )
    usage_limit = models.PositiveIntegerField(
        _("usage limit"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    owner = models.CharField(
        _("owner"), max_length=200, blank=True, help_text=_("The sponsor or partner.")
    )
    batch = models.ForeignKey(
        CodeBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="codes",
        verbose_name=_("batch"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ["event", "code"]
        constraints = [
            models.UniqueConstraint(
                "event",
                Upper("code"),
                name="pricing_code_unique_per_event",
                violation_error_message=_("This event already has this code."),
            ),
            models.CheckConstraint(
                condition=~Q(discount_kind="percent") | Q(discount_value__lte=100),
                name="pricing_code_percent_at_most_100",
                violation_error_message=_("A percentage cannot be above 100."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lt=models.F("valid_until")),
                name="pricing_code_window_in_order",
                violation_error_message=_("“Valid from” must come before “valid until”."),
            ),
        ]

    def __str__(self):
        return self.code

    def is_valid_at(self, now=None) -> bool:
        now = now or timezone.now()
        if self.valid_from is not None and now < self.valid_from:
            return False
        return self.valid_until is None or now < self.valid_until


class CodeUse(models.Model):
    """A registration made with a code. Released (not deleted) when the registration is
    cancelled or rejected: the place it took on the code's usage limit comes free again."""

    code = models.ForeignKey(
        Code, on_delete=models.PROTECT, related_name="uses", verbose_name=_("code")
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="code_uses",
        verbose_name=_("registration"),
    )
    used_at = models.DateTimeField(_("used at"), default=timezone.now)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("code use")
        verbose_name_plural = _("code uses")
        ordering = ["code", "used_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(released_at__isnull=True),
                name="pricing_one_code_per_registration",
            ),
        ]
        indexes = [
            models.Index(
                fields=["code"], condition=Q(released_at__isnull=True), name="pricing_use_live_idx"
            ),
        ]

    def __str__(self):
        return f"{self.code_id} → {self.registration_id}"


class Sector(models.TextChoices):
    """What kind of organisation a delegate comes from, for sector rates."""

    BUSINESS = "business", _("Business")
    GOVERNMENT = "government", _("Government")
    NGO = "ngo", _("Non-governmental organisation")
    ACADEMIA = "academia", _("Academia and research")
    MEDIA = "media", _("Media")


class SectorRate(models.Model):
    """A percentage off one category's price for delegates of one sector (an NGO rate)."""

    category = models.ForeignKey(
        DelegateCategory,
        on_delete=models.CASCADE,
        related_name="sector_rates",
        verbose_name=_("category"),
    )
    sector = models.CharField(_("sector"), max_length=12, choices=Sector.choices)
    percent = models.DecimalField(
        _("percent off"), max_digits=5, decimal_places=2, validators=_PERCENT
    )

    class Meta:
        verbose_name = _("sector rate")
        verbose_name_plural = _("sector rates")
        ordering = ["category", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "sector"],
                name="pricing_sector_rate_unique",
                violation_error_message=_("This category already has a rate for this sector."),
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="pricing_sector_rate_percent"
            ),
        ]

    def __str__(self):
        return f"{self.category} · {self.get_sector_display()} −{self.percent}%"


class GroupDiscount(models.Model):
    """A percentage off for a group: `min_size` or more delegates from one organisation, or
    registered together as one delegation. The largest step a group reaches applies."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="group_discounts", verbose_name=_("event")
    )
    min_size = models.PositiveSmallIntegerField(
        _("minimum group size"), validators=[MinValueValidator(2)]
    )
    percent = models.DecimalField(
        _("percent off"), max_digits=5, decimal_places=2, validators=_PERCENT
    )

    class Meta:
        verbose_name = _("group discount")
        verbose_name_plural = _("group discounts")
        ordering = ["event", "min_size"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "min_size"],
                name="pricing_group_discount_unique",
                violation_error_message=_("This event already has a discount for this size."),
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="pricing_group_percent"
            ),
        ]

    def __str__(self):
        return f"{self.min_size}+ −{self.percent}%"


class PriceLine(models.Model):
    """One line of a registration's price, as computed when it was priced: the category's
    price first, then each rule's discount (negative), then add-ons. The text is kept in
    English, Russian and Kazakh (a snapshot, like the registration's category name)."""

    class Kind(models.TextChoices):
        CATEGORY = "category", _("Category")
        EARLY_BIRD = "early_bird", _("Early-bird discount")
        SECTOR = "sector", _("Sector rate")
        GROUP = "group", _("Group discount")
        CODE = "code", _("Code")
        ADD_ON = "add_on", _("Add-on")
        INCLUDED = "included", _("Included in a package")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="price_lines",
        verbose_name=_("registration"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    description_ru = models.CharField(
        _("description in Russian"), max_length=300, blank=True, default=""
    )
    description_kk = models.CharField(
        _("description in Kazakh"), max_length=300, blank=True, default=""
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)

    class Meta:
        verbose_name = _("price line")
        verbose_name_plural = _("price lines")
        ordering = ["registration", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "position"], name="pricing_line_unique_position"
            ),
        ]

    def __str__(self):
        return f"{self.description}: {self.amount} {self.currency}"

    @property
    def description_in_language(self) -> str:
        language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        if language == "en":
            return self.description
        return getattr(self, f"description_{language}", "") or self.description


class RegistrationPricing(models.Model):
    """What a registration was priced with beyond its category (so it can be priced again,
    e.g. when an add-on is booked later): the sector declared and the group size counted."""

    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pricing",
        verbose_name=_("registration"),
    )
    sector = models.CharField(_("sector"), max_length=12, choices=Sector.choices, blank=True)
    group_size = models.PositiveSmallIntegerField(_("group size"), default=1)
    # Add-ons (ids) whose line a sponsor package includes (rule 5): set when a package's
    # contact gives the person one of the package's add-on places.
    included_add_ons = models.JSONField(_("add-ons included"), default=list, blank=True)
    priced_at = models.DateTimeField(_("priced at"), default=timezone.now)

    class Meta:
        verbose_name = _("registration pricing")
        verbose_name_plural = _("registration pricing")

    def __str__(self):
        return str(self.registration_id)


class EventPricing(models.Model):
    """An event's pricing settings beyond its categories (none: the defaults)."""

    event = models.OneToOneField(
        Event,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pricing_settings",
        verbose_name=_("event"),
    )
    early_bird_by_payment = models.BooleanField(
        _("early bird by payment date"),
        default=False,
        help_text=_(
            "A registration made before the early-bird deadline keeps the early-bird price "
            "only if paid by the deadline; unpaid, it is re-priced at the full price after it."
        ),
    )

    class Meta:
        verbose_name = _("event pricing")
        verbose_name_plural = _("event pricing")

    def __str__(self):
        return str(self.event)
