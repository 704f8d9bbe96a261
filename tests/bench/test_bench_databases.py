"""The tiny benchmark runs name their databases after this test run and drop them after."""

import psycopg
import pytest
from django.conf import settings

from .conftest import bench_database


def test_bench_database_is_this_runs_own_and_dropped_afterwards():
    with bench_database("probe") as database:
        # What a benchmark does with the name it is given.
        with psycopg.connect(f"{database.server}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database.name}"')
        assert database.exists()

    assert settings.TEST_RUN in database.name
    assert not database.exists()


def test_bench_database_is_dropped_when_the_benchmark_fails():
    with pytest.raises(RuntimeError), bench_database("probe") as database:
        with psycopg.connect(f"{database.server}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database.name}"')
        raise RuntimeError("the benchmark broke halfway")

    assert not database.exists()
