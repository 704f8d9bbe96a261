"""Two (or ten) doors scanning the same badges at the same moment, as separate OS processes
with their own PostgreSQL connections: each badge is admitted exactly once, the others are
told "already", and every scan is recorded."""

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from checkin.models import Scan
from checkin.services import ensure_entrance
from registrations.models import Registration
from tests.factories import make_registration
from tests.processes import ROOT
from tests.registrations.test_concurrency import test_database_url

from .conftest import token_of

pytestmark = pytest.mark.django_db(transaction=True)


def scan_at_once(zone, actor, chunks) -> list[dict]:
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_SETTINGS_MODULE": "minex.settings.test",
    }
    job = {"event": zone.event_id, "zone": zone.pk, "actor": actor.pk, "chunks": chunks}
    completed = subprocess.run(
        [sys.executable, "-m", "tests.checkin.concurrent_scanner"],
        cwd=ROOT, env=env, input=json.dumps(job) + "\n",
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line]
    assert len({r["pid"] for r in results}) == len(chunks)  # really separate processes
    return results


def test_ten_doors_on_the_same_badges_admit_each_exactly_once(event, category, door):
    registrations = [make_registration(category) for _ in range(5)]
    tokens = [token_of(r) for r in registrations]
    zone = ensure_entrance(event)

    # Ten scanners, each scanning all five badges (in a different order): 50 scans at once.
    chunks = [tokens[n % 5 :] + tokens[: n % 5] for n in range(10)]
    results = scan_at_once(zone, door, chunks)

    assert Counter(r["outcome"] for r in results) == {"admitted": 5, "already": 45}
    admitted = Counter(
        Scan.objects.filter(outcome="admitted").values_list("registration_id", flat=True)
    )
    assert admitted == {r.pk: 1 for r in registrations}
    assert Scan.objects.count() == 50
    assert Registration.objects.filter(event=event, checked_in_at__isnull=False).count() == 5
