"""The same delivery task run twice at the same moment (a redelivered message, a dispatcher
racing the after-commit hand-off) sends every e-mail once: real threads, real PostgreSQL row
locks, a real SMTP server."""

import datetime
import threading

import pytest
from django.db import connections, transaction
from django.utils import timezone

from mail.models import OutgoingEmail
from mail.services import DeliveryOutcome, deliver_emails
from mail.transport import connection as smtp_connection

Status = OutgoingEmail.Status


@pytest.mark.django_db(transaction=True)
def test_delivery_run_twice_at_once_sends_each_email_once(smtp_server, queue_test_message):
    later = timezone.now() + datetime.timedelta(hours=1)
    with transaction.atomic():
        emails = [queue_test_message(to=f"delegate{n}@example.com") for n in range(5)]
        # Not due yet when the after-commit hand-off runs: both racers below are the first.
        OutgoingEmail.objects.filter(pk__in=[e.pk for e in emails]).update(next_attempt_at=later)
    email_ids = [email.pk for email in emails]
    start = threading.Barrier(2)
    outcomes: list[dict[int, DeliveryOutcome]] = []
    errors: list[BaseException] = []

    def worker():
        try:
            start.wait(timeout=10)
            outcomes.append(deliver_emails(email_ids, now=later))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            smtp_connection.close()  # this thread's kept SMTP connection
            connections.close_all()  # and its database connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(outcomes) == 2
    for email_id in email_ids:
        assert sorted(outcome[email_id] for outcome in outcomes) == [
            DeliveryOutcome.SENT,
            DeliveryOutcome.SKIPPED,
        ]
    assert sorted(m["To"] for m in smtp_server.messages) == [
        f"delegate{n}@example.com" for n in range(5)
    ]
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
