"""The mail path with real processes: Redis broker, Celery worker, aiosmtpd, PostgreSQL."""

import datetime
import os
import signal
import time

import pytest
from django.db import transaction

from mail.models import OutgoingEmail
from mail.services import DeliveryOutcome, deliver_emails, queue_email, release_stuck_emails
from mail.transport import connection as smtp_connection

from .conftest import wait_until, worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _queue_test_message(to: str) -> OutgoingEmail:
    with transaction.atomic():
        return queue_email(
            to=to,
            language="ru",
            kind="mail.test",
            template="mail/emails/test_message",
            context={"sent_on": "2026-11-25", "note": "integration"},
        )


def _status(email: OutgoingEmail) -> str:
    email.refresh_from_db()
    return email.status


def test_queued_email_arrives_through_worker(smtp_server, broker, start_celery_worker):
    start_celery_worker(worker_environment(broker_url=broker.url, smtp=smtp_server))

    email = _queue_test_message("amina@example.com")

    assert smtp_server.handler.wait_for(1, timeout=15)
    [message] = smtp_server.messages
    assert message["To"] == "amina@example.com"
    assert message["Message-ID"] == email.message_id
    assert message["Content-Language"] == "ru"
    assert wait_until(lambda: _status(email) == OutgoingEmail.Status.SENT, timeout=5)


def test_email_queued_while_broker_is_down_arrives_after_it_returns(
    smtp_server, broker, start_celery_worker
):
    # The worker runs beat too, dispatching every second instead of every 30 s.
    start_celery_worker(
        worker_environment(broker_url=broker.url, smtp=smtp_server, MAIL_DISPATCH_INTERVAL="1"),
        beat=True,
    )
    broker.stop()

    started = time.monotonic()
    email = _queue_test_message("amina@example.com")  # the hand-off after commit fails quietly
    queued_in = time.monotonic() - started

    assert _status(email) == OutgoingEmail.Status.QUEUED
    assert queued_in < 5  # a broker outage must not hold the delegate's request for long
    assert smtp_server.messages == []

    broker.start()

    assert smtp_server.handler.wait_for(1, timeout=20)
    assert wait_until(lambda: _status(email) == OutgoingEmail.Status.SENT, timeout=5)
    time.sleep(1.5)  # one more dispatcher round: still exactly one message
    assert [m["Message-ID"] for m in smtp_server.messages] == [email.message_id]


def test_email_left_sending_by_a_killed_worker_goes_out_once_its_lease_passes(
    smtp_server, broker, start_celery_worker, settings
):
    # The server holds its answer to DATA: the worker has claimed the row and handed the
    # message over when it is killed, so it never learns (or records) the outcome.
    smtp_server.handler.data_replies.append("421 Closing the connection")
    smtp_server.handler.holding.set()
    worker = start_celery_worker(worker_environment(broker_url=broker.url, smtp=smtp_server))
    try:
        email = _queue_test_message("amina@example.com")
        assert smtp_server.handler.wait_for_attempts(1, timeout=15), worker.log()[-3000:]
        os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(10)
    finally:
        smtp_server.handler.holding.clear()

    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENDING, 1)
    # Leased for the task's hard time limit plus the margin, counted from the claim: about
    # two minutes with the defaults (90 + 30 s), not MAIL_STUCK_AFTER's old ten.
    lease = datetime.timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + settings.MAIL_SENDING_LEASE_MARGIN
    )
    assert email.sending_until == email.updated_at + lease
    assert lease < datetime.timedelta(minutes=10)
    just_before = email.sending_until - datetime.timedelta(seconds=1)
    just_after = email.sending_until + datetime.timedelta(seconds=1)

    assert release_stuck_emails(now=just_before) == 0  # the worker may still be alive
    assert _status(email) == OutgoingEmail.Status.SENDING
    assert release_stuck_emails(now=just_after) == 1  # it cannot be any more

    # The dispatcher's next run hands it to a worker (here: this process) and it goes out.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    try:
        outcome = deliver_emails([email.pk], now=just_after)[email.pk]
    finally:
        smtp_connection.close()
    assert outcome == DeliveryOutcome.SENT
    assert _status(email) == OutgoingEmail.Status.SENT
    assert [m["Message-ID"] for m in smtp_server.handler.attempts] == [email.message_id] * 2
    assert [m["Message-ID"] for m in smtp_server.messages] == [email.message_id]
