"""The mail path with real processes: Redis broker, Celery worker, aiosmtpd, PostgreSQL.

Nothing here sleeps or times anything: each test waits, with a generous deadline, for the event
it expects (a message at the SMTP server, a status, a dispatcher run in the worker's log), and
shows that nothing more happened by waiting for a later marker that must come after it.
"""

import datetime
import os
import signal
import threading

import pytest
from django.db import connections, transaction

from legal.policies import current_privacy_policy
from mail.models import OutgoingEmail
from mail.services import DeliveryOutcome, deliver_emails, queue_email, release_stuck_emails
from mail.transport import connection as smtp_connection
from tests.factories import make_category, make_delegate
from tests.processes import wait_until

from .conftest import worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DISPATCHER = "mail.tasks.dispatch_due_emails"


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


def _received_ids(smtp_server) -> list[str]:
    return [message["Message-ID"] for message in smtp_server.messages]


def _queue_in_background(to: str) -> tuple[threading.Event, dict]:
    """Queue a message from another thread (a delegate's request); the event is set once the
    call returned, its outcome is in the dict."""
    returned, outcome = threading.Event(), {}

    def request():
        try:
            outcome["email"] = _queue_test_message(to)
        except Exception as error:  # reported by the test, not lost in the thread
            outcome["error"] = error
        finally:
            connections.close_all()
            returned.set()

    threading.Thread(target=request, daemon=True).start()
    return returned, outcome


def test_queued_email_arrives_through_worker(smtp_server, broker, start_celery_worker):
    start_celery_worker(worker_environment(broker_url=broker.url, smtp=smtp_server))

    email = _queue_test_message("amina@example.com")

    assert smtp_server.handler.wait_for(1, timeout=60), "the e-mail never reached the server"
    [message] = smtp_server.messages
    assert message["To"] == "amina@example.com"
    assert message["Message-ID"] == email.message_id
    assert message["Content-Language"] == "ru"
    wait_until(
        lambda: _status(email) == OutgoingEmail.Status.SENT,
        timeout=60,
        message=lambda: f"the outbox row stayed {_status(email)!r} after delivery",
    )


def test_email_queued_while_broker_is_down_arrives_after_it_returns(
    smtp_server, broker, start_celery_worker
):
    # The worker runs beat too, dispatching every second instead of every 30 s.
    worker = start_celery_worker(
        worker_environment(broker_url=broker.url, smtp=smtp_server, MAIL_DISPATCH_INTERVAL="1"),
        beat=True,
    )
    broker.stop()

    # The delegate's request must not wait for the broker: it returns while the broker is
    # still down (it only comes back after), with the e-mail kept in the outbox.
    returned, outcome = _queue_in_background("amina@example.com")
    wait_until(
        returned.is_set,
        timeout=60,
        message="queueing an e-mail waited for the broker to come back",
    )
    assert "error" not in outcome, outcome.get("error")
    email = outcome["email"]
    assert _status(email) == OutgoingEmail.Status.QUEUED
    assert smtp_server.messages == []

    broker.start()

    assert smtp_server.handler.wait_for(1, timeout=60), worker.log()[-3000:]
    wait_until(
        lambda: _status(email) == OutgoingEmail.Status.SENT,
        timeout=60,
        message=lambda: f"the outbox row stayed {_status(email)!r} after delivery",
    )
    # Nothing more happens: the dispatcher runs twice more (the second starts after the row
    # was sent, the worker runs one task at a time), then a marker e-mail queued after all
    # that arrives; the queue is first in, first out, so any second hand-off of the first
    # e-mail would have been delivered before the marker.
    runs = worker.runs_finished(DISPATCHER)
    wait_until(
        lambda: worker.runs_finished(DISPATCHER) >= runs + 2,
        timeout=60,
        message=lambda: f"the dispatcher stopped running:\n{worker.log()[-3000:]}",
    )
    marker = _queue_test_message("marker@example.com")
    assert smtp_server.handler.wait_for(2, timeout=60), worker.log()[-3000:]
    assert _received_ids(smtp_server) == [email.message_id, marker.message_id]


def test_registration_page_answers_while_the_smtp_server_still_holds_the_mail(
    smtp_server, broker, start_celery_worker, client, settings
):
    # Were the page to send mail itself, it would talk to the same held server.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_server.host, smtp_server.port
    settings.EMAIL_TIMEOUT = 300
    smtp_server.hold()
    worker = start_celery_worker(
        worker_environment(broker_url=broker.url, smtp=smtp_server, EMAIL_TIMEOUT="300")
    )
    category = make_category()
    client.force_login(make_delegate("amina@example.com"))
    form = {"category": category.pk, "first_name": "Amina", "last_name": "Seitkali",
            "country": "KZ", "consent_privacy": "on",
            "privacy_policy_version": current_privacy_policy().version}  # fmt: skip

    answered, outcome = threading.Event(), {}

    def submit():
        try:
            outcome["response"] = client.post(f"/en/events/{category.event.slug}/register/", form)
        finally:
            connections.close_all()
            answered.set()

    threading.Thread(target=submit, daemon=True).start()

    # The worker is talking to the SMTP server, which holds the message; the delegate's page
    # answers all the same (before the server is released, it has accepted nothing).
    wait_until(
        lambda: smtp_server.handler.held,
        timeout=60,
        message=lambda: f"the worker never reached the SMTP server:\n{worker.log()[-3000:]}",
    )
    wait_until(answered.is_set, timeout=60, message="the page waited for the SMTP server")
    assert smtp_server.messages == []
    response = outcome["response"]
    assert response.status_code == 302
    assert response["Location"].endswith("/thank-you/")

    smtp_server.release()

    assert smtp_server.handler.wait_for(2, timeout=60), worker.log()[-3000:]
    assert sorted(message["To"] for message in smtp_server.messages) == sorted(
        ["amina@example.com", settings.SECRETARIAT_EMAIL]
    )


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
