"""Delegations racing for the last places, in separate processes: each delegation gets all
its places or none, and the places are never over-given."""

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from accounts.models import User
from delegations.models import Delegation, DelegationMember
from registrations.models import Registration
from tests.factories import make_category, make_delegate, make_event
from tests.processes import ROOT
from tests.registrations.test_concurrency import test_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_five_delegations_of_four_for_ten_places_two_get_all_three_get_none():
    event = make_event(capacity=10)
    delegates = make_category(event, name_en="Delegate")
    government = make_category(event, name_en="Government", capacity=6)
    jobs = []
    for n in range(5):
        focal_point = make_delegate(f"focal{n}@example.kz")
        jobs.append(
            {
                "focal_point": focal_point.pk,
                "name": f"Ministry {n}",
                "members": [
                    {
                        "email": f"m{n}-{k}@example.kz",
                        "first_name": f"Member{k}",
                        "last_name": f"Ministry{n}",
                        "category": (government if k < 2 else delegates).pk,
                    }
                    for k in range(4)
                ],
            }
        )
    env = {**os.environ, "DATABASE_URL": test_database_url()}

    completed = subprocess.run(
        [sys.executable, "-m", "tests.delegations.concurrent_delegations"],
        cwd=ROOT,
        env=env,
        input=json.dumps({"event": event.pk, "jobs": jobs}) + "\n",
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line]
    assert len({result["pid"] for result in results}) == 5
    succeeded = [result for result in results if "delegation" in result]
    refused = [result for result in results if "error" in result]
    assert len(succeeded) == 2
    assert Counter(result["error"] for result in refused) == {"NotEnoughPlaces": 3}
    # What the refused focal points read says how many places are left (2 of the 10).
    assert all("2" in result["message"] for result in refused)
    statuses = Counter(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == {Registration.Status.CONFIRMED: 8}
    assert Registration.objects.filter(category=government).count() == 4
    # All or nothing: every saved delegation has its four members, the others left nothing.
    assert Delegation.objects.count() == 2
    assert sorted(
        Counter(DelegationMember.objects.values_list("delegation", flat=True)).values()
    ) == [4, 4]
    refused_names = {result["name"][-1] for result in refused}
    assert not User.objects.filter(email__in=[f"m{n}-0@example.kz" for n in refused_names]).exists()
