"""The door's page and JSON endpoints: who gets in (every endpoint × every kind of user), the
contract's shapes, bad input as translated 400s that record nothing, no-store everywhere."""

import datetime
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from checkin.models import Scan, Zone
from checkin.services import ensure_entrance, token_hash
from tests.factories import make_category, make_registration

from .conftest import client_for, post_json, token_of


def endpoints(event, scan_id=0):
    """(name, method, url, body) for the page and every endpoint of `event`."""
    zone = ensure_entrance(event).pk
    return [
        ("page", "get", reverse("checkin:page", args=[event.pk]), None),
        ("scan", "post", reverse("checkin:scan", args=[event.pk]), {"token": "x", "zone": zone}),
        ("undo", "post", reverse("checkin:undo", args=[event.pk, scan_id]), {}),
        ("search", "get", reverse("checkin:search", args=[event.pk]) + "?q=Aig", None),
        ("offline", "get", reverse("checkin:offline", args=[event.pk]), None),
        ("sync", "post", reverse("checkin:sync", args=[event.pk]), {"scans": []}),
        ("live", "get", reverse("checkin:live", args=[event.pk]), None),
    ]


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    return post_json(client, url, body)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, {"page": 302, "other": 403}),
        ("delegate", {"page": 403, "other": 403}),
        ("organiser", {"page": 403, "other": 403, "live": 200}),
        ("other_organiser", {"page": 403, "other": 403, "live": 404}),
        ("other_door", {"page": 404, "other": 404}),
        ("door", {"page": 200, "other": 200, "undo": 404}),
        ("secretariat", {"page": 200, "other": 200, "undo": 404}),
    ],
)
def test_permission_matrix(event, delegate_registration, people, who, expected):
    client = client_for(people[who] if who else None)
    seen = {}
    for name, method, url, body in endpoints(event):
        response = call(client, method, url, body)
        seen[name] = response.status_code
        assert "no-store" in response.get("Cache-Control", ""), name
    wanted = {
        name: expected.get(name, expected["page"] if name == "page" else expected["other"])
        for name in seen
    }
    assert seen == wanted
    if who is None:
        assert (
            json.loads(call(client, "post", endpoints(event)[1][2], {"token": "x"}).content)[
                "message"
            ]
            == "Your session has ended. Please log in again."
        )
    # Nothing was recorded by anyone who may not scan.
    if who not in ("door", "secretariat"):
        assert not Scan.objects.exists()


def test_page_renders_zones_and_endpoint_urls(event, door):
    gala = Zone.objects.create(event=event, name_en="Gala dinner", position=2)
    client = client_for(door)

    response = client.get(reverse("checkin:page", args=[event.pk]) + f"?zone={gala.pk}")

    assert response.status_code == 200
    assert response.context["zone"] == gala
    assert [z.label for z in response.context["zones"]] == ["Entrance", "Gala dinner"]
    urls = response.context["urls"]
    assert urls["scan"] == f"/staff/checkin/{event.pk}/scan/"
    assert urls["undo"] == f"/staff/checkin/{event.pk}/scans/{{scan_id}}/undo/"
    assert urls["service_worker"] == "/staff/checkin/sw.js"
    assert response.context["undo_seconds"] == 60
    csp = response["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "blob:" in csp


def test_scan_json_green_amber_red_then_undo(event, delegate_registration, door):
    client = client_for(door)
    url = reverse("checkin:scan", args=[event.pk])
    zone = ensure_entrance(event).pk
    token = token_of(delegate_registration)

    green = post_json(client, url, {"token": token, "zone": zone}).json()
    amber = post_json(client, url, {"token": token, "zone": str(zone)}).json()
    red = post_json(client, url, {"token": "forged.token", "zone": zone}).json()
    undone = post_json(
        client, reverse("checkin:undo", args=[event.pk, green["scan_id"]]), {}
    ).json()

    assert green["outcome"] == "admitted" and green["colour"] == "green"
    assert green["undo_until"] and green["reason"] == ""
    assert green["delegate"] == {
        "name": "Әйгерім Нұрланқызы",
        "organisation": "Steppe Minerals LLP",
        "category": "Delegate",
        "reference": delegate_registration.reference,
    }
    assert (amber["outcome"], amber["colour"]) == ("already", "amber")
    assert (red["outcome"], red["colour"], red["reason"]) == ("refused", "red", "forged")
    assert red["delegate"] is None
    assert undone["undone"] is True and undone["undo_until"] is None
    delegate_registration.refresh_from_db()
    assert delegate_registration.checked_in_at is None


def test_scan_by_reference_from_search_in_russian(event, delegate_registration, door):
    client = client_for(door)
    client.cookies["django_language"] = "ru"
    found = client.get(reverse("checkin:search", args=[event.pk]), {"q": "НҰРЛАН"}).json()

    answer = post_json(
        client,
        reverse("checkin:scan", args=[event.pk]),
        {"registration": found["results"][0]["reference"], "zone": ensure_entrance(event).pk},
    ).json()

    assert found["results"] == [
        {
            "reference": delegate_registration.reference,
            "name": "Әйгерім Нұрланқызы",
            "organisation": "Steppe Minerals LLP",
            "category": "Делегат",
            "status": "confirmed",
            "status_label": found["results"][0]["status_label"],
            "checked_in": False,
        }
    ]
    assert answer["outcome"] == "admitted"
    assert answer["delegate"]["category"] == "Делегат"


def test_search_finds_by_organisation_and_reference_at_most_twenty(event, category, door):
    for _ in range(22):
        make_registration(category)
    client = client_for(door)
    url = reverse("checkin:search", args=[event.pk])

    by_organisation = client.get(url, {"q": "steppe minerals"}).json()["results"]
    one = by_organisation[0]["reference"]
    by_reference = client.get(url, {"q": one.lower()}).json()["results"]
    too_short = client.get(url, {"q": "a"})

    assert len(by_organisation) == 20
    assert [r["reference"] for r in by_reference] == [one]
    assert too_short.status_code == 400
    assert "at least two letters" in too_short.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        json.dumps({"zone": 1}).encode(),
        json.dumps({"token": "x"}).encode(),
        json.dumps({"token": "x", "zone": "abc"}).encode(),
        json.dumps({"token": "x", "zone": 999999}).encode(),
        json.dumps({"token": "x", "zone": None, "client_id": "nope"}).encode(),
        json.dumps({"token": ["x"], "zone": 1}).encode(),
        b"\xff\xfe",
    ],
)
def test_bad_scan_requests_are_400_with_a_message_and_record_nothing(event, door, body):
    response = client_for(door).post(
        reverse("checkin:scan", args=[event.pk]), data=body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["message"]
    assert not Scan.objects.exists()


def test_zone_of_another_event_is_refused(event, door, people):
    from tests.factories import make_event

    other_zone = ensure_entrance(make_event(event.forum))
    response = post_json(
        client_for(door),
        reverse("checkin:scan", args=[event.pk]),
        {"token": "x", "zone": other_zone.pk},
    )

    assert response.status_code == 400
    assert response.json()["message"] == "This zone does not exist or is closed."


def test_csrf_is_required(event, door):
    client = Client(enforce_csrf_checks=True)
    client.force_login(door)

    response = post_json(
        client,
        reverse("checkin:scan", args=[event.pk]),
        {"token": "x", "zone": ensure_entrance(event).pk},
    )

    assert response.status_code == 403
    assert not Scan.objects.exists()


def test_offline_list_has_hashes_and_verdicts_never_tokens(event, category, door):
    ok = make_registration(category)
    cancelled = make_registration(category)
    from registrations.services import cancel_registration

    cancel_registration(cancelled, acting_user=door)
    speakers = make_category(event, price=0)
    gala = Zone.objects.create(event=event, name_en="Gala")
    gala.categories.set([speakers])

    response = client_for(door).get(reverse("checkin:offline", args=[event.pk]))
    data = response.json()

    body = response.content.decode()
    assert token_of(ok) not in body and ok.badge.code not in body
    badges = {b["h"]: b for b in data["badges"]}
    assert badges[token_hash(token_of(ok))]["ok"] is True
    assert badges[token_hash(token_of(cancelled))] | {"h": ""} == {
        "h": "",
        "name": cancelled.full_name,
        "organisation": "Steppe Minerals LLP",
        "category_id": category.pk,
        "category": "Delegate",
        "ok": False,
        "reason": "cancelled",
        "message": "This registration was cancelled.",
        "admitted": [],
    }
    assert data["event"] == {"id": event.pk, "name": "MINEX Central Asia 2026"}
    assert [(z["name"], z["categories"]) for z in data["zones"]] == [
        ("Entrance", []),
        ("Gala", [speakers.pk]),
    ]


def test_sync_records_each_scan_once_and_refuses_too_many(event, delegate_registration, door):
    client = client_for(door)
    url = reverse("checkin:sync", args=[event.pk])
    zone = ensure_entrance(event).pk
    at = timezone.now().astimezone(event.tz).replace(microsecond=0) - datetime.timedelta(minutes=5)
    queued = [
        {
            "client_id": str(uuid.uuid4()),
            "token": token_of(delegate_registration),
            "zone": zone,
            "scanned_at": at.isoformat(),
        },
        {
            "client_id": str(uuid.uuid4()),
            "token": "forged.one",
            "zone": zone,
            "scanned_at": (at + datetime.timedelta(seconds=1)).isoformat(),
        },
    ]

    first = post_json(client, url, {"scans": queued}).json()["results"]
    again = post_json(client, url, {"scans": queued}).json()["results"]
    too_many = post_json(client, url, {"scans": [queued[0]] * 501})
    no_time = post_json(client, url, {"scans": [queued[0] | {"scanned_at": "soon"}]})

    assert [(r["client_id"], r["outcome"]) for r in first] == [
        (queued[0]["client_id"], "admitted"),
        (queued[1]["client_id"], "refused"),
    ]
    assert again == first
    assert Scan.objects.count() == 2
    assert too_many.status_code == 400 and "500" in too_many.json()["message"]
    assert no_time.status_code == 400
    delegate_registration.refresh_from_db()
    assert delegate_registration.checked_in_at == at


def test_live_numbers_per_zone_and_hour(event, category, delegate_registration, door):
    make_registration(category)
    client = client_for(door)
    post_json(
        client,
        reverse("checkin:scan", args=[event.pk]),
        {"token": token_of(delegate_registration), "zone": ensure_entrance(event).pk},
    )

    data = client.get(reverse("checkin:live", args=[event.pk])).json()

    assert [(z["name"], z["admitted"], z["expected"]) for z in data["zones"]] == [
        ("Entrance", 1, 2)
    ]
    assert [h["total"] for h in data["hours"]] == [1]


def test_service_worker_is_served_from_its_scope(db, door, tmp_path, monkeypatch):
    from checkin import views

    sw = tmp_path / "sw.js"
    sw.write_text("self.addEventListener('fetch', () => {});")
    monkeypatch.setattr(views, "SW_PATH", sw)

    response = client_for(door).get("/staff/checkin/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/staff/checkin/"
    assert "no-store" in response["Cache-Control"]
    assert b"addEventListener" in b"".join(response.streaming_content)


def test_queued_scan_at_a_zone_closed_since_still_syncs(event, delegate_registration, door):
    gala = Zone.objects.create(event=event, name_en="Gala", active=False)
    client = client_for(door)
    queued = {
        "client_id": str(uuid.uuid4()),
        "token": token_of(delegate_registration),
        "zone": gala.pk,
        "scanned_at": (timezone.now() - datetime.timedelta(minutes=1)).isoformat(),
    }

    synced = post_json(client, reverse("checkin:sync", args=[event.pk]), {"scans": [queued]})
    online = post_json(
        client,
        reverse("checkin:scan", args=[event.pk]),
        {"token": queued["token"], "zone": gala.pk},
    )

    assert synced.json()["results"][0]["outcome"] == "admitted"
    assert online.status_code == 400  # a closed zone takes no new scans
