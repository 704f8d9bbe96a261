"""The last gala seat under real concurrency: separate OS processes, each with its own
PostgreSQL connection, booking and cancelling at the same moment."""

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from addons.models import AddOnBooking
from addons.selectors import waitlist_positions
from addons.services import book_add_ons
from tests.factories import make_category, make_event, make_registration
from tests.processes import ROOT
from tests.registrations.test_concurrency import test_database_url

from .factories import make_add_on

pytestmark = pytest.mark.django_db(transaction=True)

Status = AddOnBooking.Status
WORKERS = 8


def run_at_once(jobs: list[dict], workers: int = WORKERS) -> list[dict]:
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_SETTINGS_MODULE": "minex.settings.test",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "tests.addons.race_worker"],
        cwd=ROOT,
        env=env,
        input=json.dumps({"chunks": [jobs[i::workers] for i in range(workers)]}) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line]
    assert len(results) == len(jobs)
    assert len({result["pid"] for result in results}) == workers  # really separate processes
    return results


def test_the_last_gala_seat_is_sold_once():
    category = make_category(make_event(capacity=100))
    gala = make_add_on(category.event, capacity=3)
    for _ in range(2):
        earlier = make_registration(category)
        book_add_ons(earlier, [gala], acting_user=earlier.delegate)
    racers = [make_registration(category) for _ in range(16)]

    results = run_at_once(
        [{"action": "book", "registration": r.pk, "add_on": gala.pk} for r in racers]
    )

    assert not [r for r in results if "error" in r]
    assert Counter(r["status"] for r in results) == {"confirmed": 1, "waitlisted": 15}
    assert AddOnBooking.objects.filter(add_on=gala, status=Status.CONFIRMED).count() == 3
    waiting = list(AddOnBooking.objects.filter(add_on=gala, status=Status.WAITLISTED))
    assert sorted(waitlist_positions(waiting).values()) == list(range(1, 16))


def test_seats_freed_while_others_book_go_down_the_waitlist_without_overselling():
    category = make_category(make_event(capacity=100))
    gala = make_add_on(category.event, capacity=4)
    holders = [make_registration(category) for _ in range(4)]
    held = [book_add_ons(h, [gala], acting_user=h.delegate)[0] for h in holders]
    queued = [make_registration(category) for _ in range(4)]
    for registration in queued:
        book_add_ons(registration, [gala], acting_user=registration.delegate)
    newcomers = [make_registration(category) for _ in range(8)]

    run_at_once(
        [{"action": "cancel", "booking": booking.pk} for booking in held[:3]]
        + [{"action": "book", "registration": r.pk, "add_on": gala.pk} for r in newcomers]
    )

    confirmed = AddOnBooking.objects.filter(add_on=gala, status=Status.CONFIRMED)
    assert confirmed.count() == 4
    # The three freed seats went to the first three who were already waiting, in order.
    assert set(confirmed.values_list("registration_id", flat=True)) == {
        holders[3].pk,
        *(r.pk for r in queued[:3]),
    }
    assert not AddOnBooking.objects.filter(
        add_on=gala, status=Status.CONFIRMED, registration__in=newcomers
    ).exists()
