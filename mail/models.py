"""The outbox: every e-mail the portal sends is a row here before it is a message on the wire."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    class Status(models.TextChoices):
        # Written with its intent only (render_intent): rendered after the writer's commit,
        # outside its locks, and queued then. Delivery never sees a row in this state.
        RENDERING = "rendering", _("To render")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Fault(models.TextChoices):
        """Why the last attempt did not deliver the e-mail ("" when it did, or none was made)."""

        NONE = "", _("None")
        RENDERING = "rendering", _("Could not be rendered")
        TEMPORARY = "temporary", _("Temporary (will retry)")
        PERMANENT = "permanent", _("Refused permanently")
        CONFIGURATION = "configuration", _("Mail configuration fault")

    recipient = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=8)
    kind = models.CharField(
        _("kind"), max_length=100, help_text=_("What the e-mail is, e.g. registration.confirmed.")
    )
    subject = models.CharField(_("subject"), max_length=500)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    reply_to = models.EmailField(_("reply-to"), max_length=254, blank=True)
    # Stable across retries, so a receiving server (or a person) can tell a retry from a new
    # message; the benchmark counts duplicates by it.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    # [{"filename": ..., "mimetype": ..., "content": <base64>}], stored with the row so every
    # retry sends the same bytes even if the source document changed since.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # The whole message as it goes on the wire (RFC 5322, CRLF line ends, the Message-ID above),
    # built once when the row is written: every attempt sends exactly these bytes, and the worker
    # spends no time on MIME. Empty (NULL) for a row written before the column existed, whose
    # first attempt builds and stores it; wiped with the body for a secret row.
    prebuilt_message = models.BinaryField(
        _("message as sent"), null=True, blank=True, editable=False
    )
    # What to render, for a row written before it was rendered (status "to render"): the
    # template, the context builder's name and its JSON context of ids and plain values. Cleared
    # once rendered; kept on a row whose rendering failed, so "resend" can render it again.
    render_intent = models.JSONField(_("rendering intent"), null=True, blank=True, editable=False)
    # The message carries a credential (a password-reset link, a confirmation key, a sign-in
    # code): nobody but its recipient may read it. The admin never shows its body, it cannot be
    # resent (the person asks again), and its body is wiped once it is sent or has failed.
    secret = models.BooleanField(
        _("carries a credential"),
        default=False,
        # A default in the database too: during a rolling deploy, processes still running the
        # previous code insert outbox rows without this column.
        db_default=False,
        editable=False,
        help_text=_(
            "A password-reset link, confirmation key or sign-in code: the content is hidden "
            "and deleted after delivery."
        ),
    )

    # Extra header lines (e.g. List-Unsubscribe for news), {name: value}; part of the prebuilt
    # message. NULL on rows written before the column existed.
    headers = models.JSONField(_("extra headers"), null=True, blank=True, editable=False)
    # Part of a mailing: delivered by its own task on the "mailings" queue, at the mailing's
    # pace (its rows are due one after another), never in the way of a confirmation.
    bulk = models.BooleanField(
        _("part of a mailing"), default=False, db_default=False, editable=False
    )

    related_type = models.ForeignKey(
        ContentType,
        verbose_name=_("related object type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    related_id = models.CharField(_("related object id"), max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    resent_from = models.ForeignKey(
        "self",
        verbose_name=_("copy of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Set by the dispatcher when it hands a due row to the workers, cleared when a worker claims
    # it: while a backlog drains, a row waiting in the broker is not handed out again each run.
    dispatched_until = models.DateTimeField(
        _("handed to the workers until"), null=True, blank=True, editable=False
    )
    # Set when a worker claims the row ("sending"): the worker's task is surely stopped by then
    # (claim time + CELERY_TASK_TIME_LIMIT + MAIL_SENDING_LEASE_MARGIN). Past it, a row still
    # "sending" belongs to a worker that died, and the dispatcher queues it again.
    sending_until = models.DateTimeField(
        _("being sent until"), null=True, blank=True, editable=False
    )
    fault = models.CharField(
        _("fault"), max_length=16, choices=Fault.choices, default=Fault.NONE, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The dispatcher's query: queued rows whose time has come, oldest first; and the
            # stuck-row sweep over "sending".
            models.Index(fields=["status", "next_attempt_at"], name="mail_outgoing_due_idx"),
            models.Index(fields=["related_type", "related_id"], name="mail_outgoing_related_idx"),
            # The admin's default order (newest first): without it every changelist page sorts
            # the whole outbox, which grows faster than anything else.
            models.Index(fields=["-created_at", "-id"], name="mail_outgoing_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="mail_outgoing_sent_has_sent_at",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient}"


class UndeliverableAddress(models.Model):
    """An address the mail server refused permanently (SMTP 5xx on RCPT or DATA).

    Written by delivery (``mail.services.deliver_emails``) when a message is refused for good;
    mailings skip these addresses (``mail.selectors.is_undeliverable``), and the admin shows
    them on the outbox and on the delegate's registration. Deleting the row (the delegate
    corrected their mailbox) makes the address deliverable again.
    """

    address = models.EmailField(_("address"), max_length=254, unique=True)
    reason = models.TextField(_("reason"), blank=True)
    smtp_code = models.PositiveSmallIntegerField(_("SMTP code"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first refused at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last refused at"), default=timezone.now)
    refusals = models.PositiveIntegerField(_("refusals"), default=1)

    class Meta:
        verbose_name = _("undeliverable address")
        verbose_name_plural = _("undeliverable addresses")
        ordering = ["-last_seen_at", "-pk"]

    def __str__(self):
        return self.address
