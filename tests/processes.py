"""Starting and stopping real processes (servers, workers) from tests, and waiting for them.

Tests wait for a condition with a deadline (`wait_until`), never for a fixed time: on a loaded
machine a fixed sleep is either too short (a flaky failure) or proves nothing (it passes while
the thing it waited for never happened).
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"


T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    timeout: float,
    message: str | Callable[[], str],
    *,
    interval: float = 0.05,
) -> T:
    """Call ``predicate`` until it returns something truthy, and return that.

    ``timeout`` is a deadline for something that must happen, not a measure of speed: make it
    generous, it costs nothing when things work. Past it the test fails with ``message`` (or
    what ``message()`` returns, so a process's log can be read at that moment).
    """
    deadline = time.monotonic() + timeout
    while True:
        outcome = predicate()
        if outcome:
            return outcome
        if time.monotonic() >= deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(interval)


def answers(port: int) -> bool:
    """Whether something accepts TCP connections on this loopback port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(**overrides: str) -> dict[str, str]:
    """This process's environment without the test's Django and service settings, plus
    the project's virtualenv first on PATH (as the Docker image has it)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "FIELD_ENCRYPTION_KEYS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(overrides)
    return env


@contextlib.contextmanager
def running(command: list[str], *, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run `command` in its own process group; stop the whole group afterwards."""
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for_http(url: str, *, timeout: float = 120, expect: int = 200) -> tuple[int, bytes]:
    """Poll `url` until it answers with `expect`; return the last (status, body)."""
    deadline = time.monotonic() + timeout
    last: tuple[int, bytes] = (0, b"")
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                last = (response.status, response.read())
        except urllib.error.HTTPError as error:
            last = (error.code, error.read())
        except OSError:
            last = (0, b"")
        if last[0] == expect:
            return last
        time.sleep(0.3)
    return last


def status_without_redirects(url: str) -> int:
    """The HTTP status `url` answers with, not following redirects (0 if nothing answers)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path or "/")
        return connection.getresponse().status
    except OSError:
        return 0
    finally:
        connection.close()


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
    """A redis-server of this test's own on a spare port: the test may flush or stop it
    without touching another run's queues, rate limits or cache."""

    START_ATTEMPTS = 3

    def __init__(self, log_path: Path):
        self.port = free_port()
        self._log_path = log_path
        self._process: subprocess.Popen | None = None
        self._started_before = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        for _attempt in range(self.START_ATTEMPTS):
            self._process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--logfile", str(self._log_path)],
                start_new_session=True,
            )  # fmt: skip
            process = self._process
            wait_until(
                lambda process=process: answers(self.port) or process.poll() is not None,
                timeout=30,
                message=lambda: f"redis-server did not start on port {self.port}",
            )
            if process.poll() is None:
                self._started_before = True
                return
            if self._started_before:
                break  # a restart keeps its port: workers were told this address
            # Another process took the port between free_port() and the bind: try another.
            self.port = free_port()
        raise AssertionError(f"redis-server did not start:\n{self._log_tail()}")

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None

    def _log_tail(self) -> str:
        if not self._log_path.exists():
            return ""
        return self._log_path.read_text(errors="replace")[-2000:]
