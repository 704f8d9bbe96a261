"""A tiny run of bench/email.py: the whole path with real processes, nothing lost or doubled."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration


def test_email_benchmark_tiny_run_loses_and_doubles_nothing():
    # Its own database, named after this suite's, so parallel suites do not share one.
    database = settings.DATABASES["default"]
    server = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    environment = {
        **os.environ,
        "BENCH_PG": f"postgres://{database['USER']}@{server}",
        "BENCH_DATABASE": f"{database['NAME']}_bench_email",
    }

    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "email.py"), "--count", "20", "--timeout", "60"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["emails"] == 20
    assert result["lost"] == 0
    assert result["duplicates"] == 0
    assert result["per_second"] > 0 and result["raw_smtplib_per_second"] > 0
