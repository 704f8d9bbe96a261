"""A code is never used more often than its limit, with processes racing for its last uses:
separate OS processes, each with its own PostgreSQL connection, at the same moment."""

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from pricing.models import CodeUse
from registrations.models import Registration
from tests.factories import make_category, make_delegate, make_event, make_registration
from tests.pricing.factories import make_code
from tests.processes import ROOT
from tests.registrations.test_concurrency import test_database_url

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 6


def race(mode: str, code: str, jobs: list[dict]) -> list[dict]:
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_SETTINGS_MODULE": "minex.settings.test",
    }
    chunks = [jobs[i::WORKERS] for i in range(WORKERS)]
    completed = subprocess.run(
        [sys.executable, "-m", "tests.pricing.code_worker"],
        cwd=ROOT,
        env=env,
        input=json.dumps({"mode": mode, "code": code, "chunks": chunks}) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line]
    assert len(results) == len(jobs)
    assert len({result["pid"] for result in results}) == WORKERS
    return results


def test_twelve_processes_applying_a_code_of_three_uses_get_exactly_three():
    category = make_category(make_event(capacity=100))
    code = make_code(category.event, "THREE", usage_limit=3)
    registrations = [make_registration(category) for _ in range(12)]

    results = race("apply", "THREE", [{"registration": r.pk} for r in registrations])

    assert Counter(result.get("error", "ok") for result in results) == {
        "ok": 3,
        "CodeUsedUp": 9,
    }
    assert CodeUse.objects.filter(code=code, released_at__isnull=True).count() == 3


def test_twelve_delegates_registering_with_a_code_of_three_uses_three_get_in():
    category = make_category(make_event(capacity=100))
    code = make_code(category.event, "THREE", usage_limit=3)
    delegates = [make_delegate(f"coderacer{n}@example.com") for n in range(12)]

    results = race(
        "register", "THREE", [{"delegate": d.pk, "category": category.pk} for d in delegates]
    )

    assert Counter(result.get("error", "ok") for result in results) == {
        "ok": 3,
        "CategoryLocked": 9,
    }
    assert CodeUse.objects.filter(code=code).count() == 3
    # The refused ones left nothing behind.
    assert Registration.objects.filter(event=category.event).count() == 3
