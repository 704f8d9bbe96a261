"""Offline doors (first scan by the door's clock wins, both recorded, replays record nothing),
the locks a scan takes, and the queries the scan and the offline list make."""

import datetime
import re
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkin.models import Scan, Zone
from checkin.services import ensure_entrance, scan_badge, sync_scans
from registrations.models import RegistrationHistory
from tests.factories import make_registration

from .conftest import client_for, post_json, token_of


def offline(registration, zone, minutes_ago, client_id=None):
    return {
        "client_id": client_id or uuid.uuid4(),
        "token": token_of(registration),
        "zone": zone,
        "scanned_at": timezone.now() - datetime.timedelta(minutes=minutes_ago),
    }


def test_two_offline_doors_first_by_clock_wins_even_if_it_syncs_last(
    event, delegate_registration, door, people
):
    zone = ensure_entrance(event)
    other_door = people["secretariat"]
    earlier = offline(delegate_registration, zone, minutes_ago=10)
    later = offline(delegate_registration, zone, minutes_ago=5)

    [later_result] = sync_scans(event, door, [later])
    [earlier_result] = sync_scans(event, other_door, [earlier])

    assert later_result.outcome == "admitted"  # what that door was told at its sync
    assert earlier_result.outcome == "admitted"
    scans = {s.client_id: s for s in Scan.objects.filter(registration=delegate_registration)}
    assert scans[earlier["client_id"]].outcome == "admitted"
    assert scans[later["client_id"]].outcome == "already"  # re-decided, still recorded
    delegate_registration.refresh_from_db()
    assert delegate_registration.checked_in_at == earlier["scanned_at"]
    moved = RegistrationHistory.objects.filter(
        registration=delegate_registration, action="checked_in"
    ).last()
    assert moved.details["moved_from"] == later["scanned_at"].isoformat()
    # Replayed (the door did not hear the answer): nothing recorded twice, the same answer.
    [replayed] = sync_scans(event, other_door, [earlier])
    assert replayed.scan.pk == earlier_result.scan.pk
    assert Scan.objects.filter(registration=delegate_registration).count() == 2


def test_offline_scan_after_an_online_admission_is_already(event, delegate_registration, door):
    zone = ensure_entrance(event)
    online = scan_badge(event=event, zone=zone, token=token_of(delegate_registration), actor=door)
    [late] = sync_scans(event, door, [offline(delegate_registration, zone, minutes_ago=-1)])

    assert online.outcome == "admitted"
    assert late.outcome == "already"


def test_offline_scan_from_the_future_is_timed_at_its_arrival(event, delegate_registration, door):
    zone = ensure_entrance(event)
    future = offline(delegate_registration, zone, minutes_ago=-60)

    [result] = sync_scans(event, door, [future])

    assert result.scan.scanned_at <= timezone.now()
    assert result.scan.offline is True


def test_a_scan_locks_only_the_registration_row(event, delegate_registration, door):
    zone = ensure_entrance(event)
    with CaptureQueriesContext(connection) as captured:
        scan_badge(event=event, zone=zone, token=token_of(delegate_registration), actor=door)

    locking = [
        q["sql"] for q in captured.captured_queries if re.search(r"FOR (NO KEY )?UPDATE", q["sql"])
    ]
    tables = [re.search(r'FROM "(\w+)"', sql).group(1) for sql in locking]
    assert tables and set(tables) == {"registrations_registration"}
    assert all("FOR NO KEY UPDATE" in sql for sql in locking)


def test_scan_request_makes_a_fixed_number_of_queries(
    event, category, delegate_registration, door, django_assert_num_queries
):
    client = client_for(door)
    url = reverse("checkin:scan", args=[event.pk])
    zone = ensure_entrance(event).pk
    other = make_registration(category)
    post_json(client, url, {"token": token_of(other), "zone": zone})  # warm the session
    token = token_of(delegate_registration)

    # Session, user, two for the permission, the event with its billing rules, the zone with
    # its categories; savepoint, the registration locked by its badge's code, the admitted
    # scan, the insert; the check-in: savepoint, lock, update, history, the API's webhook
    # subscriptions for the forum (registration_checked_in), release; release.
    with django_assert_num_queries(17):
        green = post_json(client, url, {"token": token, "zone": zone})
    with django_assert_num_queries(11):
        amber = post_json(client, url, {"token": token, "zone": zone})

    assert green.json()["outcome"] == "admitted"
    assert amber.json()["outcome"] == "already"


def test_offline_list_queries_do_not_grow_with_badges(event, category, door):
    client = client_for(door)
    url = reverse("checkin:offline", args=[event.pk])
    Zone.objects.create(event=event, name_en="Gala").categories.set([category])
    make_registration(category)
    client.get(url)  # the entrance is created once

    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()["badges"]) == 1
    for _ in range(3):
        make_registration(category)
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(url).json()["badges"]) == 4

    assert len(one.captured_queries) == len(four.captured_queries)


def test_undo_locks_only_the_registration_row(event, delegate_registration, door):
    from checkin.services import undo_scan

    admitted = scan_badge(
        event=event, zone=ensure_entrance(event), token=token_of(delegate_registration), actor=door
    )
    with CaptureQueriesContext(connection) as captured:
        undo_scan(admitted.scan, door)

    locking = [q["sql"] for q in captured.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    assert locking
    assert {re.search(r'FROM "(\w+)"', sql).group(1) for sql in locking} == {
        "registrations_registration"
    }
    assert not [q for q in captured.captured_queries if re.search(r"FOR UPDATE", q["sql"])]
