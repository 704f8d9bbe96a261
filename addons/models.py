"""Add-ons a registration can book besides its place: the gala dinner, the mine-site visit, a
master class, an accompanying person. Each has its own capacity and its own waitlist.

The rules that move a booking between states live in `addons/services.py`; these models hold
the data and the constraints the database enforces whatever the caller.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import latin_name_validator
from events.models import Event
from registrations.models import Currency, DelegateCategory, Registration


class AddOn(models.Model):
    """Something extra offered at one event, with its own places and waitlist."""

    class Kind(models.TextChoices):
        GALA_DINNER = "gala_dinner", _("Gala dinner")
        SITE_VISIT = "site_visit", _("Mine-site visit")
        MASTER_CLASS = "master_class", _("Master class")
        ACCOMPANYING_PERSON = "accompanying_person", _("Accompanying person")
        OTHER = "other", _("Other")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="add_ons", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(
        _("description"), max_length=1000, blank=True, validators=[MaxLengthValidator(1000)]
    )
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 for a free add-on."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=Currency.choices,
        default=Currency.EUR,
        help_text=_("A priced add-on is offered only to categories paid in this currency."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Places; empty means unlimited. When full, new bookings join the waitlist."),
    )
    categories = models.ManyToManyField(
        DelegateCategory,
        blank=True,
        related_name="add_ons",
        verbose_name=_("categories"),
        help_text=_("Categories that may book it; none selected means all."),
    )
    asks_ppe_size = models.BooleanField(
        _("asks for a PPE size"),
        default=False,
        help_text=_("Protective equipment (helmet, vest, boots) is issued on a site visit."),
    )
    asks_passport_name = models.BooleanField(
        _("asks for the name as in the passport"),
        default=False,
        help_text=_("The mine's security checks identity documents against the manifest."),
    )
    sale_starts_at = models.DateTimeField(_("on sale from"), null=True, blank=True)
    sale_ends_at = models.DateTimeField(
        _("on sale until"),
        null=True,
        blank=True,
        help_text=_("The cut-off: no booking (and no waitlist) after this moment."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("add-on")
        verbose_name_plural = _("add-ons")
        ordering = ["event", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sale_starts_at__isnull=True)
                | Q(sale_ends_at__isnull=True)
                | Q(sale_starts_at__lt=models.F("sale_ends_at")),
                name="addon_sale_window_ordered",
                violation_error_message=_("The sale must start before it ends."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0

    def on_sale(self, now=None) -> bool:
        now = now or timezone.now()
        if self.sale_starts_at is not None and now < self.sale_starts_at:
            return False
        return self.sale_ends_at is None or now < self.sale_ends_at


class PPESize(models.TextChoices):
    XS = "XS", "XS"
    S = "S", "S"
    M = "M", "M"
    L = "L", "L"
    XL = "XL", "XL"
    XXL = "XXL", "XXL"
    XXXL = "XXXL", "3XL"


class AddOnBooking(models.Model):
    """One registration's booking of one add-on: a place, or a place in its waitlist.

    The add-on's price and currency are copied when the booking is made: the invoice works
    from what the delegate booked."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.CONFIRMED, Status.WAITLISTED)

    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        related_name="add_on_bookings",
        verbose_name=_("registration"),
    )
    add_on = models.ForeignKey(
        AddOn, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("add-on")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    ppe_size = models.CharField(_("PPE size"), max_length=4, choices=PPESize.choices, blank=True)
    passport_name = models.CharField(
        _("name as in the passport"),
        max_length=200,
        blank=True,
        validators=[latin_name_validator],
    )
    waitlisted_at = models.DateTimeField(
        _("waitlisted at"),
        null=True,
        blank=True,
        help_text=_("Earlier entries are promoted first."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Special personal data (see Registration.SPECIAL_PERSONAL_DATA_FIELDS).
    SPECIAL_PERSONAL_DATA_FIELDS = ("passport_name",)

    class Meta:
        verbose_name = _("add-on booking")
        verbose_name_plural = _("add-on bookings")
        ordering = ["add_on", "created_at", "pk"]
        constraints = [
            # A registration books an add-on once; a cancelled booking does not count, so it
            # can book it again.
            models.UniqueConstraint(
                fields=["registration", "add_on"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="addon_booking_one_active_per_registration",
                violation_error_message=_("This add-on is already booked for this registration."),
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="addon_booking_waitlisted_has_waitlisted_at",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waitlisted", "cancelled"]),
                name="addon_booking_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["add_on"],
                condition=Q(status="confirmed"),
                name="addon_booking_confirmed_idx",
            ),
            # The promotion queue: an add-on's waitlisted bookings, oldest first.
            models.Index(
                fields=["add_on", "waitlisted_at", "id"],
                condition=Q(status="waitlisted"),
                name="addon_booking_waitlist_idx",
            ),
        ]

    def __str__(self):
        return f"{self.registration_id} {self.add_on_id} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class AddOnBookingHistory(models.Model):
    """One change to a booking: who, when, from which status to which, and why."""

    class Action(models.TextChoices):
        BOOKED = "booked", _("Booked")
        WAITLISTED = "waitlisted", _("Joined the waitlist")
        PROMOTED = "promoted", _("Promoted from the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    booking = models.ForeignKey(
        AddOnBooking, on_delete=models.CASCADE, related_name="history", verbose_name=_("booking")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the portal acted on its own (e.g. a waitlist promotion)."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(
        _("from status"), max_length=12, choices=AddOnBooking.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=12, choices=AddOnBooking.Status.choices, blank=True
    )
    reason = models.TextField(
        _("reason"), max_length=1000, blank=True, validators=[MaxLengthValidator(1000)]
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("add-on booking history entry")
        verbose_name_plural = _("add-on booking history")
        ordering = ["booking", "at", "pk"]

    def __str__(self):
        return f"{self.booking_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
