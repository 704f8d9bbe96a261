"""A tiny run of bench/billing.py: the benchmark keeps working, matches most paying lines,
and never books an unrelated line or a wrong invoice."""

import json
import subprocess
import sys

import pytest

from tests.processes import ROOT, clean_environment

from .conftest import bench_database

pytestmark = pytest.mark.integration


def test_tiny_billing_benchmark_run():
    with bench_database("billing") as database:
        env = clean_environment(BENCH_PG=database.server, BENCH_DATABASE=database.name)
        result = subprocess.run(
            # The PDF half has its own tiny run (bench/billing_pdf.py).
            [sys.executable, "bench/billing.py", "--lines", "300", "--skip-pdf"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert database.exists()

    assert not database.exists()
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["statement_lines"] == 300
    assert figures["parse_seconds"] > 0
    assert figures["match_seconds"] > 0
    assert figures["auto_matched_share"] >= 0.85
    assert figures["wrong_matches"] == 0
    for key in ("invoices_per_second", "peak_rss_mb_100", "peak_rss_mb_1000"):
        assert figures[key] is None  # skipped
