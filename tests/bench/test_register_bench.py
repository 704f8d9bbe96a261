"""A tiny run of bench/register.py: the benchmark itself keeps working, and under concurrency
the capacity holds, nobody is registered twice, and no request fails."""

import json
import subprocess
import sys

import pytest

from tests.processes import ROOT, clean_environment

from .conftest import bench_database

pytestmark = pytest.mark.integration


def test_tiny_registration_benchmark_run(private_redis):
    # Its own Redis: the delegates' rate-limit counters are keyed by user id, and another
    # run's delegates have the same ids.
    with bench_database("register") as database:
        env = clean_environment(
            BENCH_PG=database.server, BENCH_DATABASE=database.name, BENCH_REDIS=private_redis.url
        )
        result = subprocess.run(
            [sys.executable, "bench/register.py", "--delegates", "24", "--capacity", "10",
             "--concurrency", "6"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert database.exists()

    assert not database.exists()
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["confirmed"] == 10
    assert figures["waitlisted"] == 14
    assert figures["errors"] == 0
    assert figures["duplicates"] == 0
    assert figures["registrations_per_second"] > 0
    assert figures["ratio_to_bare_view"] > 0
    # Measured in the benchmark's own process: the form's render, how long one registration
    # holds its event's lock, and the ceiling that puts on one event's registrations per second.
    assert figures["form_render_ms"] > 0
    assert 0 < figures["event_lock_ms"] <= figures["event_lock_p99_ms"]
    assert figures["lock_bound_per_second"] > 0
    assert figures["p99_over_p50"] >= 1
