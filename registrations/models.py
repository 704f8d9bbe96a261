"""Delegate categories, registrations and their history.

The rules that move a registration between states live in `registrations/services.py`; these
models hold the data and the constraints the database enforces whatever the caller.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import DelegateProfile, latin_name_validator
from events.models import Event

from .rules import VISA_LETTER_NEEDS_NATIONALITY


class Currency(models.TextChoices):
    KZT = "KZT", _("Kazakhstani tenge (KZT)")
    EUR = "EUR", _("Euro (EUR)")
    GBP = "GBP", _("Pound sterling (GBP)")
    USD = "USD", _("US dollar (USD)")


class DelegateCategory(models.Model):
    """A way to attend one event (Delegate, Speaker, Media, ...): its price and its rules."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="categories", verbose_name=_("event")
    )
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Short identifier, unique within the event.")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(
        _("description"), max_length=2000, blank=True, validators=[MaxLengthValidator(2000)]
    )
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 for a free category."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    early_bird_price = models.DecimalField(
        _("early-bird price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    early_bird_deadline = models.DateTimeField(
        _("early-bird deadline"),
        null=True,
        blank=True,
        help_text=_("The early-bird price applies to registrations made before this moment."),
    )
    payment_instructions = models.TextField(
        _("payment instructions"),
        max_length=4000,
        blank=True,
        validators=[MaxLengthValidator(4000)],
        help_text=_("How to pay (bank transfer details, invoice); sent with the confirmation."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Places in this category; empty means limited only by the event's capacity."),
    )
    requires_approval = models.BooleanField(
        _("requires approval"),
        default=False,
        help_text=_("Registrations wait for the secretariat's approval before they are confirmed."),
    )
    is_open = models.BooleanField(_("open for registration"), default=True)
    invite_only = models.BooleanField(
        _("by invitation only"),
        default=False,
        help_text=_(
            "Hidden on the public form; shown and accepted only with an invitation code "
            "that unlocks it."
        ),
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("delegate category")
        verbose_name_plural = _("delegate categories")
        ordering = ["event", "display_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"],
                name="category_unique_code_per_event",
                violation_error_message=_("This event already has a category with this code."),
            ),
            models.CheckConstraint(
                condition=Q(early_bird_price__isnull=True, early_bird_deadline__isnull=True)
                | Q(early_bird_price__isnull=False, early_bird_deadline__isnull=False),
                name="category_early_bird_price_and_deadline_together",
                violation_error_message=_(
                    "An early-bird price needs a deadline, and a deadline needs a price."
                ),
            ),
            models.CheckConstraint(
                condition=Q(early_bird_price__isnull=True) | Q(early_bird_price__lte=F("price")),
                name="category_early_bird_not_above_price",
                violation_error_message=_("The early-bird price cannot be above the price."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0

    def is_early_bird(self, now: datetime.datetime | None = None) -> bool:
        """Whether a registration made at `now` gets the early-bird price."""
        if self.early_bird_price is None or self.early_bird_deadline is None:
            return False
        return (now or timezone.now()) < self.early_bird_deadline

    def current_price(self, now: datetime.datetime | None = None) -> Decimal:
        """The price a registration made at `now` pays, in `currency`."""
        return self.early_bird_price if self.is_early_bird(now) else self.price


class Registration(models.Model):
    """One delegate's place (or place in the queue) at one event.

    The delegate's details and the category's name and price are copied at registration time:
    the secretariat, the badge and the invoice work from what the delegate registered with.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    # Statuses that count as "registered" for the one-registration-per-event rule.
    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED, Status.WAITLISTED)
    # Statuses that hold one of the event's (and the category's) places.
    PLACE_HOLDING_STATUSES = (Status.PENDING, Status.CONFIRMED)

    class HowHeard(models.TextChoices):
        PREVIOUS_FORUM = "previous_forum", _("I attended a previous MINEX forum")
        COLLEAGUE = "colleague", _("From a colleague")
        INVITATION = "invitation", _("Invitation from the organisers")
        EMAIL = "email", _("E-mail newsletter")
        WEBSITE = "website", _("Website or search engine")
        SOCIAL_MEDIA = "social_media", _("Social media")
        PRESS = "press", _("Press or media")
        PARTNER = "partner", _("Partner organisation")
        OTHER = "other", _("Other")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event")
    )
    category = models.ForeignKey(
        DelegateCategory,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("category"),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("delegate"),
    )
    reference = models.CharField(_("reference"), max_length=24, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)

    # The delegate's details at registration time (see DelegateProfile).
    title = models.CharField(
        pgettext_lazy("person", "title"),
        max_length=8,
        choices=DelegateProfile.Title.choices,
        blank=True,
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    latin_name = models.CharField(
        _("name in Latin letters"), max_length=200, blank=True, validators=[latin_name_validator]
    )
    email = models.EmailField(_("e-mail address"), max_length=254)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)

    # The category as it was when the delegate registered: its name in English and, where
    # the category had them, in Russian and Kazakh (see `category_name_in_language`).
    category_name = models.CharField(_("category name"), max_length=120)
    category_name_ru = models.CharField(
        _("category name in Russian"), max_length=120, blank=True, default=""
    )
    category_name_kk = models.CharField(
        _("category name in Kazakh"), max_length=120, blank=True, default=""
    )
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    early_bird = models.BooleanField(_("early-bird price"), default=False)

    # A TextField's max_length binds only forms; the validator makes the services enforce it.
    dietary_needs = models.TextField(
        _("dietary needs"), max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    accessibility_needs = models.TextField(
        _("accessibility needs"),
        max_length=500,
        blank=True,
        validators=[MaxLengthValidator(500)],
    )
    visa_letter_needed = models.BooleanField(_("visa invitation letter needed"), default=False)
    nationality = CountryField(
        _("nationality"), blank=True, help_text=_("Needed for a visa invitation letter.")
    )
    how_heard = models.CharField(
        _("how they heard about the forum"), max_length=20, choices=HowHeard.choices, blank=True
    )

    consent_privacy_at = models.DateTimeField(_("accepted the privacy policy at"))
    privacy_policy_version = models.CharField(_("privacy policy version"), max_length=20)
    consent_attendee_list = models.BooleanField(_("appears in the attendee list"), default=False)
    consent_marketing = models.BooleanField(_("accepts news about future forums"), default=False)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails the delegate receives."),
    )

    waitlisted_at = models.DateTimeField(
        _("waitlisted at"),
        null=True,
        blank=True,
        help_text=_("Earlier entries are promoted first."),
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Special personal data: shown only to holders of `accounts.view_special_personal_data`
    # (the secretariat), never to organisers — in exports and in the admin alike.
    SPECIAL_PERSONAL_DATA_FIELDS = (
        "latin_name", "nationality", "phone", "dietary_needs", "accessibility_needs",
    )  # fmt: skip

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="registration_unique_reference"),
            # The last line behind register_delegate's check: a delegate holds at most one
            # live registration per event; cancelled and rejected ones do not count, so the
            # delegate can register again.
            models.UniqueConstraint(
                fields=["event", "delegate"],
                condition=Q(status__in=["pending", "confirmed", "waitlisted"]),
                name="registration_one_active_per_delegate_per_event",
                violation_error_message=_("This delegate is already registered for this event."),
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="registration_waitlisted_has_waitlisted_at",
            ),
            models.CheckConstraint(
                condition=Q(visa_letter_needed=False) | ~Q(nationality=""),
                name="registration_visa_letter_needs_nationality",
                violation_error_message=VISA_LETTER_NEEDS_NATIONALITY,
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["pending", "confirmed", "waitlisted", "rejected", "cancelled"]
                ),
                name="registration_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="registration_status_idx"),
            models.Index(fields=["event", "status"], name="registration_event_status_idx"),
            models.Index(fields=["category", "status"], name="registration_cat_status_idx"),
            # The admin's default order (newest first) and its created-date filter.
            models.Index(fields=["created_at", "id"], name="registration_created_idx"),
            # The admin's filters (country also lists the countries present: DISTINCT).
            models.Index(fields=["country"], name="registration_country_idx"),
            models.Index(
                fields=["event"],
                condition=Q(visa_letter_needed=True),
                name="registration_visa_letter_idx",
            ),
            models.Index(
                fields=["event"],
                condition=Q(checked_in_at__isnull=False),
                name="registration_checked_in_idx",
            ),
            # The promotion queue: waitlisted registrations of an event, oldest first.
            models.Index(
                fields=["event", "waitlisted_at", "id"],
                condition=Q(status="waitlisted"),
                name="registration_waitlist_idx",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def category_name_in_language(self) -> str:
        """The category's name as registered, in the active language; English where the
        category had no name in it.

        Plain columns rather than modeltranslation fields: registering this model with
        modeltranslation would make every registration query a MultilingualQuerySet, whose
        `values_list` reorders the SQL's columns (the exports' COPY path reads that SQL)."""
        language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return getattr(self, f"category_name_{language}", "") or self.category_name

    @property
    def holds_place(self) -> bool:
        return self.status in self.PLACE_HOLDING_STATUSES


class RegistrationHistory(models.Model):
    """One change to a registration: who did it, when, from which status to which, and why.

    Written by the service that made the change, in the same transaction.
    """

    class Action(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        PROMOTED = "promoted", _("Promoted from the waitlist")
        CHECKED_IN = "checked_in", _("Checked in")
        CHECK_IN_UNDONE = "check_in_undone", _("Check-in undone")
        DETAILS_UPDATED = "details_updated", _("Details updated")
        EMAIL_RESENT = "email_resent", _("E-mail sent again")
        SUBSTITUTED = "substituted", _("Handed over to another person")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("registration"),
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
        _("from status"), max_length=12, choices=Registration.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=12, choices=Registration.Status.choices, blank=True
    )
    reason = models.TextField(
        _("reason"), max_length=1000, blank=True, validators=[MaxLengthValidator(1000)]
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("registration history entry")
        verbose_name_plural = _("registration history")
        ordering = ["registration", "at", "pk"]
        indexes = [models.Index(fields=["registration", "at"], name="registration_history_idx")]

    def __str__(self):
        return f"{self.registration_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
