"""What the benchmarks share: progress lines, ports, the processes a run starts, percentiles.

Every script in bench/ runs as `python bench/<name>.py`, which puts this folder first on the
module path; each replaces that entry with the project root before importing anything else,
then imports this module as `bench.harness`. No script here is named after a standard-library
module (the mail benchmark is email_outbox.py, not email.py, which would shadow the `email`
package that http.client and smtplib import).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def say(text: str) -> None:
    """A progress line, on stderr: stdout's last line is the run's JSON."""
    print(text, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Gave up waiting for {what}")
        time.sleep(0.05)


def wait_for_port(port: int, timeout: float = 15) -> None:
    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    wait_until(answers, timeout, f"port {port}")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Processes:
    """Everything a run started, each in its own process group, stopped in reverse order
    whatever happens (a worker's or gunicorn's children go with their parent)."""

    def __init__(self):
        self._started: list[subprocess.Popen] = []

    def start(self, command: list[str], **options) -> subprocess.Popen:
        process = subprocess.Popen(command, start_new_session=True, **options)
        self._started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self._started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self._started):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)

    def __enter__(self) -> "Processes":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop_all()


def recreate_database(database: str, environment: dict, *, server: str | None = None) -> None:
    """Drop and create ``database`` on the PostgreSQL ``server`` (BENCH_PG by default), then
    migrate it with ``environment`` (whose DATABASE_URL must name it)."""
    import psycopg

    server = server or os.environ.get("BENCH_PG", "postgres://minex@127.0.0.1:5432")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
        admin.execute(f'CREATE DATABASE "{database}"')
    subprocess.run(
        # System checks belong to CI (manage.py check); a benchmark measures its own path.
        [sys.executable, "manage.py", "migrate", "--no-input", "--skip-checks", "-v", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
