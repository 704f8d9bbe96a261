"""What the privacy app records itself: each account deletion (without the person: counts
and registration references only) and each warning sent before an inactive account is
deleted."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountDeletion(models.Model):
    """One deleted account. Holds no personal data: the anonymised user's id, why, when, and
    what each source did (counts), so the secretariat can answer "was it done?"."""

    class Reason(models.TextChoices):
        REQUESTED = "requested", _("Asked for by the delegate")
        INACTIVE = "inactive", _("Inactive account (retention schedule)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("anonymised user"),
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    at = models.DateTimeField(_("deleted at"), default=timezone.now)
    # Registration references (not personal on their own) and what each source did.
    references = models.JSONField(_("registrations kept anonymously"), default=list)
    counts = models.JSONField(_("what was erased"), default=dict)

    class Meta:
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M}"


class InactivityWarning(models.Model):
    """The e-mail that warned a delegate their inactive account would be deleted. The account
    is deleted only `PRIVACY_INACTIVITY_WARNING_DAYS` after it, and only if the delegate has
    not signed in since."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inactivity_warning",
        verbose_name=_("user"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("inactivity warning")
        verbose_name_plural = _("inactivity warnings")

    def __str__(self):
        return f"{self.user_id} {self.sent_at:%Y-%m-%d}"
