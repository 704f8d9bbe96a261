"""A webhook with real processes: the Redis broker, a Celery worker, PostgreSQL and an HTTP
receiver on this machine that fails once. The delivery is published after commit, sent by
the worker, retried by the worker after the 500, and signed both times."""

import json

import pytest

from api import services
from api.models import WebhookDelivery
from tests.api.test_webhooks import Receiver, receiver_accepts
from tests.factories import make_category, make_event, make_forum, make_registration
from tests.processes import wait_until

from .conftest import worker_environment

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_delivers_and_retries_a_webhook(smtp_server, broker, start_celery_worker):
    receiver = Receiver()
    receiver.statuses = [500]
    try:
        forum = make_forum()
        category = make_category(make_event(forum))
        _subscription, secret = services.create_subscription(
            forum, url=receiver.url, events=["registration.created"], acting_user=None
        )
        start_celery_worker(
            worker_environment(broker_url=broker.url, smtp=smtp_server, WEBHOOK_RETRY_DELAYS="1,1")
        )

        registration = make_registration(category)  # commits: the hand-off goes to Redis

        wait_until(
            lambda: WebhookDelivery.objects.filter(status="delivered").exists(),
            timeout=60,
            message=lambda: f"not delivered: {list(WebhookDelivery.objects.values())}",
        )
    finally:
        receiver.close()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code) == (2, 200)
    assert len(receiver.received) == 2
    first, second = receiver.received
    assert first["body"] == second["body"]
    assert json.loads(second["body"])["data"]["registration"]["reference"] == (
        registration.reference
    )
    assert receiver_accepts(secret, second["headers"], second["body"])
