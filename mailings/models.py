"""Mailings written by the secretariat, who got each one, and the events' reminders."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models import Registration


class Mailing(models.Model):
    """A message the secretariat writes once (subject and body per language) and sends to the
    delegates its filters select, each in their language, once.

    Statuses: draft (editable) → queueing (the send was pressed: the recipients' e-mails are
    being written) → sending (every e-mail is in the outbox, going out at the mailings' pace)
    → sent (nothing left to go out). Counts are written when the e-mails are queued; progress
    is read from the outbox rows (``selectors.mailing_progress``).
    """

    class Purpose(models.TextChoices):
        EVENT = "event", _("Information about an event")
        NEWS = "news", _("News about future forums (only to those who consented)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUEING = "queueing", _("Being queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    class CheckedIn(models.TextChoices):
        ANY = "", _("Checked in or not")
        YES = "yes", _("Checked in")
        NO = "no", _("Not checked in")

    name = models.CharField(
        _("name"), max_length=200, help_text=_("For the secretariat only; delegates do not see it.")
    )
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.EVENT
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text. Placeholders: {{ first_name }}, {{ last_name }}, {{ full_name }}, "
            "{{ greeting }}, {{ reference }}, {{ event }}, {{ event_dates }}, {{ venue }}, "
            "{{ registration_link }}."
        ),
    )

    # The recipients: the registrations these filters select, one e-mail per delegate.
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.PROTECT,
        related_name="mailings",
        verbose_name=_("event"),
        null=True,
        blank=True,
        help_text=_("Empty: delegates of every event (news only)."),
    )
    categories = models.ManyToManyField(
        "registrations.DelegateCategory",
        blank=True,
        related_name="+",
        verbose_name=_("categories"),
        help_text=_("Empty: every category."),
    )
    statuses = models.JSONField(
        _("registration statuses"),
        default=list,
        blank=True,
        help_text=_("Empty: confirmed and pending."),
    )
    countries = models.JSONField(_("countries"), default=list, blank=True)
    checked_in = models.CharField(
        _("checked in"), max_length=3, choices=CheckedIn.choices, default="", blank=True
    )
    # billing.selectors.PaymentState values ("paid", "unpaid", …); empty: whatever was paid.
    payment_states = models.JSONField(
        _("payment"), default=list, blank=True, help_text=_("Empty: paid or not.")
    )
    news_consent_only = models.BooleanField(
        _("only delegates who accept news"),
        default=False,
        help_text=_("Always on for news about future forums."),
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    send_requested_at = models.DateTimeField(_("send pressed at"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0)
    skipped_undeliverable = models.PositiveIntegerField(
        _("skipped: undeliverable address"), default=0
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        ordering = ["-created_at", "-pk"]
        permissions = [("send_mailing", _("Can send mailings to delegates"))]

    def __str__(self):
        return self.name


class MailingRecipient(models.Model):
    """One delegate a mailing went to: at most one row per (mailing, delegate), so a send
    pressed twice or a task run twice queues nobody twice."""

    mailing = models.ForeignKey(
        Mailing, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("mailing")
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("delegate"),
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registration"),
    )
    email = models.EmailField(_("e-mail address"), max_length=254)
    language = models.CharField(_("language"), max_length=8)
    outgoing_email_id = models.BigIntegerField(_("outbox row"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing recipient")
        verbose_name_plural = _("mailing recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "delegate"], name="mailing_recipient_once_per_delegate"
            )
        ]

    def __str__(self):
        return self.email


class EventReminder(models.Model):
    """A reminder sent to an event's confirmed delegates a number of days before it starts
    (venue, times, badge pick-up, the ticket). Each goes to each registration once
    (``SentReminder``), however often beat runs or restarts."""

    event = models.ForeignKey(
        "events.Event",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("event"),
    )
    days_before = models.PositiveSmallIntegerField(
        _("days before the start"), help_text=_("E.g. 7 for a week before, 1 for the day before.")
    )
    note = models.TextField(
        _("practical note"),
        blank=True,
        help_text=_("Badge pick-up, transport, what to bring: added to the reminder."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("event reminder")
        verbose_name_plural = _("event reminders")
        ordering = ["event", "-days_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "days_before"], name="event_reminder_once_per_offset"
            )
        ]

    def __str__(self):
        return f"{self.event} − {self.days_before}"


class SentReminder(models.Model):
    """This reminder was queued for this registration (written with its outbox row)."""

    reminder = models.ForeignKey(
        EventReminder, on_delete=models.CASCADE, related_name="sent", verbose_name=_("reminder")
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="+", verbose_name=_("registration")
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "registration"], name="sent_reminder_once_per_registration"
            )
        ]

    def __str__(self):
        return f"{self.reminder_id} → {self.registration_id}"
