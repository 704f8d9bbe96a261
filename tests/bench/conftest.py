"""Tiny benchmark runs: each on a database and a Redis of this test run's own, removed after.

A benchmark drops and recreates the database it is given: with a fixed name, two runs on one
machine would drop each other's mid-run. The name carries the run's token (MINEX_TEST_RUN,
see minex/settings/test.py) and the benchmark's label, and the database is dropped when the
test ends, whatever happened.
"""

import contextlib
import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from django.conf import settings

from tests.processes import ROOT, PrivateRedis, clean_environment


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


def _server() -> str:
    database = settings.DATABASES["default"]
    return (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}"
    )


@functools.cache
def migrated_template() -> BenchDatabase:
    """A database migrated once for this run, which each benchmark copies instead of migrating
    its own (bench/harness.py `recreate_database` reads BENCH_TEMPLATE_DATABASE, which
    `clean_environment` passes on); dropped when the run ends (`_drop_the_template`)."""
    template = BenchDatabase(_server(), f"minex_bench_template_{settings.TEST_RUN}")
    template.drop()
    with psycopg.connect(f"{template.server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{template.name}"')
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="minex.settings.dev",
        DATABASE_URL=f"{template.server}/{template.name}",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "--skip-checks", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=600,
    )  # fmt: skip
    os.environ["BENCH_TEMPLATE_DATABASE"] = template.name
    return template


@pytest.fixture(autouse=True, scope="session")
def _drop_the_template():
    yield
    if migrated_template.cache_info().currsize:
        migrated_template().drop()


@contextlib.contextmanager
def bench_database(label: str) -> Iterator[BenchDatabase]:
    """A database name for one benchmark run, this test run's own; dropped on the way out.
    The benchmark creates it as a copy of this run's migrated template."""
    migrated_template()
    bench = BenchDatabase(_server(), f"minex_bench_{label}_{settings.TEST_RUN}")
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
