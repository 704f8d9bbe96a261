"""Forums (the four MINEX series) and events (one edition of a forum)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class Forum(models.Model):
    """A series of forums: the annual Astana forum, MINEX Asia, MINEX Europe, MINEX Eurasia."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    code = models.CharField(
        _("code"),
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"\A[A-Z]{2,4}\Z", _("Two to four capital letters A–Z."))],
        help_text=_("Short code in registration references, e.g. AST in MX26-AST-7K3QF."),
    )
    name = models.CharField(_("name"), max_length=150)
    summary = models.TextField(_("summary"), blank=True)
    region = models.CharField(_("region"), max_length=200, blank=True)
    established_year = models.PositiveSmallIntegerField(_("held since"), null=True, blank=True)
    secretariat_email = models.EmailField(
        _("secretariat e-mail"),
        blank=True,
        help_text=_("Default for this forum's events; the global secretariat address if empty."),
    )
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organised_forums",
        verbose_name=_("organisers"),
        help_text=_("Staff who see this forum's registrations, numbers and exports."),
    )

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["display_order", "slug"]
        permissions = [
            ("view_all_forums", _("Can see the registrations of every forum")),
        ]

    def __str__(self):
        return self.name


class Event(models.Model):
    """One edition of a forum: where, when, and how registration works."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class RegistrationState(models.TextChoices):
        NOT_YET_OPEN = "not_yet_open", _("Registration not yet open")
        OPEN = "open", _("Registration open")
        CLOSED = "closed", _("Registration closed")

    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, related_name="events", verbose_name=_("forum")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    edition_number = models.PositiveSmallIntegerField(_("edition number"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(pgettext_lazy("event", "title"), max_length=200)
    tagline = models.CharField(_("tagline"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    programme = models.TextField(_("programme"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    dates_are_provisional = models.BooleanField(
        _("dates are provisional"),
        default=False,
        help_text=_("Shown as sample dates until the organisers confirm them."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens"),
        null=True,
        blank=True,
        help_text=_("Date and time in UTC (Astana is UTC+5). Empty: open once published."),
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes"),
        null=True,
        blank=True,
        help_text=_("Date and time in UTC. Empty: open until the event's last day."),
    )
    capacity = models.PositiveIntegerField(
        _("total capacity"), help_text=_("Places for confirmed and pending delegates.")
    )
    waitlist_enabled = models.BooleanField(_("waitlist when full"), default=True)
    substitution_cutoff = models.DateTimeField(
        _("substitutions until"),
        null=True,
        blank=True,
        help_text=_(
            "Date and time in UTC until which a registration may be handed to a colleague. "
            "Empty: until the event's registration closes."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    secretariat_email = models.EmailField(
        _("secretariat e-mail"),
        blank=True,
        help_text=_("Receives registration notifications; the forum's address if empty."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start_date", "forum__display_order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="event_ends_on_or_after_start",
                violation_error_message=_("The event cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_closes_after_it_opens",
                violation_error_message=_("Registration must close after it opens."),
            ),
            models.UniqueConstraint(
                fields=["forum", "edition_number"],
                name="event_unique_edition_per_forum",
                violation_error_message=_("This forum already has an edition with this number."),
            ),
        ]
        indexes = [models.Index(fields=["status", "start_date"])]

    def __str__(self):
        return self.title

    @property
    def secretariat_address(self) -> str:
        """Where notifications go: the event's address, else the forum's, else the global one."""
        return self.secretariat_email or self.forum.secretariat_email or settings.SECRETARIAT_EMAIL

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def registration_state(self, now=None) -> str:
        now = now or timezone.now()
        if self.status != self.Status.PUBLISHED:
            return self.RegistrationState.CLOSED
        if self.registration_opens_at and now < self.registration_opens_at:
            return self.RegistrationState.NOT_YET_OPEN
        if self.registration_closes_at and now >= self.registration_closes_at:
            return self.RegistrationState.CLOSED
        if not self.registration_closes_at and now.astimezone(self.tz).date() > self.end_date:
            return self.RegistrationState.CLOSED
        return self.RegistrationState.OPEN

    @property
    def is_past(self) -> bool:
        return timezone.now().astimezone(self.tz).date() > self.end_date
