"""A tiny run of bench/api.py: its own database, every page walked over gunicorn, the same
queries on the first and the last page."""

import json
import os
import subprocess
import sys

import pytest

from tests.processes import ROOT

from .conftest import bench_database

pytestmark = pytest.mark.integration


def test_api_benchmark_tiny_run():
    with bench_database("api") as database:
        environment = {
            **os.environ,
            "BENCH_PG": database.server,
            "BENCH_DATABASE": database.name,
        }
        completed = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "api.py"), "--rows", "250"],
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
    assert (result["rows"], result["pages"]) == (250, 3)
    assert result["page_p95_ms"] > 0 and result["ratio"] > 0
    assert result["queries_first_page"] == result["queries_last_page"]
