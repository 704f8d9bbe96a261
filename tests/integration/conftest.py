"""Real processes for integration tests: an SMTP server, a private Redis, a Celery worker.

Every process is started by a fixture and stopped in its finalizer, by the pid the fixture
started (never by name), so a failing test leaves nothing running.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from minex.celery import app as celery_app
from tests.smtp_server import SMTPServer, free_port

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 20


def wait_until(condition, *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def _answers(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_process(process: subprocess.Popen, *, timeout: float = 10) -> None:
    """SIGTERM (a warm shutdown for Celery), then SIGKILL the process group it leads."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


class PrivateRedis:
    """A redis-server of our own on a spare port: tests may stop it without harming anyone."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._log_path = log_path
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self._log_path),
            ],  # fmt: skip
            start_new_session=True,
        )
        if not wait_until(lambda: _answers(self.port), timeout=10):
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None


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


@pytest.fixture
def start_celery_worker(tmp_path):
    """Start `celery worker` (optionally with embedded beat) as a real subprocess."""
    started: list[CeleryWorker] = []

    def start(environment: dict, *, beat: bool = False) -> CeleryWorker:
        log_path = tmp_path / f"worker-{len(started)}.log"
        command = [
            sys.executable, "-m", "celery", "--app", "minex", "worker",
            "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--hostname", f"mail-test-{os.getpid()}-{len(started)}@%h",
        ]  # fmt: skip
        if beat:
            command += ["--beat", "--schedule", str(tmp_path / f"beat-{len(started)}")]
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
        if not wait_until(lambda: " ready." in worker.log(), timeout=READY_TIMEOUT):
            raise RuntimeError(f"The Celery worker did not start:\n{worker.log()[-3000:]}")
        return worker

    yield start
    for worker in started:
        stop_process(worker.process)
