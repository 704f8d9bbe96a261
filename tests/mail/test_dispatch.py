"""The periodic dispatcher: due rows go out, stuck rows are freed, nothing early or twice."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from mail.models import OutgoingEmail
from mail.services import dispatch_due_emails, release_stuck_emails
from mail.services.delivery import sending_lease
from mail.tasks import dispatch_due_emails as dispatch_due_emails_task

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status


def _as_if_the_worker_died_while_sending(email, *, lease_ended_seconds_ago):
    # A worker that dies between "mark sending" and "mark sent" leaves exactly this behind;
    # no service produces it on purpose.
    now = timezone.now()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING,
        attempts=1,
        sending_until=now - datetime.timedelta(seconds=lease_ended_seconds_ago),
        updated_at=now - datetime.timedelta(seconds=lease_ended_seconds_ago) - sending_lease(),
    )


def test_dispatch_due_emails_sends_rows_whose_hand_off_was_lost(queue_test_message):
    # Queued without running the after-commit hand-off: as if the broker was down at commit.
    email = queue_test_message(to="amina@example.com")

    dispatched = dispatch_due_emails()

    assert dispatched == 1
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert [message.to for message in mail.outbox] == [["amina@example.com"]]


def test_dispatch_due_emails_leaves_rows_that_are_not_due(queue_test_message):
    later = queue_test_message(to="later@example.com")
    OutgoingEmail.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=60)
    )

    assert dispatch_due_emails() == 0
    assert dispatch_due_emails(now=timezone.now() + datetime.timedelta(seconds=61)) == 1
    # The dispatcher hands the row over; the task checks "due" against the real clock, so in
    # real time the row is still waiting.
    later.refresh_from_db()
    assert later.status == Status.QUEUED
    assert mail.outbox == []


def test_dispatch_due_emails_hands_a_waiting_row_out_once_per_lease(queue_test_message, settings):
    settings.MAIL_DISPATCH_LEASE = 60
    email = queue_test_message()
    start = timezone.now() + datetime.timedelta(seconds=3600)
    # A retry due in an hour, and a dispatcher that runs ahead of the real clock: the task it
    # hands the row to finds the row not yet due and leaves it queued, as a task still waiting
    # in a backlog would.
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=start)

    def dispatch(seconds_later):
        return dispatch_due_emails(now=start + datetime.timedelta(seconds=seconds_later))

    assert [dispatch(0), dispatch(30), dispatch(59)] == [1, 0, 0]
    assert dispatch(61) == 1  # the lease passed and the row is still queued: the task was lost
    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert mail.outbox == []


def test_dispatch_due_emails_lease_ends_when_a_worker_claims_the_row(queue_test_message, settings):
    settings.MAIL_DISPATCH_LEASE = 60
    email = queue_test_message()

    assert dispatch_due_emails() == 1  # sent at once (eager task)

    email.refresh_from_db()
    assert (email.status, email.dispatched_until) == (Status.SENT, None)


def test_dispatch_due_emails_respects_batch_size(queue_test_message, settings):
    settings.MAIL_DISPATCH_BATCH_SIZE = 2
    for n in range(3):
        queue_test_message(to=f"delegate{n}@example.com")

    assert dispatch_due_emails() == 2
    assert dispatch_due_emails() == 1
    assert len(mail.outbox) == 3


def test_release_stuck_emails_requeues_rows_of_a_dead_worker(queue_test_message):
    stuck = queue_test_message(to="stuck@example.com")
    busy = queue_test_message(to="busy@example.com")
    _as_if_the_worker_died_while_sending(stuck, lease_ended_seconds_ago=1)
    _as_if_the_worker_died_while_sending(busy, lease_ended_seconds_ago=-30)

    released = release_stuck_emails()

    assert released == 1
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.status == Status.QUEUED
    assert stuck.next_attempt_at <= timezone.now()
    assert "worker stopped" in stuck.last_error
    assert busy.status == Status.SENDING


def test_release_stuck_emails_fails_a_row_out_of_attempts(queue_test_message, settings):
    settings.MAIL_RETRY_DELAYS = []  # one attempt in all
    email = queue_test_message()
    _as_if_the_worker_died_while_sending(email, lease_ended_seconds_ago=1)

    assert release_stuck_emails() == 1

    email.refresh_from_db()
    assert email.status == Status.FAILED


def test_dispatch_task_frees_stuck_rows_and_sends_due_ones(queue_test_message):
    stuck = queue_test_message(to="stuck@example.com")
    _as_if_the_worker_died_while_sending(stuck, lease_ended_seconds_ago=1)
    due = queue_test_message(to="due@example.com")

    result = dispatch_due_emails_task.apply().get()

    assert result == {"rendered": 0, "released": 1, "dispatched": 2}
    stuck.refresh_from_db()
    due.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (Status.SENT, 2)
    assert due.status == Status.SENT
    assert sorted(message.to[0] for message in mail.outbox) == [
        "due@example.com",
        "stuck@example.com",
    ]


def test_beat_schedule_runs_the_dispatcher(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["mail-dispatch-due-emails"]

    assert entry["task"] == dispatch_due_emails_task.name
    assert entry["schedule"] > 0
