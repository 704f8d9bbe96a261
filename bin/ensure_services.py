"""Make PostgreSQL and Redis ready for the test suite, whatever state the machine is in.

Checks 127.0.0.1:5432 and :6379; starts what does not answer (Debian's service commands);
creates the test role and database. Says in one line each what it could not do, and exits
non-zero then, because the suite needs both.
"""

import glob
import os
import socket
import subprocess
import sys
import time

import psycopg

PG_ADMIN_DSN = os.environ.get("PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
ROLE = "minex"
DATABASE = "minex"


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(port: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers(port):
            return True
        time.sleep(0.3)
    return False


def run(command: list[str]) -> None:
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_postgresql() -> None:
    versions = sorted(os.path.basename(p) for p in glob.glob("/etc/postgresql/*"))
    if not versions:
        return
    run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"])


def start_redis() -> None:
    os.makedirs("/var/lib/redis", exist_ok=True)
    os.makedirs("/var/log/redis", exist_ok=True)
    run(
        [
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
            "--port", "6379", "--save", "", "--appendonly", "no",
            "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
        ]
    )  # fmt: skip


def ensure_role_and_database() -> None:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [ROLE]).fetchone():
            conn.execute(f'CREATE ROLE "{ROLE}" LOGIN CREATEDB')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}" OWNER "{ROLE}"')


def main() -> int:
    problems = []
    if not answers(5432):
        start_postgresql()
        if not wait_for(5432):
            problems.append(
                "PostgreSQL does not answer on 127.0.0.1:5432 and could not be started."
            )
    if not answers(6379):
        start_redis()
        if not wait_for(6379):
            problems.append("Redis does not answer on 127.0.0.1:6379 and could not be started.")
    if not problems:
        try:
            ensure_role_and_database()
        except psycopg.Error as error:
            problems.append(f"Could not create the test role and database: {error}".strip())
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
