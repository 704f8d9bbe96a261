"""A tiny run of bench/email_outbox.py: the whole path with real processes, nothing lost or
doubled."""

import json
import os
import subprocess
import sys

import pytest

from tests.processes import ROOT

from .conftest import bench_database

pytestmark = pytest.mark.integration


def test_email_benchmark_tiny_run_loses_and_doubles_nothing():
    # The benchmark starts its own redis-server and SMTP server on spare ports.
    with bench_database("email") as database:
        environment = {**os.environ, "BENCH_PG": database.server, "BENCH_DATABASE": database.name}
        completed = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "email_outbox.py"), "--count", "20",
             "--timeout", "300"],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert (ROOT / "bench" / "results" / database.name).exists()

    assert not database.exists()
    assert not (ROOT / "bench" / "results" / database.name).exists()
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["emails"] == 20
    assert result["lost"] == 0
    assert result["duplicates"] == 0
    assert result["per_second"] > 0 and result["raw_smtplib_per_second"] > 0
