"""Redis (the broker) restarts while bin/worker is in the middle of a delivery: the worker
goes on, and every e-mail arrives exactly once."""

import os

import pytest
from django.db import transaction

from mail.models import OutgoingEmail
from mail.services import queue_email
from tests.processes import ROOT, VENV_BIN, running, wait_until
from tests.smtp_server import SMTPServer

from .conftest import worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_smtp_server():
    """A slow SMTP server: holds each message at DATA until the test releases it."""
    server = SMTPServer().start()
    server.hold()
    yield server
    server.stop()


def _queue(to: str) -> OutgoingEmail:
    with transaction.atomic():
        return queue_email(
            to=to,
            language="en",
            kind="mail.test",
            template="mail/emails/test_message",
            context={"sent_on": "2026-11-25", "note": "broker restart"},
        )


def _status(email: OutgoingEmail) -> str:
    email.refresh_from_db()
    return email.status


def _dispatcher_rounds(worker_log: str) -> int:
    return sum(
        "dispatch_due_emails[" in line and "succeeded" in line for line in worker_log.splitlines()
    )


def test_worker_survives_a_broker_restart_with_a_task_unacknowledged(
    slow_smtp_server, broker, tmp_path
):
    env = worker_environment(
        broker_url=broker.url,
        smtp=slow_smtp_server,
        EMAIL_TIMEOUT="60",
        MAIL_DISPATCH_INTERVAL="1",
        CELERY_HOSTNAME=f"restart-{os.getpid()}@%h",
        CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / "beat-schedule"),
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"

    def log(path):
        return path.read_text(errors="replace") if path.exists() else ""

    # The commands docker-compose runs: a prefork worker (acks late) and beat.
    with (
        running([str(ROOT / "bin/worker")], env=env, log=worker_log) as worker,
        running([str(ROOT / "bin/beat")], env=env, log=beat_log),
    ):
        wait_until(
            lambda: " ready." in log(worker_log), timeout=30, message=lambda: log(worker_log)
        )
        first = _queue("amina@example.com")
        wait_until(
            lambda: slow_smtp_server.handler.held >= 1, timeout=20, message=lambda: log(worker_log)
        )

        # The delivery task is running and unacknowledged when Redis goes away and returns.
        broker.stop()
        broker.start()
        slow_smtp_server.release()

        wait_until(
            lambda: _status(first) == OutgoingEmail.Status.SENT,
            timeout=30,
            message=lambda: log(worker_log),
        )
        second = _queue("bolat@example.com")
        wait_until(
            lambda: _status(second) == OutgoingEmail.Status.SENT,
            timeout=60,
            message=lambda: log(worker_log),
        )
        # Two more dispatcher rounds after both were sent: nothing is sent again.
        rounds = _dispatcher_rounds(log(worker_log))
        wait_until(
            lambda: _dispatcher_rounds(log(worker_log)) >= rounds + 2,
            timeout=30,
            message=lambda: log(worker_log),
        )
        assert worker.poll() is None, log(worker_log)

    assert "Unrecoverable error" not in log(worker_log)
    assert sorted(m["Message-ID"] for m in slow_smtp_server.messages) == sorted(
        [first.message_id, second.message_id]
    )
