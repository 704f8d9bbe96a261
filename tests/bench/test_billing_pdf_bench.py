"""A tiny run of bench/billing_pdf.py: invoices rendered by a real worker, memory read."""

import json
import os
import subprocess
import sys

import pytest

from tests.processes import ROOT

from .conftest import bench_database

pytestmark = pytest.mark.integration


def test_pdf_benchmark_tiny_run_stores_every_pdf():
    with bench_database("billing_pdf") as database:
        environment = {**os.environ, "BENCH_PG": database.server, "BENCH_DATABASE": database.name}
        completed = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "billing_pdf.py"), "--count", "6",
             "--concurrency", "1", "--timeout", "300"],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    assert not database.exists()
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["invoices"] == 6
    assert result["not_done"] == 0
    assert result["invoices_per_second"] > 0 and result["baseline_weasyprint_per_second"] > 0
    assert 0 < result["peak_rss_mb_100"] <= result["peak_rss_mb_1000"]
