"""Delivery: claim due rows, talk SMTP without holding a lock, record what happened."""

import enum
import logging
import smtplib
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import BinaryField, Case, F, JSONField, Q, TextField, Value, When
from django.utils import timezone

from ..emails import prebuild_message
from ..models import OutgoingEmail, UndeliverableAddress
from .faults import classify, describe, permanent_refusal_code
from .queueing import hand_off

logger = logging.getLogger("mail.services")

Status = OutgoingEmail.Status
Fault = OutgoingEmail.Fault


class DeliveryOutcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # not queued, or not due yet: another task already handled it
    RETRY = "retry"  # temporary failure: queued again with a later next_attempt_at
    FAILED = "failed"  # refused permanently, or out of attempts
    CONFIGURATION_FAULT = "configuration_fault"  # our side is misconfigured: kept queued


def deliver_emails(
    email_ids: Sequence[int], *, now: datetime | None = None
) -> dict[int, DeliveryOutcome]:
    """Send the given e-mails that are queued and due, over one SMTP connection; safe to repeat.

    Returns each id's outcome. Side effects, in order:
    1. In one short transaction: lock those rows that are queued and due — skipping rows
       another worker holds, and leaving the rest (a task that arrives twice, or late, sends
       nothing); mark them "sending" with a lease until Celery has surely stopped this task
       (``sending_lease``), count the attempt; commit, which releases the locks.
    2. Talk SMTP, holding no lock and no transaction (a slow server must not hold rows).
    3. Record each result: "sent" (one update for all that went out, committed without
       waiting for the disk: ``_record_sent``); back to "queued" with the next retry time
       after a temporary failure (refused connection, timeout, SMTP 4xx), "failed" after the
       last one; "failed" with the reason when the server refuses the recipient permanently
       (5xx); "queued" without using up an attempt when our own configuration is at fault
       (authentication, TLS, settings), logged as critical and shown in the admin. When the
       connection itself fails, the rows not yet tried go back to "queued" as they were. A
       message that carries a credential loses its body (and its prebuilt message) once it is
       sent or has failed for good.

    Each row's message was built once, when it was queued (``prebuilt_message``), and goes out
    as those bytes, so a retry is byte-identical; a row queued before that column existed gets
    its message built and stored at its first claim. The queries are the same few whatever the
    batch's size while every message goes out: claim (select, update), then one transaction
    for all that were sent (``SET LOCAL``, update); only a failed message costs an update of
    its own.

    A worker killed between steps 2 and 3 — or a database server that crashes before flushing
    step 3's record — leaves its rows in "sending" until their lease has passed and
    ``release_stuck_emails`` queues them again: at most this one batch may then be sent twice,
    with the same Message-IDs.
    """
    from ..transport import connection

    now = now or timezone.now()
    outcomes = dict.fromkeys(email_ids, DeliveryOutcome.SKIPPED)
    with transaction.atomic():
        # SKIP LOCKED: a row another worker is claiming right now is theirs to send.
        claimed = list(
            OutgoingEmail.objects.filter(
                pk__in=email_ids, status=Status.QUEUED, next_attempt_at__lte=now
            )
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
        )
        if not claimed:
            return outcomes
        claimed_at = timezone.now()
        OutgoingEmail.objects.filter(pk__in=[email.pk for email in claimed]).update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            dispatched_until=None,
            sending_until=claimed_at + sending_lease(),
            updated_at=claimed_at,
        )
        for email in claimed:
            email.status, email.attempts = Status.SENDING, email.attempts + 1
        _prebuild_missing_messages(claimed)

    sent_ids: list[int] = []
    try:
        for position, email in enumerate(claimed):
            try:
                connection.send(email, check_connection=position == 0)
            except Exception as error:
                outcomes[email.pk] = _record_failure(email, error, now=now)
                if _connection_failed(error):
                    _release_untried(claimed[position + 1 :])
                    break
            else:
                sent_ids.append(email.pk)
                outcomes[email.pk] = DeliveryOutcome.SENT
    finally:
        # Also when the task is being stopped (soft time limit): what went out is recorded.
        _record_sent(sent_ids)
    return outcomes


def dispatch_due_emails(*, now: datetime | None = None, bulk: bool = False) -> int:
    """Hand queued e-mails whose time has come to the delivery task; return how many.

    Picks up retries that are due and rows whose after-commit hand-off never reached the
    broker, oldest first, at most ``MAIL_DISPATCH_BATCH_SIZE`` per run. A row that is also
    waiting in the broker is harmless: whichever task comes second finds it no longer queued.
    ``bulk=True`` dispatches mailings' rows instead (each due at its place in the mailing's
    pace) to their own task on the "mailings" queue; the regular run never touches them.

    Side effects, in order: the rows are leased (``dispatched_until`` = now +
    ``MAIL_DISPATCH_LEASE`` seconds), so that while a backlog drains, runs within the lease
    skip a row already waiting in the broker instead of handing it out again; then one task
    message per MAIL_DELIVERY_BATCH_SIZE rows. The worker that claims a row clears its lease;
    a row whose task was lost goes out again once the lease has passed. If the broker cannot
    be reached the leases are lifted again, for the next run.
    """
    now = now or timezone.now()
    due = OutgoingEmail.objects.filter(
        status=Status.QUEUED, next_attempt_at__lte=now, bulk=bulk
    ).filter(Q(dispatched_until__isnull=True) | Q(dispatched_until__lte=now))
    due_ids = list(
        due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[
            : settings.MAIL_DISPATCH_BATCH_SIZE
        ]
    )
    if not due_ids:
        return 0
    leased_until = now + timedelta(seconds=settings.MAIL_DISPATCH_LEASE)
    leased = OutgoingEmail.objects.filter(pk__in=due_ids, status=Status.QUEUED)
    leased.update(dispatched_until=leased_until)
    try:
        hand_off(due_ids, bulk=bulk)
    except Exception:
        leased.filter(dispatched_until=leased_until).update(dispatched_until=None)
        raise
    logger.info("Dispatched %d due %se-mails", len(due_ids), "mailing " if bulk else "")
    return len(due_ids)


def sending_lease() -> timedelta:
    """How long a claimed row stays "sending" before the dispatcher may take it back.

    Celery's hard time limit (``CELERY_TASK_TIME_LIMIT``) stops a delivery task that long after
    it started, and the claim comes after the start; ``MAIL_SENDING_LEASE_MARGIN`` covers the
    pool's lag in killing it and clock skew between hosts. Past the lease, the task that claimed
    the row cannot be running any more (the system check mail.E002 insists on a hard limit).
    """
    return timedelta(
        seconds=(settings.CELERY_TASK_TIME_LIMIT or 0) + settings.MAIL_SENDING_LEASE_MARGIN
    )


def release_stuck_emails(*, now: datetime | None = None) -> int:
    """Queue again e-mails left in "sending" by a worker that died; return how many.

    A row counts as stuck once its lease (``sending_until``, set when a worker claimed it) has
    passed: by then Celery's hard time limit has stopped the task, so a worker that is merely
    slow cannot mark the row sent afterwards. Released rows are due at once; one that has used
    all its attempts is marked failed instead (and loses its body if it carries a credential).
    The message may have reached the server before the worker died, so a release can mean a
    duplicate — but never a loss. Side effects: two guarded updates, a warning in the log.
    """
    now = now or timezone.now()
    stuck = OutgoingEmail.objects.filter(status=Status.SENDING, sending_until__lt=now)
    reason = "The worker stopped while sending this e-mail."
    failed = stuck.filter(attempts__gte=_max_attempts()).update(
        status=Status.FAILED,
        fault=Fault.TEMPORARY,
        last_error=reason,
        sending_until=None,
        updated_at=now,
        **_secret_content_wiped(),
    )
    requeued = stuck.update(
        status=Status.QUEUED,
        next_attempt_at=now,
        fault=Fault.TEMPORARY,
        last_error=reason,
        sending_until=None,
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


def _secret_content_wiped() -> dict:
    """Update values that empty a credential-carrying row's body and keep every other row's.

    For the updates that end a row's delivery (sent, failed for good): once the message has
    gone out, or never will, nobody needs the link or code it carried, and the outbox must not
    keep it for whoever can read the table or a backup."""
    return {
        "body_text": Case(
            When(secret=True, then=Value("")), default=F("body_text"), output_field=TextField()
        ),
        "body_html": Case(
            When(secret=True, then=Value("")), default=F("body_html"), output_field=TextField()
        ),
        "attachments": Case(
            When(secret=True, then=Value([], output_field=JSONField())),
            default=F("attachments"),
        ),
        "prebuilt_message": Case(
            When(secret=True, then=Value(None, output_field=BinaryField())),
            default=F("prebuilt_message"),
        ),
    }


def _prebuild_missing_messages(claimed: list[OutgoingEmail]) -> None:
    """Build and store the message of claimed rows queued before messages were prebuilt.

    Stored (one update for them all) before anything is sent, so that a retry sends the same
    bytes as this first attempt. A message that cannot be built stays without: its attempt
    builds it again, fails, and records why.
    """
    built = []
    for email in claimed:
        if email.prebuilt_message is None:
            try:
                email.prebuilt_message = prebuild_message(email)
            except (ValueError, UnicodeError):
                continue
            built.append(email)
    if built:
        OutgoingEmail.objects.bulk_update(built, ["prebuilt_message"])


def _max_attempts() -> int:
    return len(settings.MAIL_RETRY_DELAYS) + 1


def _record_failure(email: OutgoingEmail, error: Exception, *, now: datetime) -> DeliveryOutcome:
    fault = classify(error)
    reason = describe(error)
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
        code = permanent_refusal_code(error)
        if code is not None:
            record_undeliverable(email.recipient, code=code, reason=reason)
    wiped = _secret_content_wiped() if status == Status.FAILED else {}
    OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=status,
        attempts=attempts,
        next_attempt_at=next_attempt_at,
        fault=fault,
        last_error=reason,
        sending_until=None,
        updated_at=timezone.now(),
        **wiped,
    )
    return outcome


def record_undeliverable(address: str, *, code: int, reason: str) -> None:
    """Mark ``address`` undeliverable after a permanent refusal (one upsert: the first refusal
    inserts the row, later ones count and keep the latest reason and time)."""
    now = timezone.now()
    table = UndeliverableAddress._meta.db_table
    upsert = (
        f"INSERT INTO {table} "  # noqa: S608 (the table name is ours, the values parameters)
        "(address, reason, smtp_code, first_seen_at, last_seen_at, refusals) "
        "VALUES (%s, %s, %s, %s, %s, 1) "
        "ON CONFLICT (address) DO UPDATE SET reason = EXCLUDED.reason, "
        "smtp_code = EXCLUDED.smtp_code, last_seen_at = EXCLUDED.last_seen_at, "
        f"refusals = {table}.refusals + 1"
    )
    with db_connection.cursor() as cursor:
        cursor.execute(
            upsert,
            [address.lower(), reason[:2000], code, now, now],
        )


def _connection_failed(error: Exception) -> bool:
    """True when the rest of a batch cannot go over this connection either.

    A refused recipient or message (the server answered about this one message), or a message
    that could not even be built, says nothing about the next one.
    """
    about_this_message = (
        smtplib.SMTPRecipientsRefused,
        smtplib.SMTPDataError,
        ValueError,
        UnicodeError,
    )
    return not isinstance(error, about_this_message)


def _release_untried(emails: list[OutgoingEmail]) -> None:
    # Not tried at all: give back the attempt counted at claim time; still due now.
    if emails:
        OutgoingEmail.objects.filter(
            pk__in=[email.pk for email in emails], status=Status.SENDING
        ).update(
            status=Status.QUEUED,
            attempts=F("attempts") - 1,
            sending_until=None,
            updated_at=timezone.now(),
        )


def _record_sent(email_ids: list[int]) -> None:
    """Mark the rows that went out as sent, in one transaction committed without waiting.

    ``synchronous_commit = off`` for this transaction only: the commit returns before
    PostgreSQL has flushed it to disk, which spares the worker one flush per batch (5-8 ms each
    on a loaded host) before it can take its next batch. The rows are visible to every other
    session at once. Only a crash of the database server itself (not of this worker) within
    about three ``wal_writer_delay`` (600 ms by default) can lose the record; any later
    synchronous commit on the server flushes it too — this process's next claim, a web
    request's write. A lost record leaves the batch "sending", exactly as a worker killed before
    recording it would: after its lease ``release_stuck_emails`` queues it again and it goes
    out a second time with the same Message-IDs. That stays within the bound documented for a
    killed worker (at most one batch per worker process), since a process's next claim makes
    the record of its previous batch durable.

    The claim (step 1 of ``deliver_emails``) keeps its synchronous commit: a claim lost while
    its batch is being sent would put the rows back in "queued" at once, without a lease to
    wait for, and the dispatcher could hand them to a second worker during the first one's
    conversation.
    """
    if not email_ids:
        return
    with transaction.atomic():
        if db_connection.vendor == "postgresql":
            # PostgreSQL only: the embedded default's SQLite has no such setting (and its
            # commits are local file writes anyway).
            with db_connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        sent_at = timezone.now()
        OutgoingEmail.objects.filter(pk__in=email_ids, status=Status.SENDING).update(
            status=Status.SENT,
            sent_at=sent_at,
            fault=Fault.NONE,
            last_error="",
            sending_until=None,
            updated_at=sent_at,
            **_secret_content_wiped(),
        )
