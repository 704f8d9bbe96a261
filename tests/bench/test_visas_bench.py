"""A tiny run of bench/visas.py: a real worker renders every letter, nothing missing."""

import json
import os
import subprocess
import sys

import pytest

from tests.processes import ROOT

from .conftest import bench_database

pytestmark = pytest.mark.integration


def test_visas_benchmark_tiny_run_renders_every_letter():
    # The benchmark starts its own redis-server and Celery worker.
    with bench_database("visas") as database:
        environment = {**os.environ, "BENCH_PG": database.server, "BENCH_DATABASE": database.name}
        completed = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "visas.py"), "--count", "4", "--first", "2",
             "--timeout", "300"],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    assert not database.exists()
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["letters"] == 4
    assert result["ready_files_missing"] == 0
    assert result["letters_per_second"] > 0
    assert result["peak_rss_mb_50"] > 0 and result["peak_rss_mb_500"] >= result["peak_rss_mb_50"]
    assert result["trivial_pdf_per_second"] > 0
    assert result["worker_cpu_ms_per_letter"] > 0
