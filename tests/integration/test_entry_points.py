"""bin/web, bin/worker and bin/beat — the commands docker-compose runs — start on PostgreSQL
and Redis with production settings, and /healthz answers 200 through gunicorn."""

import re
import secrets
import socket
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from tests.processes import (
    ROOT,
    clean_environment,
    free_port,
    running,
    status_without_redirects,
    wait_for_http,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DISPATCHER_DONE = re.compile(r"Task mail\.tasks\.dispatch_due_emails\[[^\]]+\] succeeded")


def test_entry_points_start_and_web_answers_healthz(tmp_path, private_redis):
    database = connection.settings_dict
    port = free_port()
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="minex.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        # A Redis of this test's own: another run's beat or worker must not share its queue.
        REDIS_URL=private_redis.url,
        ALLOWED_HOSTS="127.0.0.1",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        CELERY_CONCURRENCY="1",
        CELERY_HOSTNAME=f"smoke-{port}@%h",
        CELERY_BEAT_SCHEDULE_FILE=str(tmp_path / "beat-schedule"),
        MAIL_DISPATCH_INTERVAL="1",
    )
    with (
        running([str(ROOT / "bin/web")], env=env, log=tmp_path / "web.log") as web,
        running([str(ROOT / "bin/worker")], env=env, log=tmp_path / "worker.log") as worker,
        running([str(ROOT / "bin/beat")], env=env, log=tmp_path / "beat.log") as beat,
    ):
        status, body = wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=180)
        assert status == 200, (tmp_path / "web.log").read_text()
        assert b'"status": "ok"' in body

        # Everything else is HTTPS-only in production: the health probe is the exception.
        assert status_without_redirects(f"http://127.0.0.1:{port}/en/") == 301

        # Beat is alive and does its job: the worker has run the dispatcher beat sent it (so
        # the worker is ready too, and answers a ping by the name it was given).
        wait_until(
            lambda: DISPATCHER_DONE.search((tmp_path / "worker.log").read_text(errors="replace")),
            timeout=60,
            message=lambda: (
                "beat's dispatcher never ran on the worker:\n"
                + (tmp_path / "beat.log").read_text(errors="replace")[-2000:]
                + (tmp_path / "worker.log").read_text(errors="replace")[-2000:]
            ),
        )
        ping = subprocess.run(
            [str(ROOT / ".venv/bin/celery"), "--app", "minex", "inspect", "ping",
             "--destination", f"smoke-{port}@{socket.gethostname()}",
             "--timeout", "10"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert "pong" in ping.stdout, (
            ping.stdout + ping.stderr + (tmp_path / "worker.log").read_text()
        )

        assert beat.poll() is None, (tmp_path / "beat.log").read_text()
        assert web.poll() is None and worker.poll() is None
