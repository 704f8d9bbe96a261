"""A tiny run of bench/journey.py: delegates go from the event page to the confirmation in their
inbox through gunicorn, a real Celery worker and an SMTP server, and every e-mail arrives once."""

import json
import subprocess
import sys

import pytest

from tests.processes import ROOT, clean_environment

from .conftest import bench_database

pytestmark = pytest.mark.integration


def test_tiny_journey_benchmark_run_loses_and_doubles_nothing():
    # The benchmark starts its own redis-server (broker and cache) and SMTP server.
    with bench_database("journey") as database:
        env = clean_environment(BENCH_PG=database.server, BENCH_DATABASE=database.name)
        result = subprocess.run(
            [sys.executable, "bench/journey.py", "--delegates", "20", "--concurrency", "5"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    assert not database.exists()
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("journeys", "journeys_per_second", "submit_to_inbox_p99_s", "lost",
                "duplicates", "baseline_bare_get_post_per_second", "ratio"):  # fmt: skip
        assert key in figures, key
    assert figures["journeys"] == 20
    assert figures["lost"] == 0
    assert figures["duplicates"] == 0
    assert figures["errors"] == 0
    assert figures["journeys_per_second"] > 0 and figures["ratio"] > 0
    assert figures["submit_to_inbox_p99_s"] > 0
