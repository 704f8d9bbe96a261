"""Celery tasks for webhooks: thin wrappers around api.webhooks, given ids, never objects."""

from celery import shared_task

from . import webhooks


@shared_task(name=webhooks.DELIVER_TASK)
def deliver_webhook(delivery_id: str) -> str:
    """Send this delivery if it is still queued and due (webhooks.deliver)."""
    return webhooks.deliver(delivery_id)


@shared_task(name="api.tasks.dispatch_due_webhooks")
def dispatch_due_webhooks() -> dict:
    """Beat's periodic job: free deliveries left "sending" by a dead worker, send due ones."""
    return webhooks.dispatch_due()
