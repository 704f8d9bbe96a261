"""A tiny run of bench/badges.py: the benchmark keeps working and reports its keys."""

import json
import subprocess
import sys

import pytest

from tests.processes import ROOT, clean_environment

pytestmark = pytest.mark.integration


def test_tiny_badge_pdf_benchmark_run():
    result = subprocess.run(
        [sys.executable, "bench/badges.py", "--count", "6"],
        cwd=ROOT, env=clean_environment(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["badge_pdf_count"] == 6
    for name in (
        "badge_pdf_seconds_1000",
        "badge_pdf_peak_rss_mb",
        "badge_pdf_baseline_seconds_1000",
        "badge_pdf_ratio",
        "badge_pdf_bytes",
    ):
        assert figures[name] > 0, name
