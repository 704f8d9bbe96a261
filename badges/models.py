"""Badges: one per registration, the event's badge design, and the record of every print.

The QR on a badge carries `badges.tokens.badge_token(badge)`: the badge's random `code` and a
signature, nothing personal. Reissuing a badge (a lost one) gives it a new code, so the old
QR is refused. What was printed is kept as a hash of the printed details
(`selectors.printed_details_hash`), so "changed since printed" is a query.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from registrations.models import DelegateCategory, Registration

# 16 random bytes: 128 bits, 22 url-safe characters.
CODE_BYTES = 16


def new_badge_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


class Badge(models.Model):
    """A delegate's badge for one registration (created with the registration)."""

    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        related_name="badge",
        verbose_name=_("registration"),
    )
    code = models.CharField(_("code"), max_length=32, unique=True, default=new_badge_code)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    reissued_count = models.PositiveSmallIntegerField(_("times reissued"), default=0)
    printed_at = models.DateTimeField(_("last printed at"), null=True, blank=True)
    print_count = models.PositiveIntegerField(_("times printed"), default=0)
    # md5 of the details as last printed (selectors.printed_details_hash), empty until printed.
    details_hash = models.CharField(_("printed details"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["-registration__created_at", "-pk"]
        permissions = [("print_badges", _("Can print badges"))]
        indexes = [
            models.Index(
                fields=["printed_at"],
                condition=models.Q(printed_at__isnull=True),
                name="badge_not_printed_idx",
            ),
        ]

    def __str__(self):
        return str(self.registration_id)


class BadgeDesign(models.Model):
    """How an event's badges look: the paper size and the fields shown."""

    class Size(models.TextChoices):
        A6 = "a6", _("A6 (105 × 148 mm), one per page")
        A4_TWO_UP = "a4_2up", _("A5 badges, two on an A4 page")
        A4_FOUR_UP = "a4_4up", _("A6 badges, four on an A4 page")
        LABEL = "label_90x54", _("Label 90 × 54 mm (label printer)")

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="badge_design", verbose_name=_("event")
    )
    size = models.CharField(_("size"), max_length=16, choices=Size.choices, default=Size.A6)
    show_latin_name = models.BooleanField(_("name in Latin letters"), default=True)
    show_native_name = models.BooleanField(_("name in the delegate's script"), default=True)
    show_organisation = models.BooleanField(_("organisation"), default=True)
    show_country = models.BooleanField(_("country"), default=True)
    show_category = models.BooleanField(_("category"), default=True)
    show_qr = models.BooleanField(_("QR code"), default=True)
    language = models.CharField(
        _("language of the badge"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the category and country names on the badge."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("badge design")
        verbose_name_plural = _("badge designs")
        ordering = ["event"]

    def __str__(self):
        return str(self.event)


colour_validator = RegexValidator(
    r"\A#[0-9a-fA-F]{6}\Z", _("Enter a colour as # and six hexadecimal digits, e.g. #1f6feb.")
)


class BadgeCategoryColour(models.Model):
    """The colour band of one category's badges."""

    design = models.ForeignKey(
        BadgeDesign, on_delete=models.CASCADE, related_name="colours", verbose_name=_("design")
    )
    category = models.ForeignKey(
        DelegateCategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    colour = models.CharField(_("colour"), max_length=7, validators=[colour_validator])

    class Meta:
        verbose_name = _("category colour")
        verbose_name_plural = _("category colours")
        constraints = [
            models.UniqueConstraint(
                fields=["design", "category"],
                name="badge_colour_one_per_category",
                violation_error_message=_("This category already has a colour."),
            ),
            models.CheckConstraint(
                condition=models.Q(colour__regex=r"^#[0-9a-fA-F]{6}$"),
                name="badge_colour_hex",
            ),
        ]

    def __str__(self):
        return f"{self.category_id} {self.colour}"


def batch_file_path(instance: "BadgeBatch", filename: str) -> str:
    # Under MEDIA_ROOT, which is never served: the file goes out only through the
    # permission-checked download view. A random folder keeps the name unguessable anyway.
    return f"badges/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}/{filename}"


class BadgeBatch(models.Model):
    """A large print job (more than BADGES_SYNC_MAX badges) built by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("asked for by"),
    )
    created_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    badge_ids = models.JSONField(_("badges"), default=list)
    reason = models.TextField(
        _("reason for the reprint"), blank=True, validators=[MaxLengthValidator(500)]
    )
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    badges_total = models.PositiveIntegerField(_("badges"), default=0)
    badges_done = models.PositiveIntegerField(_("badges laid out"), default=0)
    file = models.FileField(_("file"), upload_to=batch_file_path, max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Set each time a worker claims the batch (queued → running): the sweep
    # (`services.release_stuck_batches`) finds runs whose worker died by it.
    started_at = models.DateTimeField(_("last run started"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("runs started"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("badge print batch")
        verbose_name_plural = _("badge print batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.event_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.badges_total:
            return 0
        return min(99, self.badges_done * 100 // self.badges_total)


class BadgePrint(models.Model):
    """One print of one or more badges: who, when, which, and why for a reprint."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("printed by"),
    )
    printed_at = models.DateTimeField(_("printed at"), default=timezone.now)
    badges = models.ManyToManyField(Badge, related_name="prints", verbose_name=_("badges"))
    badge_count = models.PositiveIntegerField(_("number of badges"))
    reprints = models.PositiveIntegerField(_("of which reprints"), default=0)
    reason = models.TextField(
        _("reason for the reprint"), blank=True, validators=[MaxLengthValidator(500)]
    )
    batch = models.OneToOneField(
        BadgeBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="print_record",
        verbose_name=_("batch"),
    )

    class Meta:
        verbose_name = _("badge print")
        verbose_name_plural = _("badge prints")
        ordering = ["-printed_at", "-pk"]

    def __str__(self):
        return f"{self.event_id} {self.printed_at:%Y-%m-%d %H:%M} ({self.badge_count})"


class BadgeReissue(models.Model):
    """A badge given a new code (lost or stolen): the old QR is refused from then on."""

    badge = models.ForeignKey(
        Badge, on_delete=models.CASCADE, related_name="reissues", verbose_name=_("badge")
    )
    reissued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reissued by"),
    )
    reissued_at = models.DateTimeField(_("reissued at"), default=timezone.now)
    reason = models.TextField(_("reason"), validators=[MaxLengthValidator(500)])

    class Meta:
        verbose_name = _("badge reissue")
        verbose_name_plural = _("badge reissues")
        ordering = ["badge", "reissued_at", "pk"]

    def __str__(self):
        return f"{self.badge_id} {self.reissued_at:%Y-%m-%d %H:%M}"
