"""The mail path with real processes: Redis broker, Celery worker, aiosmtpd, PostgreSQL."""

import time

import pytest
from django.db import transaction

from mail.models import OutgoingEmail
from mail.services import queue_email

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
