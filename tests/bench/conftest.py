"""Tiny benchmark runs: each on a database and a Redis of this test run's own, removed after.

A benchmark drops and recreates the database it is given: with a fixed name, two runs on one
machine would drop each other's mid-run. The name carries the run's token (MINEX_TEST_RUN,
see minex/settings/test.py) and the benchmark's label, and the database is dropped when the
test ends, whatever happened.
"""

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from django.conf import settings

from tests.processes import ROOT, PrivateRedis


@dataclass(frozen=True)
class BenchDatabase:
    server: str  # postgres://user@host:port, what the benchmarks read as BENCH_PG
    name: str

    def exists(self) -> bool:
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            query = "SELECT 1 FROM pg_database WHERE datname = %s"
            return conn.execute(query, [self.name]).fetchone() is not None

    def drop(self) -> None:
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        # bench/email_outbox.py keeps its logs and records in a folder named after its database.
        shutil.rmtree(ROOT / "bench" / "results" / self.name, ignore_errors=True)


@contextlib.contextmanager
def bench_database(label: str) -> Iterator[BenchDatabase]:
    """A database name for one benchmark run, this test run's own; dropped on the way out."""
    database = settings.DATABASES["default"]
    server = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}"
    )
    bench = BenchDatabase(server, f"minex_bench_{label}_{settings.TEST_RUN}")
    try:
        yield bench
    finally:
        bench.drop()


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own (a benchmark's rate limits and queues stay in it)."""
    redis = PrivateRedis(tmp_path / "redis.log")
    redis.start()
    yield redis
    redis.stop()
