"""A tiny run of bench/export.py: the benchmark keeps working, and every exporter wrote every
row."""

import json
import subprocess
import sys

import pytest

from tests.processes import ROOT, clean_environment

from .conftest import bench_database

pytestmark = pytest.mark.integration


def test_tiny_export_benchmark_run():
    with bench_database("export") as database:
        env = clean_environment(BENCH_PG=database.server, BENCH_DATABASE=database.name)
        result = subprocess.run(
            [sys.executable, "bench/export.py", "--rows", "300"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert database.exists()

    assert not database.exists()
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["rows"] == 300
    assert figures["memory_rows"] == [30, 300]
    for name in (
        "csv_seconds",
        "copy_seconds",
        "xlsx_seconds",
        "bare_openpyxl_seconds",
        "peak_mb_10k",
        "peak_mb_100k",
    ):
        assert figures[name] > 0, name
    # The view's CSV carries the same rows as the bare COPY, plus the BOM and the header, and
    # translated, neutralised values: within a few percent of its size.
    assert 0.9 < figures["csv_bytes"] / figures["copy_bytes"] < 1.3
