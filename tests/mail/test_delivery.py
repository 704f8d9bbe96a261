"""Delivery through a real SMTP server (aiosmtpd): once, retried, failed, or held on a fault."""

import datetime
import logging

import psycopg
import pytest
from django.db import connection as db_connection
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mail.models import OutgoingEmail
from mail.services import DeliveryOutcome, deliver_emails, release_stuck_emails
from mail.services.delivery import sending_lease
from mail.tasks import deliver_emails as deliver_emails_task
from tests.smtp_server import free_port

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status
Fault = OutgoingEmail.Fault


def test_deliver_email_task_run_twice_sends_once(smtp_server, queue_test_message):
    email = queue_test_message(to="amina@example.com")

    first = deliver_emails_task.apply(kwargs={"email_ids": [email.pk]}).get()
    second = deliver_emails_task.apply(kwargs={"email_ids": [email.pk]}).get()

    assert (first, second) == ({str(email.pk): "sent"}, {str(email.pk): "skipped"})
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "amina@example.com"
    assert smtp_server.messages[0]["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)


def test_deliver_email_temporary_refusal_then_success(smtp_server, queue_test_message, settings):
    settings.MAIL_RETRY_DELAYS = [10, 60]
    email = queue_test_message(to="amina@example.com")
    smtp_server.replies["amina@example.com"] = "451 Mailbox busy, try later"
    now = timezone.now()

    assert deliver_emails([email.pk], now=now)[email.pk] == DeliveryOutcome.RETRY

    email.refresh_from_db()
    assert (email.status, email.attempts, email.fault) == (Status.QUEUED, 1, Fault.TEMPORARY)
    assert email.next_attempt_at == now + datetime.timedelta(seconds=10)
    assert "451" in email.last_error
    # Not due yet: a duplicate or early task does nothing.
    assert (
        deliver_emails([email.pk], now=now + datetime.timedelta(seconds=9))[email.pk] == "skipped"
    )

    del smtp_server.replies["amina@example.com"]
    outcome = deliver_emails([email.pk], now=now + datetime.timedelta(seconds=10))[email.pk]

    assert outcome == DeliveryOutcome.SENT
    email.refresh_from_db()
    assert (email.status, email.attempts, email.fault, email.last_error) == (
        Status.SENT,
        2,
        Fault.NONE,
        "",
    )
    assert len(smtp_server.messages) == 1


def test_deliver_email_connection_refused_is_retried(settings, queue_test_message):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    email = queue_test_message()

    assert deliver_emails([email.pk])[email.pk] == DeliveryOutcome.RETRY

    email.refresh_from_db()
    assert (email.status, email.fault) == (Status.QUEUED, Fault.TEMPORARY)
    assert "ConnectionRefusedError" in email.last_error


def test_deliver_email_temporary_failures_end_in_failed_after_last_delay(
    smtp_server, queue_test_message, settings
):
    settings.MAIL_RETRY_DELAYS = [10]
    smtp_server.replies["delegate@example.com"] = "452 Mailbox full"
    email = queue_test_message()
    now = timezone.now()

    first = deliver_emails([email.pk], now=now)[email.pk]
    second = deliver_emails([email.pk], now=now + datetime.timedelta(seconds=10))[email.pk]

    assert (first, second) == (DeliveryOutcome.RETRY, DeliveryOutcome.FAILED)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 2)
    assert "452 Mailbox full" in email.last_error


def test_deliver_email_permanent_refusal_is_marked_failed_with_reason(
    smtp_server, queue_test_message
):
    smtp_server.replies["gone@example.com"] = "550 5.1.1 No such user here"
    email = queue_test_message(to="gone@example.com")

    assert deliver_emails([email.pk])[email.pk] == DeliveryOutcome.FAILED

    email.refresh_from_db()
    assert (email.status, email.fault, email.attempts) == (Status.FAILED, Fault.PERMANENT, 1)
    assert email.last_error == "Recipient refused: 550 5.1.1 No such user here"
    assert smtp_server.messages == []


def test_deliver_email_authentication_failure_keeps_queued_and_alerts(
    smtp_server_rejecting_logins, queue_test_message, caplog, settings
):
    settings.MAIL_CONFIGURATION_FAULT_DELAY = 300
    email = queue_test_message()
    now = timezone.now()

    with caplog.at_level(logging.CRITICAL, logger="mail.services"):
        outcome = deliver_emails([email.pk], now=now)[email.pk]

    assert outcome == DeliveryOutcome.CONFIGURATION_FAULT
    email.refresh_from_db()
    # Kept queued, no attempt used up: it goes out once the password is fixed.
    assert (email.status, email.attempts, email.fault) == (Status.QUEUED, 0, Fault.CONFIGURATION)
    assert email.next_attempt_at == now + datetime.timedelta(seconds=300)
    assert "SMTPAuthenticationError" in email.last_error
    assert any(
        record.levelno == logging.CRITICAL and "configuration fault" in record.getMessage()
        for record in caplog.records
    )


def test_deliver_email_reuses_one_smtp_connection(smtp_server, queue_test_message):
    emails = [queue_test_message(to=f"delegate{n}@example.com") for n in range(3)]

    outcomes = [deliver_emails([email.pk])[email.pk] for email in emails]

    assert outcomes == [DeliveryOutcome.SENT] * 3
    assert len(smtp_server.messages) == 3
    assert smtp_server.handler.sessions == 1


def test_deliver_email_reconnects_when_server_dropped_the_connection(
    smtp_server, queue_test_message
):
    first, second = queue_test_message(), queue_test_message()
    assert deliver_emails([first.pk])[first.pk] == DeliveryOutcome.SENT
    # The server restarts, hanging up on the connection the worker kept open.
    smtp_server.restart()

    assert deliver_emails([second.pk])[second.pk] == DeliveryOutcome.SENT

    assert len(smtp_server.messages) == 2
    assert smtp_server.handler.sessions == 2


def test_deliver_email_does_not_resend_when_the_server_hangs_up_after_accepting(
    smtp_server, queue_test_message
):
    accept, hang_up = smtp_server.handler.handle_DATA, []

    async def accept_then_hang_up(server, session, envelope):
        reply = await accept(server, session, envelope)
        if hang_up:
            server.transport.abort()  # the message is accepted; the reply never leaves
        return reply

    # Before the first session: aiosmtpd looks the hooks up when a connection opens.
    smtp_server.handler.handle_DATA = accept_then_hang_up
    first = queue_test_message(to="first@example.com")
    second = queue_test_message(to="second@example.com")
    assert (
        deliver_emails([first.pk])[first.pk] == DeliveryOutcome.SENT
    )  # the connection is now kept
    hang_up.append(True)

    outcome = deliver_emails([second.pk])[second.pk]

    # Sent exactly once: the sender cannot know it arrived, so the row waits for a retry,
    # but it is not sent again over a fresh connection at once.
    assert [m["To"] for m in smtp_server.messages] == ["first@example.com", "second@example.com"]
    assert outcome == DeliveryOutcome.RETRY


def test_emails_queued_in_one_transaction_go_out_in_batches_over_one_connection(
    smtp_server, queue_test_message, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_DELIVERY_BATCH_SIZE = 3

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        emails = [queue_test_message(to=f"delegate{n}@example.com") for n in range(4)]

    # One callback for the transaction, which publishes both batches.
    assert len(callbacks) == 1
    assert sorted(m["To"] for m in smtp_server.messages) == [
        f"delegate{n}@example.com" for n in range(4)
    ]
    assert smtp_server.handler.sessions == 1
    for email in emails:
        email.refresh_from_db()
        assert (email.status, email.attempts) == (Status.SENT, 1)


def test_fifty_emails_queued_together_go_out_as_one_batch_by_default(
    smtp_server, queue_test_message, django_capture_on_commit_callbacks
):
    # A notice to fifty delegates: one task, one claim, one "sent" record. Each further batch
    # would cost its own task, claim and record, and check the kept connection with a NOOP.
    with django_capture_on_commit_callbacks(execute=True):
        emails = [queue_test_message(to=f"delegate{n}@example.com") for n in range(50)]

    assert len(smtp_server.messages) == 50
    assert (smtp_server.handler.sessions, smtp_server.handler.noops) == (1, 0)
    assert {email.message_id for email in emails} == {m["Message-ID"] for m in smtp_server.messages}
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 50


def test_deliver_email_batch_stops_at_a_dead_connection_without_using_attempts(
    settings, queue_test_message
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    first, second, third = (queue_test_message(to=f"d{n}@example.com") for n in range(3))

    outcomes = deliver_emails([first.pk, second.pk, third.pk])

    assert outcomes[first.pk] == DeliveryOutcome.RETRY
    first.refresh_from_db()
    assert (first.status, first.attempts, first.fault) == (Status.QUEUED, 1, Fault.TEMPORARY)
    for untried in (second, third):
        untried.refresh_from_db()
        assert (untried.status, untried.attempts, untried.last_error) == (Status.QUEUED, 0, "")


def test_deliver_email_batch_continues_after_one_refused_recipient(smtp_server, queue_test_message):
    smtp_server.replies["gone@example.com"] = "550 No such user"
    gone = queue_test_message(to="gone@example.com")
    fine = queue_test_message(to="fine@example.com")

    outcomes = deliver_emails([gone.pk, fine.pk])

    assert outcomes == {gone.pk: DeliveryOutcome.FAILED, fine.pk: DeliveryOutcome.SENT}
    assert smtp_server.handler.sessions == 1  # a refusal does not cost the connection

    fine.refresh_from_db()
    assert fine.status == Status.SENT
    assert [m["To"] for m in smtp_server.messages] == ["fine@example.com"]


def test_deliver_email_retry_after_temporary_failure_keeps_the_message_id(
    smtp_server, queue_test_message, settings
):
    # The server takes the whole message, then answers 451: the sender cannot tell whether it
    # arrived, so it tries again — with the same Message-ID, which lets the receiving side
    # (and the delegate's mail program) keep one copy if the first one got through after all.
    settings.MAIL_RETRY_DELAYS = [10]
    smtp_server.handler.data_replies.append("451 Temporary local problem, try later")
    email = queue_test_message(to="amina@example.com")
    message_id = email.message_id
    now = timezone.now()

    first = deliver_emails([email.pk], now=now)[email.pk]
    second = deliver_emails([email.pk], now=now + datetime.timedelta(seconds=10))[email.pk]

    assert (first, second) == (DeliveryOutcome.RETRY, DeliveryOutcome.SENT)
    assert [m["Message-ID"] for m in smtp_server.handler.attempts] == [message_id, message_id]
    assert [m["Message-ID"] for m in smtp_server.messages] == [message_id]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.message_id) == (Status.SENT, 2, message_id)


def test_deliver_email_retry_sends_the_same_bytes_as_the_first_attempt(
    smtp_server, queue_test_message, settings
):
    # Text and HTML: a multipart message, whose MIME boundary a rebuild would draw anew.
    settings.MAIL_RETRY_DELAYS = [10]
    smtp_server.handler.data_replies.append("451 Temporary local problem, try later")
    email = queue_test_message(to="amina@example.com", language="ru")
    now = timezone.now()

    first = deliver_emails([email.pk], now=now)[email.pk]
    second = deliver_emails([email.pk], now=now + datetime.timedelta(seconds=10))[email.pk]

    assert (first, second) == (DeliveryOutcome.RETRY, DeliveryOutcome.SENT)
    first_data, second_data = smtp_server.handler.raw_attempts
    # This server adds no trace headers (Received:): what it recorded is what was sent.
    assert first_data == second_data
    assert smtp_server.messages[0].get_content_type() == "multipart/alternative"


def test_deliver_email_row_queued_before_prebuilt_messages_is_built_once(
    smtp_server, queue_test_message, settings
):
    # A row written before messages were prebuilt at queueing has none stored.
    settings.MAIL_RETRY_DELAYS = [10]
    smtp_server.handler.data_replies.append("451 Temporary local problem, try later")
    email = queue_test_message(to="amina@example.com")
    OutgoingEmail.objects.filter(pk=email.pk).update(prebuilt_message=None)
    now = timezone.now()

    first = deliver_emails([email.pk], now=now)[email.pk]
    email.refresh_from_db()
    stored = bytes(email.prebuilt_message)
    second = deliver_emails([email.pk], now=now + datetime.timedelta(seconds=10))[email.pk]

    assert (first, second) == (DeliveryOutcome.RETRY, DeliveryOutcome.SENT)
    assert smtp_server.handler.raw_attempts == [stored, stored]
    assert smtp_server.messages[0]["Message-ID"] == email.message_id


@pytest.mark.parametrize("batch_size", [1, 50])
def test_deliver_email_batch_costs_the_same_queries_whatever_its_size(
    smtp_server, queue_test_message, django_assert_num_queries, batch_size
):
    emails = [queue_test_message(to=f"delegate{n}@example.com") for n in range(batch_size)]

    # Claim: savepoint, select for update, update, release; then for all sent: savepoint,
    # SET LOCAL synchronous_commit, update, release.
    with django_assert_num_queries(8):
        outcomes = deliver_emails([email.pk for email in emails])

    assert set(outcomes.values()) == {DeliveryOutcome.SENT}
    assert len(smtp_server.messages) == batch_size
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == batch_size


def test_deliver_email_checks_a_kept_connection_once_per_batch(smtp_server, queue_test_message):
    first = queue_test_message(to="first@example.com")
    assert deliver_emails([first.pk])[first.pk] == DeliveryOutcome.SENT  # the connection is kept
    batch = [queue_test_message(to=f"delegate{n}@example.com") for n in range(5)]

    outcomes = deliver_emails([email.pk for email in batch])

    assert set(outcomes.values()) == {DeliveryOutcome.SENT}
    assert len(smtp_server.messages) == 6
    assert (smtp_server.handler.sessions, smtp_server.handler.noops) == (1, 1)


def test_deliver_email_to_an_international_domain_uses_its_ascii_form(
    smtp_server, queue_test_message
):
    email = queue_test_message(to="delegate@bücher.de")

    assert deliver_emails([email.pk])[email.pk] == DeliveryOutcome.SENT

    [(_sender, recipients)] = smtp_server.handler.envelopes
    assert recipients == ["delegate@xn--bcher-kva.de"]


@pytest.mark.django_db(transaction=True)
def test_deliver_email_records_sent_without_waiting_for_the_disk_and_claims_durably(
    smtp_server, queue_test_message
):
    later = timezone.now() + datetime.timedelta(hours=1)
    with transaction.atomic():
        emails = [queue_test_message(to=f"delegate{n}@example.com") for n in range(3)]
        # Not due yet when the after-commit hand-off runs: the delivery below is the first.
        OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails]).update(next_attempt_at=later)

    with CaptureQueriesContext(db_connection) as queries:
        outcomes = deliver_emails([email.pk for email in emails], now=later)

    assert set(outcomes.values()) == {DeliveryOutcome.SENT}
    statements = [query["sql"] for query in queries.captured_queries]
    claim = next(n for n, sql in enumerate(statements) if '"attempts" = ' in sql)
    record = next(n for n, sql in enumerate(statements) if '"sent_at" = ' in sql)
    relaxed = [n for n, sql in enumerate(statements) if "synchronous_commit" in sql]
    # Only the "sent" record's own transaction skips the wait for the disk; the claim before it
    # commits durably, and the worker's connection is back to durable commits afterwards.
    assert claim < record
    assert relaxed == [record - 1]
    assert "SET LOCAL synchronous_commit = off" in statements[record - 1]
    with db_connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    # Another session (the admin, the dispatcher) sees the rows sent at once.
    database = db_connection.settings_dict
    with psycopg.connect(
        dbname=database["NAME"], user=database["USER"], host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
    ) as other_session:  # fmt: skip
        statuses = other_session.execute(
            "SELECT status FROM mail_outgoingemail WHERE id = ANY(%s)",
            [[email.pk for email in emails]],
        ).fetchall()
    assert statuses == [(Status.SENT,)] * 3


def test_deliver_email_batch_whose_sent_record_was_lost_goes_out_once_more_with_same_ids(
    smtp_server, queue_test_message
):
    earlier = [queue_test_message(to=f"earlier{n}@example.com") for n in range(2)]
    batch = [queue_test_message(to=f"delegate{n}@example.com") for n in range(3)]
    deliver_emails([email.pk for email in earlier])
    deliver_emails([email.pk for email in batch])
    # The database server crashed before flushing the batch's "sent" record (committed without
    # waiting): after recovery the rows are as the claim left them, "sending" under a lease.
    claimed_at = timezone.now() - sending_lease() - datetime.timedelta(seconds=1)
    OutgoingEmail.objects.filter(pk__in=[email.pk for email in batch]).update(
        status=Status.SENDING, sent_at=None, sending_until=claimed_at + sending_lease()
    )

    released = release_stuck_emails()
    outcomes = deliver_emails([email.pk for email in batch + earlier])

    assert released == 3
    assert [outcomes[email.pk] for email in batch] == [DeliveryOutcome.SENT] * 3
    assert [outcomes[email.pk] for email in earlier] == [DeliveryOutcome.SKIPPED] * 2
    received = [message["Message-ID"] for message in smtp_server.messages]
    assert sorted(received) == sorted(
        [email.message_id for email in earlier] + [email.message_id for email in batch] * 2
    )
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.SENT}
