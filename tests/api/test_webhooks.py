"""Webhooks to a real HTTP receiver on this machine: signed, retried after a 500, paused after
failures in a row, refused for private addresses; replays and tampering caught by the check
docs/api.md gives receivers."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings

from api import services, webhooks
from api.addresses import validate_webhook_url
from api.models import WebhookDelivery, WebhookSubscription
from api.tasks import dispatch_due_webhooks
from tests.factories import make_registration

from .conftest import client_with, key_for

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server in a thread: answers each POST with the next of `statuses` (then 200)
    and keeps what it received."""

    def __init__(self):
        self.statuses: list[int] = []
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/minex?source=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def subscribe(forum, url, events=("registration.created",), user=None):
    subscription, secret = services.create_subscription(
        forum, url=url, events=list(events), acting_user=user
    )
    return subscription, secret


# The receiver's check, as docs/api.md gives it ------------------------------------------

SEEN_DELIVERIES: set[str] = set()


def receiver_accepts(secret: str, headers: dict, body: bytes, now: float | None = None) -> bool:
    timestamp = headers.get("X-Minex-Timestamp", "")
    delivery_id = headers.get("X-Minex-Delivery", "")
    expected = (
        "v1="
        + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )
    if not hmac.compare_digest(expected, headers.get("X-Minex-Signature", "")):
        return False  # tampered, or signed with another secret
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > 300:
        return False  # too old: a replay of a captured delivery
    if delivery_id in SEEN_DELIVERIES:
        return False  # a replay within the five minutes
    SEEN_DELIVERIES.add(delivery_id)
    return True


# ----------------------------------------------------------------------------------------


def test_a_new_registration_is_delivered_signed(
    forums, receiver, django_capture_on_commit_callbacks
):
    subscription, secret = subscribe(forums.x, receiver.url)
    subscribe(forums.y, receiver.url)  # forum Y's subscriber hears nothing of forum X

    with django_capture_on_commit_callbacks(execute=True):
        registration = make_registration(forums.category_x)

    assert len(receiver.received) == 1
    request = receiver.received[0]
    payload = json.loads(request["body"])
    assert payload["type"] == "registration.created"
    assert payload["data"]["registration"]["reference"] == registration.reference
    assert "phone" not in payload["data"]["registration"]
    assert request["headers"]["X-Minex-Event"] == "registration.created"
    assert receiver_accepts(secret, request["headers"], request["body"])
    assert webhooks.verify_signature(
        secret,
        body=request["body"],
        timestamp=request["headers"]["X-Minex-Timestamp"],
        signature_header=request["headers"]["X-Minex-Signature"],
    )
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert str(delivery.pk) == request["headers"]["X-Minex-Delivery"] == payload["id"]


def test_replayed_and_tampered_deliveries_are_caught_by_the_documented_check(
    forums, receiver, django_capture_on_commit_callbacks
):
    _subscription, secret = subscribe(forums.x, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_registration(forums.category_x)
    request = receiver.received[0]
    headers, body = request["headers"], request["body"]

    first = receiver_accepts(secret, headers, body)
    replayed_now = receiver_accepts(secret, headers, body)
    replayed_later = receiver_accepts(
        secret, {**headers, "X-Minex-Delivery": "other"}, body, now=time.time() + 301
    )
    tampered_body = receiver_accepts(
        secret, {**headers, "X-Minex-Delivery": "x1"}, body.replace(b"created", b"cancelled")
    )
    # A replayer who refreshes the timestamp (to pass the five minutes) breaks the signature.
    fresh_timestamp = receiver_accepts(
        secret,
        {
            **headers,
            "X-Minex-Delivery": "x2",
            "X-Minex-Timestamp": str(int(headers["X-Minex-Timestamp"]) + 1),
        },
        body,
    )
    other_secret = receiver_accepts("whsec_other", {**headers, "X-Minex-Delivery": "x3"}, body)

    assert first is True
    assert replayed_now is replayed_later is tampered_body is False
    assert fresh_timestamp is False and other_secret is False


@override_settings(WEBHOOK_RETRY_DELAYS=[0, 0])
def test_a_500_is_retried_with_the_same_body(forums, receiver, django_capture_on_commit_callbacks):
    subscription, secret = subscribe(forums.x, receiver.url)
    receiver.statuses = [500]

    with django_capture_on_commit_callbacks(execute=True):
        make_registration(forums.category_x)
    delivery = WebhookDelivery.objects.get()
    after_failure = (delivery.status, delivery.attempts, delivery.last_status_code)
    dispatch_due_webhooks.apply()
    delivery.refresh_from_db()
    subscription.refresh_from_db()

    assert after_failure == ("queued", 1, 500)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first["body"] == second["body"]
    assert first["headers"]["X-Minex-Delivery"] == second["headers"]["X-Minex-Delivery"]
    assert receiver_accepts(secret, second["headers"], second["body"])
    assert subscription.consecutive_failures == 0 and subscription.is_active


@override_settings(WEBHOOK_RETRY_DELAYS=[0, 0, 0, 0], WEBHOOK_PAUSE_AFTER_FAILURES=3)
def test_a_subscription_pauses_after_failures_in_a_row(
    forums, receiver, django_capture_on_commit_callbacks
):
    subscription, _secret = subscribe(forums.x, receiver.url)
    receiver.statuses = [503] * 10

    with django_capture_on_commit_callbacks(execute=True):
        make_registration(forums.category_x)
    dispatch_due_webhooks.apply()
    dispatch_due_webhooks.apply()
    dispatch_due_webhooks.apply()  # paused: nothing more is sent
    subscription.refresh_from_db()

    assert len(receiver.received) == 3
    assert subscription.is_active is False and subscription.paused_at is not None
    assert WebhookDelivery.objects.get().status == "queued"  # kept, for when it is resumed
    services.resume_subscription(subscription)
    receiver.statuses = []
    dispatch_due_webhooks.apply()
    assert WebhookDelivery.objects.get().status == "delivered"


def test_a_change_rolled_back_sends_nothing(forums, receiver, django_capture_on_commit_callbacks):
    subscribe(forums.x, receiver.url)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        make_registration(forums.category_x)
        raise RuntimeError("the caller failed after registering")

    assert WebhookDelivery.objects.count() == 0
    assert receiver.received == []


def test_status_changes_and_check_ins_through_the_api_are_delivered(
    forums, receiver, django_capture_on_commit_callbacks
):
    subscribe(
        forums.x,
        receiver.url,
        events=["registration.confirmed", "registration.checked_in", "registration.cancelled"],
    )
    client = client_with(key_for(forums.secretariat))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/registrations/{forums.pending_x.pk}/approve/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/registrations/{forums.pending_x.pk}/check-in/")

    types = [json.loads(request["body"])["type"] for request in receiver.received]
    assert types == ["registration.confirmed", "registration.checked_in"]
    last = json.loads(receiver.received[-1]["body"])["data"]["registration"]
    assert last["checked_in_at"] is not None


@override_settings(WEBHOOK_ALLOW_LOOPBACK=False)
def test_private_and_loopback_addresses_are_refused(
    forums, receiver, django_capture_on_commit_callbacks
):
    for url in [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8000/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost/hook",
        "http://224.0.0.1/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
    ]:
        with pytest.raises(ValidationError):
            validate_webhook_url(url)
    validate_webhook_url("https://crm.example.com/hooks")
    # A subscription saved while loopback was allowed (or a name that resolves to it today)
    # is refused at delivery time: the host is resolved and checked before connecting.
    subscription = WebhookSubscription.objects.create(
        forum=forums.x, url=receiver.url, secret="whsec_x", events=["registration.created"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        make_registration(forums.category_x)

    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert receiver.received == []
    assert delivery.status == "queued" and "refused address" in delivery.last_error


def test_a_subscription_needs_http_and_events(forums):
    with pytest.raises(ValidationError):
        subscribe(forums.x, "gopher://example.com/")
    with pytest.raises(ValidationError):
        subscribe(forums.x, "https://example.com/", events=[])
