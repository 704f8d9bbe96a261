"""The outbox: queue e-mails in the caller's transaction, deliver them after commit.

The path of one e-mail:

1. ``queue_email`` renders it in the recipient's language and writes an ``OutgoingEmail`` row in
   the caller's transaction. Only after that transaction commits is the row's id handed to the
   ``mail.tasks.deliver_email`` task; if the broker is down at that moment the row simply waits.
2. ``deliver_email`` (run by the task) claims the row under a lock, commits, talks SMTP without
   holding any lock, and records the result: sent, retry later, or failed.
3. ``dispatch_due_emails`` (run periodically by beat) hands due rows to the workers again —
   retries whose time has come and rows whose hand-off never reached the broker — and
   ``release_stuck_emails`` frees rows left in "sending" by a worker that died.

So the database, not the broker, is the record of what still has to go out.
"""

import base64
import enum
import logging
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid, parseaddr

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import models, transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status
Fault = OutgoingEmail.Fault

SUBJECT_MAX_LENGTH = OutgoingEmail._meta.get_field("subject").max_length


@dataclass(frozen=True)
class EmailAttachment:
    filename: str
    content: bytes
    mimetype: str


class DeliveryOutcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # not queued, or not due yet: another task already handled it
    RETRY = "retry"  # temporary failure: queued again with a later next_attempt_at
    FAILED = "failed"  # refused permanently, or out of attempts
    CONFIGURATION_FAULT = "configuration_fault"  # our side is misconfigured: kept queued


class ResendOutcome(enum.StrEnum):
    QUEUED = "queued"  # a queued or failed e-mail goes out again now
    COPIED = "copied"  # a sent e-mail is sent again as a new outbox row
    IN_PROGRESS = "in_progress"  # being sent right now: nothing to do


# Queueing ---------------------------------------------------------------------------------


def queue_email(
    *,
    to: str,
    language: str,
    kind: str,
    template: str,
    context: dict,
    related: models.Model | None = None,
    reply_to: str = "",
    attachments: Sequence[EmailAttachment] = (),
) -> OutgoingEmail:
    """Render an e-mail from templates and queue it for delivery after the current commit.

    Renders ``<template>_subject.txt``, ``<template>.txt`` and, if it exists,
    ``<template>.html`` inside ``translation.override(language)``, with ``context`` plus
    ``site_url``. Text parts are rendered without HTML escaping; the HTML part escapes every
    variable as usual.

    Side effects, in order: one ``OutgoingEmail`` row written in the caller's transaction; then,
    once that transaction commits, the row's id is handed to the delivery task. Nothing is sent
    if the transaction rolls back, and a broker outage at commit time is logged, not raised:
    the periodic dispatcher picks the row up later.
    """
    language = _supported_language(language)
    context = {**context, "site_url": settings.SITE_URL}
    with translation.override(language):
        subject = _render_plain(f"{template}_subject.txt", context)
        body_text = _render_plain(f"{template}.txt", context)
        try:
            body_html = get_template(f"{template}.html").render(context)
        except TemplateDoesNotExist:
            body_html = ""
    return queue_rendered_email(
        to=to,
        language=language,
        kind=kind,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        related=related,
        reply_to=reply_to,
        attachments=attachments,
    )


def queue_rendered_email(
    *,
    to: str,
    language: str,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    related: models.Model | None = None,
    reply_to: str = "",
    attachments: Sequence[EmailAttachment] = (),
) -> OutgoingEmail:
    """Queue an e-mail that is already rendered (for django-allauth, which renders its own).

    Refuses a recipient or reply-to that is not one plain address (ValidationError), so nothing
    can smuggle extra recipients or headers in; folds line breaks out of the subject for the
    same reason. Side effects as in ``queue_email``: a row now, the hand-off after commit.
    """
    validate_email(to)
    if reply_to:
        validate_email(reply_to)
    if not kind:
        raise ValueError("An outgoing e-mail needs a kind.")
    email = OutgoingEmail.objects.create(
        recipient=to,
        language=_supported_language(language),
        kind=kind,
        subject=_single_line(subject, SUBJECT_MAX_LENGTH),
        body_text=body_text.strip() + "\n",
        body_html=body_html.strip(),
        reply_to=reply_to,
        message_id=_new_message_id(),
        attachments=[_stored_attachment(attachment) for attachment in attachments],
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "",
    )
    _hand_off_after_commit(email.pk)
    return email


def resend_email(email: OutgoingEmail, *, acting_user) -> ResendOutcome:
    """Send an e-mail again on a staff member's request (the admin's "resend" action).

    A queued or failed e-mail is queued again, due now, with its attempts reset; a sent one is
    copied into a new outbox row (the sent row stays as the record of what went out) which is
    queued; one being sent right now is left alone. Side effects, in order: the row is locked
    and updated (or the copy written) in one transaction, the action is logged with the acting
    user, and after commit the id is handed to the delivery task.
    """
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().get(pk=email.pk)
        if email.status == Status.SENDING:
            return ResendOutcome.IN_PROGRESS
        if email.status == Status.SENT:
            copy = OutgoingEmail.objects.create(
                recipient=email.recipient,
                language=email.language,
                kind=email.kind,
                subject=email.subject,
                body_text=email.body_text,
                body_html=email.body_html,
                reply_to=email.reply_to,
                message_id=_new_message_id(),
                attachments=email.attachments,
                related_type=email.related_type,
                related_id=email.related_id,
                resent_from=email,
            )
            logger.info(
                "E-mail %s (%s) resent as %s by %s", email.pk, email.kind, copy.pk, acting_user
            )
            _hand_off_after_commit(copy.pk)
            return ResendOutcome.COPIED
        previous_status = email.status
        email.status = Status.QUEUED
        email.attempts = 0
        email.next_attempt_at = timezone.now()
        email.fault = Fault.NONE
        email.last_error = ""
        email.save(
            update_fields=[
                "status",
                "attempts",
                "next_attempt_at",
                "fault",
                "last_error",
                "updated_at",
            ]
        )
        logger.info(
            "E-mail %s (%s) queued again (was %s) by %s",
            email.pk,
            email.kind,
            previous_status,
            acting_user,
        )
        _hand_off_after_commit(email.pk)
        return ResendOutcome.QUEUED


# Delivery ---------------------------------------------------------------------------------


def deliver_email(email_id: int, *, now: datetime | None = None) -> DeliveryOutcome:
    """Send one queued e-mail if it is due; record what happened. Safe to run twice.

    Side effects, in order:
    1. In a short transaction: lock the row; unless it is queued and due, stop (a task that
       arrives twice, or late, sends nothing). Otherwise mark it "sending", count the attempt,
       commit — which releases the lock.
    2. Talk SMTP, holding no lock and no transaction (a slow server must not block the rows
       or a database connection's transaction).
    3. Record the result with one guarded update: "sent"; or back to "queued" with the next
       retry time after a temporary failure (connection refused, timeout, SMTP 4xx), "failed"
       after the last one; "failed" with the reason when the server refuses the recipient
       permanently (5xx); "queued" without using up an attempt when our own configuration is at
       fault (authentication, TLS, settings), logged as critical and shown in the admin.
    """
    from .transport import connection

    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != Status.QUEUED:
            return DeliveryOutcome.SKIPPED
        if email.next_attempt_at > (now or timezone.now()):
            return DeliveryOutcome.SKIPPED
        email.status = Status.SENDING
        email.attempts += 1
        email.save(update_fields=["status", "attempts", "updated_at"])

    try:
        connection.send(_build_message(email))
    except Exception as error:
        return _record_failure(email, error, now=now or timezone.now())

    OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        fault=Fault.NONE,
        last_error="",
        updated_at=timezone.now(),
    )
    return DeliveryOutcome.SENT


def dispatch_due_emails(*, now: datetime | None = None) -> int:
    """Hand queued e-mails whose time has come to the delivery task; return how many.

    Picks up retries that are due and rows whose after-commit hand-off never reached the
    broker, oldest first, at most ``MAIL_DISPATCH_BATCH_SIZE`` per run. A row that is also
    waiting in the broker is harmless: whichever task comes second finds it no longer queued.
    Side effects: one task message per row; no database writes.
    """
    now = now or timezone.now()
    due_ids = list(
        OutgoingEmail.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[: settings.MAIL_DISPATCH_BATCH_SIZE]
    )
    for email_id in due_ids:
        _hand_off(email_id)
    if due_ids:
        logger.info("Dispatched %d due e-mails", len(due_ids))
    return len(due_ids)


def release_stuck_emails(*, now: datetime | None = None) -> int:
    """Queue again e-mails left in "sending" by a worker that died; return how many.

    A row counts as stuck after ``MAIL_STUCK_AFTER`` seconds in "sending" — longer than the
    task's hard time limit, so a worker that is merely slow has been stopped by Celery before
    its row is released, and cannot mark it sent afterwards. Released rows are due at once; one
    that has used all its attempts is marked failed instead. The message may have reached the
    server before the worker died, so a release can mean a duplicate — but never a loss.
    Side effects: two guarded updates, a warning in the log.
    """
    now = now or timezone.now()
    stuck = OutgoingEmail.objects.filter(
        status=Status.SENDING, updated_at__lt=now - timedelta(seconds=settings.MAIL_STUCK_AFTER)
    )
    reason = "The worker stopped while sending this e-mail."
    failed = stuck.filter(attempts__gte=_max_attempts()).update(
        status=Status.FAILED, fault=Fault.TEMPORARY, last_error=reason, updated_at=now
    )
    requeued = stuck.update(
        status=Status.QUEUED,
        next_attempt_at=now,
        fault=Fault.TEMPORARY,
        last_error=reason,
        updated_at=now,
    )
    if failed or requeued:
        logger.warning(
            "Released %d e-mails stuck in sending (%d queued again, %d failed)",
            failed + requeued,
            requeued,
            failed,
        )
    return failed + requeued


# Internals --------------------------------------------------------------------------------


def _hand_off(email_id: int) -> None:
    # Imported here because tasks import this module (imports flow services → tasks).
    from .tasks import deliver_email as deliver_email_task

    deliver_email_task.delay(email_id)


def _hand_off_after_commit(email_id: int) -> None:
    # robust=True: a broker outage is logged by Django and the row waits for the dispatcher,
    # instead of turning a delegate's successful registration into a 500.
    transaction.on_commit(lambda: _hand_off(email_id), robust=True)


def _max_attempts() -> int:
    return len(settings.MAIL_RETRY_DELAYS) + 1


def _record_failure(email: OutgoingEmail, error: Exception, *, now: datetime) -> DeliveryOutcome:
    fault = _classify(error)
    reason = _describe(error)
    if fault == Fault.CONFIGURATION:
        # Not this e-mail's fault, and every other e-mail would fail the same way: keep it
        # queued without using up an attempt, so it goes out once someone fixes the settings.
        logger.critical(
            "Mail configuration fault while sending e-mail %s; e-mails stay queued: %s",
            email.pk,
            reason,
        )
        status, attempts = Status.QUEUED, email.attempts - 1
        next_attempt_at = now + timedelta(seconds=settings.MAIL_CONFIGURATION_FAULT_DELAY)
        outcome = DeliveryOutcome.CONFIGURATION_FAULT
    elif fault == Fault.TEMPORARY and email.attempts < _max_attempts():
        delay = settings.MAIL_RETRY_DELAYS[email.attempts - 1]
        logger.warning(
            "Temporary failure sending e-mail %s (attempt %d), retrying in %d s: %s",
            email.pk,
            email.attempts,
            delay,
            reason,
        )
        status, attempts = Status.QUEUED, email.attempts
        next_attempt_at = now + timedelta(seconds=delay)
        outcome = DeliveryOutcome.RETRY
    else:
        logger.error("E-mail %s to %s failed: %s", email.pk, email.recipient, reason)
        status, attempts, next_attempt_at = Status.FAILED, email.attempts, email.next_attempt_at
        outcome = DeliveryOutcome.FAILED
    OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=status,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        fault=fault,
        last_error=reason,
        updated_at=timezone.now(),
    )
    return outcome


def _classify(error: Exception) -> str:
    """Whose fault a failed attempt was: the moment's, the recipient's, or our configuration's."""
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError):
        return Fault.CONFIGURATION
    if isinstance(error, ssl.SSLCertVerificationError | ImproperlyConfigured):
        return Fault.CONFIGURATION
    if isinstance(error, smtplib.SMTPSenderRefused):
        # The server will not take our From address: every message would fail alike.
        return Fault.CONFIGURATION if error.smtp_code >= 500 else Fault.TEMPORARY
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return Fault.PERMANENT if codes and min(codes) >= 500 else Fault.TEMPORARY
    if isinstance(error, smtplib.SMTPConnectError | smtplib.SMTPHeloError):
        # The server refused us as a client, whatever the message.
        return Fault.CONFIGURATION if error.smtp_code >= 500 else Fault.TEMPORARY
    if isinstance(error, smtplib.SMTPResponseException):
        # Typically after DATA: 5xx refuses this message (size, content), 4xx means later.
        return Fault.PERMANENT if error.smtp_code >= 500 else Fault.TEMPORARY
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError | SoftTimeLimitExceeded):
        # Refused connection, timeout, reset, DNS hiccup, a server that hung up.
        return Fault.TEMPORARY
    if isinstance(error, ValueError | UnicodeError):
        # The message itself cannot be built or encoded: retrying changes nothing.
        return Fault.PERMANENT
    # Unknown: retry (a bounded number of times) rather than drop; log it in full.
    logger.exception("Unexpected error while sending an e-mail", exc_info=error)
    return Fault.TEMPORARY


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        details = "; ".join(
            f"{code} {_decode(message)}" for code, message in error.recipients.values()
        )
        return f"Recipient refused: {details}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code} {_decode(error.smtp_error)}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _decode(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers={
            "Message-ID": email.message_id,
            # Tells auto-responders (out-of-office) not to answer: RFC 3834.
            "Auto-Submitted": "auto-generated",
            "Content-Language": email.language,
        },
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    return message


def _render_plain(template_name: str, context: dict) -> str:
    # Subjects and text bodies are not HTML: "R&D" must not arrive as "R&amp;D". Rendering with
    # autoescape off here means no template has to remember {% autoescape off %}.
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _single_line(text: str, max_length: int) -> str:
    # A line break in a header starts a new header: fold every kind of them into spaces.
    line = " ".join(text.split())
    return line if len(line) <= max_length else line[: max_length - 1] + "…"


def _stored_attachment(attachment: EmailAttachment) -> dict:
    return {
        "filename": _single_line(attachment.filename, 255),
        "mimetype": attachment.mimetype,
        "content": base64.b64encode(attachment.content).decode("ascii"),
    }


def _supported_language(language: str) -> str:
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _new_message_id() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)
