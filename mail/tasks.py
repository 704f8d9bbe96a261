"""Celery tasks for the outbox: thin wrappers around mail.services, given ids, never objects."""

from celery import shared_task
from celery.signals import worker_process_shutdown

from . import services
from .transport import connection


@shared_task(name="mail.tasks.deliver_email")
def deliver_email(email_id: int) -> str:
    """Send one outbox row if it is still queued and due (see services.deliver_email)."""
    return services.deliver_email(email_id).value


@shared_task(name="mail.tasks.dispatch_due_emails")
def dispatch_due_emails() -> dict:
    """Beat's periodic job: free rows stuck in "sending", then hand due rows to the workers."""
    released = services.release_stuck_emails()
    dispatched = services.dispatch_due_emails()
    return {"released": released, "dispatched": dispatched}


@worker_process_shutdown.connect
def _close_smtp_connection(**kwargs):
    # Say QUIT politely instead of leaving the server to time the connection out.
    connection.close()
