"""Celery tasks for the outbox: thin wrappers around mail.services, given ids, never objects."""

from celery import shared_task
from celery.signals import worker_process_shutdown

from . import services
from .transport import connection


@shared_task(name=services.DELIVER_EMAILS_TASK)
def deliver_emails(email_ids: list[int]) -> dict[str, str]:
    """Send these outbox rows if they are still queued and due (services.deliver_emails)."""
    outcomes = services.deliver_emails(email_ids)
    return {str(email_id): outcome.value for email_id, outcome in outcomes.items()}


@shared_task(name=services.DELIVER_BULK_EMAILS_TASK)
def deliver_bulk_emails(email_ids: list[int]) -> dict[str, str]:
    """deliver_emails for mailings' rows, on the "mailings" queue (CELERY_TASK_ROUTES)."""
    outcomes = services.deliver_emails(email_ids)
    return {str(email_id): outcome.value for email_id, outcome in outcomes.items()}


@shared_task(name="mail.tasks.dispatch_due_bulk_emails")
def dispatch_due_bulk_emails() -> dict:
    """Beat's pacer for mailings, on the "mailings" queue: hand out the mailing rows whose
    turn has come (each is due at its place in the mailing's rate)."""
    return {"dispatched": services.dispatch_due_emails(bulk=True)}


@shared_task(name=services.RENDER_EMAILS_TASK)
def render_emails(email_ids: list[int]) -> dict[str, str]:
    """Render these rows if they still wait "to render", then deliver the ones rendered."""
    rendered = services.render_pending_emails(email_ids)
    outcomes = services.deliver_emails(rendered) if rendered else {}
    return {str(email_id): outcome.value for email_id, outcome in outcomes.items()}


@shared_task(name="mail.tasks.dispatch_due_emails")
def dispatch_due_emails() -> dict:
    """Beat's periodic job: render rows left "to render" (their writer died after its commit),
    free rows stuck in "sending", then hand due rows to the workers."""
    rendered = services.render_pending_emails()
    released = services.release_stuck_emails()
    dispatched = services.dispatch_due_emails()
    return {"rendered": len(rendered), "released": released, "dispatched": dispatched}


@worker_process_shutdown.connect
def _close_smtp_connection(**kwargs):
    # Say QUIT politely instead of leaving the server to time the connection out.
    connection.close()
