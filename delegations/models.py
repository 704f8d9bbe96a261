"""Delegations (a ministry's or a company's people registered together by a focal point),
the protocol ranks their members hold, and sponsors' packages of named places.

The registrations themselves are ordinary registrations (registrations app); these models
only group them. Every write goes through `delegations/services.py`.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from addons.models import AddOn
from events.models import Event
from pricing.models import Code
from registrations.models import DelegateCategory, Registration


class ProtocolRank(models.Model):
    """A protocol rank (Minister, Deputy Minister, Ambassador, Head of Agency, CEO, ...):
    an admin-managed list; `order` is precedence (lower first) in the VIP list."""

    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(
        _("precedence"), default=100, help_text=_("Lower numbers come first in the VIP list.")
    )
    is_vip = models.BooleanField(
        _("VIP"), default=True, help_text=_("Members with this rank appear in the VIP list.")
    )

    class Meta:
        verbose_name = _("protocol rank")
        verbose_name_plural = _("protocol ranks")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Delegation(models.Model):
    """People registered together for one event by their focal point (a protocol officer)."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("event")
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("E.g. Ministry of Industry of Mongolia.")
    )
    focal_point = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations",
        verbose_name=_("focal point"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["event", "name", "pk"]
        indexes = [models.Index(fields=["focal_point", "event"], name="delegation_focal_idx")]

    def __str__(self):
        return self.name


class DelegationMember(models.Model):
    """One registration in a delegation, with its protocol rank and place in the list."""

    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="members", verbose_name=_("delegation")
    )
    registration = models.OneToOneField(
        Registration,
        on_delete=models.PROTECT,
        related_name="delegation_member",
        verbose_name=_("registration"),
    )
    rank = models.ForeignKey(
        ProtocolRank,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("protocol rank"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")
        ordering = ["delegation", "position", "pk"]

    def __str__(self):
        return str(self.registration)


class Package(models.Model):
    """A sponsor's or exhibitor's package (Gold: 5 delegate passes and 2 gala places): named
    slots its contact fills until the cut-off, each a free registration."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="packages", verbose_name=_("event")
    )
    name = models.CharField(_("package"), max_length=120, help_text=_("E.g. Gold sponsor."))
    sponsor = models.CharField(_("sponsor"), max_length=200)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sponsor_packages",
        verbose_name=_("contact"),
    )
    cutoff = models.DateTimeField(
        _("slots can be filled until"), help_text=_("Date and time in UTC.")
    )
    # The free code the package's registrations use (pricing prices them at nothing); made
    # with the slots (`services.sync_package_slots`), owned by the sponsor.
    code = models.OneToOneField(
        Code,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="package",
        verbose_name=_("free code"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sponsor package")
        verbose_name_plural = _("sponsor packages")
        ordering = ["event", "sponsor", "pk"]

    def __str__(self):
        return f"{self.sponsor} — {self.name}"


class PackagePasses(models.Model):
    """How many passes of one category a package gives."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="passes", verbose_name=_("package")
    )
    category = models.ForeignKey(
        DelegateCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    count = models.PositiveSmallIntegerField(
        _("passes"), validators=[MinValueValidator(1)], default=1
    )

    class Meta:
        verbose_name = _("passes")
        verbose_name_plural = _("passes")
        constraints = [
            models.UniqueConstraint(
                fields=["package", "category"], name="package_passes_one_row_per_category"
            )
        ]

    def __str__(self):
        return f"{self.count} × {self.category}"


class PackageAddOn(models.Model):
    """How many places of one add-on a package gives (Gold: 2 gala places): the contact gives
    them to the people of its slots, free of charge, until they are used up."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="add_on_places", verbose_name=_("package")
    )
    add_on = models.ForeignKey(
        AddOn, on_delete=models.PROTECT, related_name="+", verbose_name=_("add-on")
    )
    count = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1)], default=1
    )

    class Meta:
        verbose_name = _("add-on places")
        verbose_name_plural = _("add-on places")
        constraints = [
            models.UniqueConstraint(
                fields=["package", "add_on"], name="package_add_on_one_row_per_add_on"
            )
        ]

    def __str__(self):
        return f"{self.count} × {self.add_on}"


class PackageSlot(models.Model):
    """One named place of a package: empty until the contact fills it with a person."""

    package = models.ForeignKey(
        Package, on_delete=models.CASCADE, related_name="slots", verbose_name=_("package")
    )
    category = models.ForeignKey(
        DelegateCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    registration = models.OneToOneField(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="package_slot",
        verbose_name=_("registration"),
    )
    filled_at = models.DateTimeField(_("filled at"), null=True, blank=True)
    # One of the package's add-on places given to the slot's person (`PackageAddOn`).
    add_on = models.ForeignKey(
        AddOn,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("add-on place"),
    )

    class Meta:
        verbose_name = _("package slot")
        verbose_name_plural = _("package slots")
        ordering = ["package", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["package", "position"], name="package_slot_unique_position"
            )
        ]

    def __str__(self):
        return f"{self.package} #{self.position}"
