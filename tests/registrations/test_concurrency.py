"""The capacity and one-registration rules under real concurrency: separate OS processes, each
with its own PostgreSQL connection, submitting at the same moment against the test database."""

import json
import os
import subprocess
import sys
import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from registrations.models import Registration
from registrations.selectors import waitlist_position
from tests.factories import make_category, make_delegate, make_event, registration_form_data
from tests.processes import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

Status = Registration.Status
WORKERS = 10


def test_database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def submit_at_once(jobs: list[dict], workers: int = WORKERS) -> list[dict]:
    """Split `jobs` over `workers` processes that start submitting at the same moment (see
    concurrent_worker), and return every job's result. Fails the test if a process fails."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_SETTINGS_MODULE": "minex.settings.test",
    }
    chunks = [jobs[i::workers] for i in range(workers)]
    completed = subprocess.run(
        [sys.executable, "-m", "tests.registrations.concurrent_worker"],
        cwd=ROOT,
        env=env,
        input=json.dumps({"chunks": chunks}) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    results = [json.loads(line) for line in completed.stdout.splitlines() if line]
    assert len(results) == len(jobs)
    # Really separate processes, each with its own connection.
    assert len({result["pid"] for result in results}) == workers
    return results


def test_fifty_delegates_for_ten_places_confirm_exactly_ten():
    category = make_category(make_event(capacity=10))
    delegates = [make_delegate(f"racer{n}@example.com") for n in range(50)]

    results = submit_at_once([{"delegate": d.pk, "category": category.pk} for d in delegates])

    assert not [r for r in results if "error" in r]
    statuses = Counter(Registration.objects.filter(event=category.event).values_list("status"))
    assert statuses == {(Status.CONFIRMED,): 10, (Status.WAITLISTED,): 40}
    positions = sorted(
        waitlist_position(r)
        for r in Registration.objects.filter(event=category.event, status=Status.WAITLISTED)
    )
    assert positions == list(range(1, 41))
    # What each worker was told matches what the database holds.
    assert Counter(r["status"] for r in results) == {"confirmed": 10, "waitlisted": 40}


def test_two_categories_racing_never_exceed_event_or_category_capacity():
    event = make_event(capacity=10)
    delegates_category = make_category(event, capacity=7)
    speakers_category = make_category(event, capacity=7)
    jobs = [
        {"delegate": make_delegate().pk, "category": category.pk}
        for _ in range(15)
        for category in (delegates_category, speakers_category)
    ]

    submit_at_once(jobs)

    held = Registration.objects.filter(event=event, status__in=Registration.PLACE_HOLDING_STATUSES)
    assert held.count() == 10
    assert held.filter(category=delegates_category).count() <= 7
    assert held.filter(category=speakers_category).count() <= 7
    assert Registration.objects.filter(event=event, status=Status.WAITLISTED).count() == 20


def test_full_event_without_waitlist_refuses_the_rest():
    category = make_category(make_event(capacity=5, waitlist_enabled=False))
    jobs = [{"delegate": make_delegate().pk, "category": category.pk} for _ in range(20)]

    results = submit_at_once(jobs)

    assert Counter(r.get("error", r.get("status")) for r in results) == {
        "confirmed": 5,
        "EventFull": 15,
    }
    assert Registration.objects.filter(event=category.event).count() == 5


def test_same_delegate_submitting_at_once_gets_one_registration():
    category = make_category(make_event(capacity=10))
    delegate = make_delegate()
    jobs = [{"delegate": delegate.pk, "category": category.pk} for _ in range(WORKERS)]

    results = submit_at_once(jobs, workers=len(jobs))

    assert Registration.objects.filter(delegate=delegate).count() == 1
    assert len({r["registration"] for r in results}) == 1
    assert sum(r["created"] for r in results) == 1
    assert Registration.objects.get(delegate=delegate).history.count() == 1


def _release_when_a_backend_waits_for_a_lock(release: threading.Event) -> None:
    from tests.processes import wait_until

    def a_backend_waits() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] > 0

    try:
        wait_until(a_backend_waits, timeout=30, message="our insert never waited on the index")
    finally:
        release.set()
        connection.close()


def test_insert_racing_past_the_lock_returns_the_committed_registration():
    """The database constraint is the last line: a row written by a caller that did not take
    the event lock (another connection, uncommitted while we insert) makes our insert wait
    on the unique index and then fail; the service returns that row instead of an error."""
    from django.utils import timezone

    from registrations.services import register_delegate

    category = make_category()
    delegate = make_delegate()
    written, release = threading.Event(), threading.Event()
    outside = {}

    def write_without_the_lock():
        with transaction.atomic():
            outside["pk"] = Registration.objects.create(
                event=category.event, category=category, delegate=delegate,
                reference="MX26-OUT-SIDE2", status=Status.CONFIRMED, first_name="A",
                last_name="B", email=delegate.email, category_name="C", price=0,
                currency="EUR", consent_privacy_at=timezone.now(),
                privacy_policy_version="2026-11", language="en",
            ).pk  # fmt: skip
            written.set()
            release.wait(timeout=10)
        connection.close()

    writer = threading.Thread(target=write_without_the_lock)
    writer.start()
    assert written.wait(timeout=10)
    # Commit the outside row once our insert is seen waiting on the unique index (a backend
    # of this database waiting for a lock), not after a guessed delay.
    threading.Thread(target=_release_when_a_backend_waits_for_a_lock, args=(release,)).start()

    registration, created = register_delegate(
        category.event, delegate=delegate, category=category, consent_privacy=True, language="en"
    )
    writer.join(timeout=10)

    assert created is False
    assert registration.pk == outside["pk"]
    assert Registration.objects.filter(delegate=delegate).count() == 1


def test_first_time_delegate_double_clicking_register_gets_one_registration_and_no_error():
    """A delegate without a profile yet submits the registration form several times at once
    (a double click): each request locks the user row before writing the profile, so the later
    ones wait, find the profile and the registration, and are redirected; none fails on the
    unique profile."""
    from django.test import Client

    from accounts.models import DelegateProfile
    from tests.factories import make_user

    category = make_category(make_event(capacity=10))
    user = make_user()
    assert not DelegateProfile.objects.filter(user=user).exists()
    url = f"/en/events/{category.event.slug}/register/"
    data = registration_form_data(category)
    clicks = 4
    barrier = threading.Barrier(clicks)
    responses, errors = [], []

    def click():
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=10)
            responses.append(client.post(url, data))
        except Exception as error:  # a 500 raises here: report it
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert [response.status_code for response in responses] == [302] * clicks
    registration = Registration.objects.get(delegate=user)
    assert {response["Location"] for response in responses} <= {
        f"/en/my/registrations/{registration.reference}/thank-you/",
        f"/en/my/registrations/{registration.reference}/",
    }
    assert DelegateProfile.objects.filter(user=user).count() == 1
