"""A tiny run of bench/admin.py: its own database, the changelist timed at both sizes with
the same number of queries."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def test_admin_benchmark_tiny_run():
    # Its own database, named after this suite's, so parallel suites do not share one.
    database = settings.DATABASES["default"]
    server = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    environment = {
        **os.environ,
        "BENCH_PG": f"postgres://{database['USER']}@{server}",
        "BENCH_DATABASE": f"{database['NAME']}_bench_admin",
    }

    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "admin.py"), "--rows", "300"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert (result["rows_small"], result["rows_large"]) == (100, 300)
    assert result["changelist_ms_small"] > 0 and result["changelist_ms_large"] > 0
    assert result["queries_small"] == result["queries_large"]
    assert result["rows_shown_large"]["plain"] == 100
