"""API tokens, webhook subscriptions and their deliveries.

A token's key is shown once, when it is made; only its SHA-256 is stored (a leaked database
gives no usable key), with a short prefix so people can tell their tokens apart. Webhook
deliveries are rows like the outbox's e-mails: written in the transaction that changed the
registration, handed to a Celery task after commit, retried from the times kept here.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Forum

from .addresses import validate_webhook_url


class Scope(models.TextChoices):
    READ_REGISTRATIONS = "registrations:read", _("Read registrations")
    WRITE_CHECK_INS = "checkins:write", _("Check delegates in")
    WRITE_REGISTRATIONS = (
        "registrations:write",
        _("Create registrations and decide on them (approve, reject, cancel)"),
    )


class ApiToken(models.Model):
    """A staff user's key to the API: what it may do (scopes) on the forums its user sees."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “Badge printer”.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # A list of `Scope` values. JSON, not an ArrayField: the embedded default runs on SQLite.
    scopes = models.JSONField(_("scopes"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookEvent(models.TextChoices):
    REGISTRATION_CREATED = "registration.created", _("Registration created")
    REGISTRATION_CONFIRMED = "registration.confirmed", _("Registration confirmed")
    REGISTRATION_PENDING = "registration.pending", _("Registration pending approval")
    REGISTRATION_WAITLISTED = "registration.waitlisted", _("Registration waitlisted")
    REGISTRATION_REJECTED = "registration.rejected", _("Registration rejected")
    REGISTRATION_CANCELLED = "registration.cancelled", _("Registration cancelled")
    REGISTRATION_CHECKED_IN = "registration.checked_in", _("Delegate checked in")


class WebhookSubscription(models.Model):
    """A partner's URL told about one forum's registrations, signed with its own secret."""

    forum = models.ForeignKey(
        Forum,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        verbose_name=_("forum"),
    )
    url = models.URLField(_("URL"), max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(
        _("secret"),
        max_length=100,
        editable=False,
        help_text=_(
            "Signs every delivery (HMAC-SHA256); shown once, when the subscription is made."
        ),
    )
    # A list of `WebhookEvent` values (JSON: the embedded default runs on SQLite).
    events = models.JSONField(_("events"))
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Paused by itself after too many failed deliveries in a row."),
    )
    consecutive_failures = models.PositiveIntegerField(
        _("failures in a row"), default=0, editable=False
    )
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["forum", "pk"]
        indexes = [models.Index(fields=["forum", "is_active"], name="webhook_sub_forum_idx")]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one subscription; the body is fixed when written, so
    every attempt sends the same bytes under a fresh timestamp and signature."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sending_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="queued"),
                name="webhook_delivery_due_idx",
            ),
            models.Index(
                fields=["sending_until"],
                condition=models.Q(status="sending"),
                name="webhook_delivery_lease_idx",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription_id}"
