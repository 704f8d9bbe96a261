"""Real processes for integration tests: an SMTP server, a private Redis, a Celery worker.

Every process is started by a fixture and stopped in its finalizer, by the pid the fixture
started (never by name), so a failing test leaves nothing running.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from minex.celery import app as celery_app
from tests.processes import PrivateRedis, stop_process, wait_until
from tests.smtp_server import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 180


@pytest.fixture
def smtp_server():
    """aiosmtpd in a thread of the test process, on a free port; records what it accepts."""
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def private_redis(tmp_path):
    redis = PrivateRedis(tmp_path / "redis.log")
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def broker(private_redis):
    """Point this process's Celery app at the private Redis and really publish (not eager)."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=private_redis.url, task_always_eager=False)
    _forget_broker_connections()
    yield private_redis
    celery_app.conf.update(saved)
    _forget_broker_connections()


def _forget_broker_connections():
    # Earlier (eager) tests already made a producer pool for the suite's broker; Celery builds
    # a new one from the current settings once its AMQP helper and pools are dropped.
    celery_app.close()
    celery_app.__dict__.pop("amqp", None)


def worker_environment(*, broker_url: str, smtp: SMTPServer, **extra: str) -> dict:
    """What a worker needs to share this test's database and talk to the test SMTP server.

    The worker runs with the real settings (minex.settings.dev = base + DEBUG) configured
    through the environment, as in production: only the addresses differ.
    """
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minex.settings.dev",
        "DEBUG": "false",
        # pytest-django's test database (test_<name>): rows the test commits are visible.
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker_url,
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "5",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("EMAIL_BACKEND", None)
    environment.update(extra)
    return environment


def _database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or ""
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class CeleryWorker:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def runs_finished(self, task_name: str) -> int:
        """How many runs of ``task_name`` this worker has finished, as its log tells."""
        return len(re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded", self.log()))


@pytest.fixture
def start_celery_worker(tmp_path):
    """Start `celery worker` (optionally with embedded beat) as a real subprocess."""
    started: list[CeleryWorker] = []

    def start(environment: dict, *, beat: bool = False, queues: str = "") -> CeleryWorker:
        log_path = tmp_path / f"worker-{len(started)}.log"
        command = [
            sys.executable, "-m", "celery", "--app", "minex", "worker",
            "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--hostname", f"mail-test-{os.getpid()}-{len(started)}@%h",
        ]  # fmt: skip
        if beat:
            command += ["--beat", "--schedule", str(tmp_path / f"beat-{len(started)}")]
        if queues:
            command += ["--queues", queues]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # our own process group, for the SIGKILL fallback
            )
        worker = CeleryWorker(process, log_path)
        started.append(worker)
        wait_until(
            lambda: " ready." in worker.log(),
            timeout=READY_TIMEOUT,
            message=lambda: f"The Celery worker did not start:\n{worker.log()[-3000:]}",
        )
        return worker

    yield start
    for worker in started:
        stop_process(worker.process)
