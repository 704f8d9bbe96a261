"""A tiny run of bench/register.py: the benchmark itself keeps working, and under concurrency
the capacity holds, nobody is registered twice, and no request fails."""

import json
import os
import subprocess
import sys

import pytest

from tests.processes import ROOT, clean_environment

pytestmark = pytest.mark.integration


def test_tiny_registration_benchmark_run():
    env = clean_environment(BENCH_DATABASE="minex_bench_register_tiny")
    env["BENCH_REDIS"] = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/11")
    result = subprocess.run(
        [sys.executable, "bench/register.py", "--delegates", "24", "--capacity", "10",
         "--concurrency", "6"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["confirmed"] == 10
    assert figures["waitlisted"] == 14
    assert figures["errors"] == 0
    assert figures["duplicates"] == 0
    assert figures["registrations_per_second"] > 0
    assert figures["ratio_to_bare_view"] > 0
