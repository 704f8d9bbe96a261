"""On-site check-in: the zones of an event (the entrance, the plenary, the gala dinner …) and
every scan made at their doors.

A scan is never deleted: forged tokens, refusals, "already" answers and undone admissions all
stay, so the secretariat can see what happened at a door. The QR's token is a bearer
credential, so a scan keeps only its SHA-256 (`token_hash`), never the token itself. The rules
that decide a scan live in `checkin/services.py`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from events.models import Event
from registrations.models import DelegateCategory, Registration


class Zone(models.Model):
    """A door where badges are checked: every event has exactly one entrance (its admission
    is the registration's `checked_in_at`), and may have more zones, each open to some
    categories (none chosen: every category)."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="checkin_zones", verbose_name=_("event")
    )
    # Blank for the entrance, which is called "Entrance" in the reader's language.
    name = models.CharField(_("name"), max_length=120, blank=True)
    is_entrance = models.BooleanField(
        _("entrance"),
        default=False,
        help_text=_("Admission here checks the delegate in to the event."),
    )
    categories = models.ManyToManyField(
        DelegateCategory,
        blank=True,
        related_name="+",
        verbose_name=_("categories admitted"),
        help_text=_("None chosen: every category of the event."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("check-in", "zone")
        verbose_name_plural = pgettext_lazy("check-in", "zones")
        ordering = ["event", "-is_entrance", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(is_entrance=True),
                name="checkin_one_entrance_per_event",
                violation_error_message=_("This event already has an entrance."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The zone's name in the active language; the entrance is "Entrance" unless named."""
        if self.name:
            return self.name
        if self.is_entrance:
            return pgettext("check-in zone", "Entrance")
        return str(self.pk)


class Scan(models.Model):
    """One badge shown at one zone's door, and what the portal answered."""

    class Outcome(models.TextChoices):
        ADMITTED = "admitted", pgettext_lazy("check-in outcome", "Admitted")
        ALREADY = "already", pgettext_lazy("check-in outcome", "Already admitted")
        REFUSED = "refused", pgettext_lazy("check-in outcome", "Refused")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        FORGED = "forged", _("Not a badge of this portal")
        REISSUED = "reissued", _("Badge replaced by a newer one")
        UNKNOWN = "unknown", _("Unknown registration")
        WRONG_EVENT = "wrong_event", _("Badge for another event")
        CANCELLED = "cancelled", _("Registration cancelled")
        REJECTED = "rejected", _("Registration rejected")
        WAITLISTED = "waitlisted", _("On the waitlist")
        PENDING = "pending", _("Pending approval")
        UNPAID = "unpaid", _("Not paid")
        CATEGORY = "category", _("Category not admitted here")

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        SEARCH = "search", _("Search")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    zone = models.ForeignKey(
        Zone,
        on_delete=models.PROTECT,
        related_name="scans",
        verbose_name=pgettext_lazy("check-in", "zone"),
    )
    # Empty for a token that belongs to no registration (forged, garbled, or reissued).
    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registration"),
    )
    # SHA-256 (hex) of the token shown; empty for a check-in found by search.
    token_hash = models.CharField(_("token's SHA-256"), max_length=64, blank=True)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    # The door's clock for a scan made offline, the server's otherwise.
    scanned_at = models.DateTimeField(_("scanned at"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    device = models.CharField(_("device"), max_length=100, blank=True)
    # Made by the door's page for every scan: a sync sent twice records nothing twice.
    client_id = models.UUIDField(_("client id"), default=uuid.uuid4, unique=True, editable=False)
    offline = models.BooleanField(_("scanned offline"), default=False)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-scanned_at", "-pk"]
        permissions = [("scan_badges", _("Can check badges at the door"))]
        constraints = [
            # The last line behind services.scan_badge's lock: one admission per zone.
            models.UniqueConstraint(
                fields=["registration", "zone"],
                condition=Q(outcome="admitted", undone_at__isnull=True),
                name="checkin_one_admission_per_zone",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["admitted", "already", "refused"]),
                name="checkin_scan_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="admitted") | Q(registration__isnull=False),
                name="checkin_admitted_has_registration",
            ),
        ]
        indexes = [
            models.Index(fields=["registration", "zone"], name="checkin_scan_reg_zone_idx"),
            # The live numbers: admitted per zone and per hour.
            models.Index(
                fields=["zone", "scanned_at"],
                condition=Q(outcome="admitted", undone_at__isnull=True),
                name="checkin_scan_admitted_idx",
            ),
            models.Index(fields=["event", "scanned_at"], name="checkin_scan_event_idx"),
        ]

    def __str__(self):
        return f"{self.zone_id} {self.outcome} {self.scanned_at:%Y-%m-%d %H:%M}"
