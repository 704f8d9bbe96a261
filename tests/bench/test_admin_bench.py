"""A tiny run of bench/admin.py: its own database, the changelist timed at both sizes with
the same number of queries."""

import json
import os
import subprocess
import sys

import pytest

from tests.processes import ROOT

from .conftest import bench_database

pytestmark = pytest.mark.integration


def test_admin_benchmark_tiny_run(private_redis):
    with bench_database("admin") as database:
        environment = {
            **os.environ,
            "BENCH_PG": database.server,
            "BENCH_DATABASE": database.name,
            "BENCH_REDIS": private_redis.url,
        }
        completed = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "admin.py"), "--rows", "300"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert database.exists()

    assert not database.exists()
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert (result["rows_small"], result["rows_large"]) == (100, 300)
    assert result["changelist_ms_small"] > 0 and result["changelist_ms_large"] > 0
    assert result["queries_small"] == result["queries_large"]
    assert result["rows_shown_large"]["plain"] == 100
