"""Webhook deliveries: written with the change, sent after commit, retried from the database.

The path of one delivery:

1. A registration changes. registrations' services send `registration_created`,
   `registration_status_changed` or `registration_checked_in` inside their transaction; the
   receivers here (connected in `ApiConfig.ready()`) write one `WebhookDelivery` row per
   active subscription of the event's forum that wants that event, with the JSON body fixed
   now, and queue `api.tasks.deliver_webhook` for each with `on_commit(robust=True)`. A
   change rolled back leaves no delivery; a broker that is down leaves the rows queued.
2. `deliver` (the task) claims the row under a lock if it is queued and due, marks it
   "sending" with a lease, commits, and then — holding no lock — resolves the host, refuses
   it if it is not allowed (api/addresses.py), and POSTs the body to the address it checked,
   signed with the subscription's secret and the current time (`signature_headers`).
3. A 2xx marks it delivered and clears the subscription's failure count. Anything else
   (status, timeout, refused address) queues it again after the next delay of
   `WEBHOOK_RETRY_DELAYS`, or fails it after the last; every failure counts against the
   subscription, which pauses after `WEBHOOK_PAUSE_AFTER_FAILURES` in a row.
4. Beat's `api.tasks.dispatch_due_webhooks` hands out rows whose retry time has come and rows
   whose "sending" lease passed (their worker died), like the outbox's dispatcher.

A receiver checks a delivery with `verify_signature` (docs/api.md): the HMAC of
"<timestamp>.<body>", a timestamp within five minutes, and a delivery id not seen before.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from registrations.models import Registration

from .addresses import UnsafeAddress, resolve_safely
from .models import WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger(__name__)

DELIVER_TASK = "api.tasks.deliver_webhook"
SIGNATURE_HEADER = "X-Minex-Signature"
TIMESTAMP_HEADER = "X-Minex-Timestamp"
DELIVERY_HEADER = "X-Minex-Delivery"
EVENT_HEADER = "X-Minex-Event"
# How old a delivery's timestamp may be when the receiver checks it (docs/api.md).
TOLERANCE_SECONDS = 300

EVENT_FOR_STATUS = {
    Registration.Status.CONFIRMED: WebhookEvent.REGISTRATION_CONFIRMED,
    Registration.Status.PENDING: WebhookEvent.REGISTRATION_PENDING,
    Registration.Status.WAITLISTED: WebhookEvent.REGISTRATION_WAITLISTED,
    Registration.Status.REJECTED: WebhookEvent.REGISTRATION_REJECTED,
    Registration.Status.CANCELLED: WebhookEvent.REGISTRATION_CANCELLED,
}

Status = WebhookDelivery.Status


# 1. Writing deliveries (inside the registration's transaction) ------------------------------


def registration_payload(registration: Registration) -> dict:
    """What a delivery says about a registration: ids and the non-special details (no
    passport name, phone, nationality or needs — fetch the registration through the API
    with a token that may see them)."""
    return {
        "id": registration.pk,
        "reference": registration.reference,
        "event": registration.event.slug,
        "category": registration.category_id,
        "status": registration.status,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "organisation": registration.organisation,
        "country": str(registration.country or ""),
        "language": registration.language,
        "created_at": registration.created_at,
        "checked_in_at": registration.checked_in_at,
    }


def record_event(registration: Registration, event: str) -> list[WebhookDelivery]:
    """Write a delivery of `event` for every active subscription of the registration's forum
    that wants it, in the caller's transaction; queue their sending after commit."""
    # A forum has a handful of subscriptions: which want `event` is decided here, in one query
    # on any database (JSON `contains` is PostgreSQL's only).
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(
            forum_id=registration.event.forum_id, is_active=True
        )
        .order_by()  # the model's order (by forum) would join the forum table
        .only("pk", "events")
        if event in subscription.events
    ]
    if not subscriptions:
        return []
    now = timezone.now()
    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery(subscription=subscription, event=event, next_attempt_at=now)
        delivery.body = json.dumps(
            {
                "id": str(delivery.pk),
                "type": event,
                "created_at": now,
                "data": {"registration": registration_payload(registration)},
            },
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [str(delivery.pk) for delivery in deliveries]
    transaction.on_commit(lambda: _publish(ids), robust=True)
    return deliveries


def _publish(delivery_ids: list[str]) -> None:
    from celery import current_app

    for delivery_id in delivery_ids:
        try:
            current_app.signature(DELIVER_TASK, kwargs={"delivery_id": delivery_id}).delay()
        except Exception:  # the broker is down: the dispatcher hands the row out later
            logger.warning("Could not queue webhook delivery %s; the dispatcher will", delivery_id)
            return


def on_registration_created(sender, *, registration, **kwargs):
    record_event(registration, WebhookEvent.REGISTRATION_CREATED)


def on_registration_status_changed(sender, *, registration, to_status, **kwargs):
    event = EVENT_FOR_STATUS.get(to_status)
    if event is not None:
        record_event(registration, event)


def on_registration_checked_in(sender, *, registration, **kwargs):
    record_event(registration, WebhookEvent.REGISTRATION_CHECKED_IN)


# 2. Signing ------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_headers(delivery: WebhookDelivery, secret: str, *, timestamp: int) -> dict:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "MINEX-Webhooks/1",
        DELIVERY_HEADER: str(delivery.pk),
        EVENT_HEADER: delivery.event,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, delivery.body.encode()),
    }


def verify_signature(
    secret: str, *, body: bytes, timestamp: str, signature_header: str, now: float | None = None
) -> bool:
    """The receiver's check (docs/api.md has the same in a few lines): the signature is the
    HMAC-SHA256 of "<timestamp>.<body>" with the subscription's secret, and the timestamp is
    within `TOLERANCE_SECONDS` of now. A replay within that window is caught by remembering
    the delivery ids (the X-Minex-Delivery header) already accepted."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent_at) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, sent_at, body)
    return hmac.compare_digest(expected.encode(), (signature_header or "").encode())


# 3. Sending ------------------------------------------------------------------------------


def sending_lease() -> datetime.timedelta:
    return datetime.timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + settings.WEBHOOK_SENDING_LEASE_MARGIN
    )


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _post(url: str, body: bytes, headers: dict) -> int:
    """POST `body` to `url` at a checked address; returns the HTTP status. Raises
    UnsafeAddress, OSError or http.client.HTTPException."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_safely(parts.hostname, port)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(
        parts.hostname, port, address=address, timeout=settings.WEBHOOK_TIMEOUT
    )
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)  # the receiver's answer is not kept; read a little, politely
        return response.status
    finally:
        connection.close()


def deliver(delivery_id: str, *, now: datetime.datetime | None = None) -> str:
    """Send one delivery if it is queued and due; returns its status afterwards (or "skipped").

    Side effects, in order: claim (lock, skip unless queued and due and its subscription
    active; mark "sending" with a lease; count the attempt; commit); the POST with no lock
    held; the result recorded (delivered; or queued again with the next retry time, or
    failed after the last attempt; the subscription's failure count, and its pause).
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(
                pk=delivery_id,
                status=Status.QUEUED,
                next_attempt_at__lte=now,
                subscription__is_active=True,
            )
            .first()
        )
        if delivery is None:
            return "skipped"
        claimed_at = timezone.now()
        delivery.status = Status.SENDING
        delivery.attempts += 1
        delivery.sending_until = claimed_at + sending_lease()
        delivery.save(update_fields=["status", "attempts", "sending_until"])

    subscription = delivery.subscription
    headers = signature_headers(delivery, subscription.secret, timestamp=int(time.time()))
    status_code, error = None, ""
    try:
        status_code = _post(subscription.url, delivery.body.encode(), headers)
    except UnsafeAddress as refusal:
        error = f"refused address: {refusal}"
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"
    succeeded = status_code is not None and 200 <= status_code < 300
    if status_code is not None and not succeeded:
        error = f"HTTP {status_code}"
    return _record_result(delivery, status_code=status_code, succeeded=succeeded, error=error)


def _record_result(delivery, *, status_code, succeeded: bool, error: str) -> str:
    done_at = timezone.now()
    delivery.last_status_code = status_code
    delivery.last_error = error[:1000]
    delivery.sending_until = None
    with transaction.atomic():
        if succeeded:
            delivery.status = Status.DELIVERED
            delivery.delivered_at = done_at
            delivery.next_attempt_at = None
            WebhookSubscription.objects.filter(pk=delivery.subscription_id).exclude(
                consecutive_failures=0
            ).update(consecutive_failures=0)
        else:
            delays = settings.WEBHOOK_RETRY_DELAYS
            if delivery.attempts <= len(delays):
                delivery.status = Status.QUEUED
                delivery.next_attempt_at = done_at + datetime.timedelta(
                    seconds=delays[delivery.attempts - 1]
                )
            else:
                delivery.status = Status.FAILED
                delivery.next_attempt_at = None
            _count_failure(delivery.subscription_id, done_at)
        delivery.save(
            update_fields=[
                "status", "delivered_at", "next_attempt_at", "sending_until",
                "last_status_code", "last_error",
            ]
        )  # fmt: skip
    if delivery.status == Status.QUEUED:
        delay = (delivery.next_attempt_at - done_at).total_seconds()
        transaction.on_commit(lambda: _publish_later(str(delivery.pk), delay), robust=True)
    return delivery.status


def _publish_later(delivery_id: str, delay: float) -> None:
    from celery import current_app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # in-process tasks cannot wait; the dispatcher hands the row out when due
    try:
        current_app.signature(DELIVER_TASK, kwargs={"delivery_id": delivery_id}).apply_async(
            countdown=delay
        )
    except Exception:
        logger.warning("Could not queue the retry of %s; the dispatcher will", delivery_id)


def _count_failure(subscription_id: int, at: datetime.datetime) -> None:
    """One more failure in a row; at `WEBHOOK_PAUSE_AFTER_FAILURES` the subscription pauses
    (in one update, so two workers failing at once cannot both miss the threshold)."""
    WebhookSubscription.objects.filter(pk=subscription_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    WebhookSubscription.objects.filter(
        pk=subscription_id,
        is_active=True,
        consecutive_failures__gte=settings.WEBHOOK_PAUSE_AFTER_FAILURES,
    ).update(is_active=False, paused_at=at)


def dispatch_due(*, now: datetime.datetime | None = None) -> dict:
    """Beat's job: free deliveries whose "sending" lease passed (their worker died), then send
    every due queued delivery of an active subscription (in this task: a handful at a time
    in practice; each claim skips rows another worker holds)."""
    now = now or timezone.now()
    released = WebhookDelivery.objects.filter(status=Status.SENDING, sending_until__lt=now).update(
        status=Status.QUEUED, sending_until=None, next_attempt_at=now
    )
    due = list(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True),
            status=Status.QUEUED,
            subscription__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: settings.WEBHOOK_DISPATCH_BATCH_SIZE]
    )
    outcomes = [deliver(str(delivery_id), now=now) for delivery_id in due]
    return {"released": released, "sent": outcomes.count(Status.DELIVERED), "tried": len(due)}
