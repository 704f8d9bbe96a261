"""Celery tasks for billing: thin wrappers around billing's services, given ids, never objects."""

from celery import shared_task

from . import services
from .documents import rendering


@shared_task(name="billing.tasks.send_payment_reminders")
def send_payment_reminders() -> int:
    """Queue reminders for invoices falling due soon (see services.send_payment_reminders)."""
    return services.send_payment_reminders()


@shared_task(name="billing.tasks.flag_overdue_invoices")
def flag_overdue_invoices() -> int:
    """Flag invoices unpaid after their due date, cancelling where the event chose so (see
    services.flag_overdue_invoices)."""
    return services.flag_overdue_invoices()


@shared_task(name="billing.tasks.lapse_unpaid_early_birds")
def lapse_unpaid_early_birds() -> int:
    """Re-price at the full price early birds not paid by their deadline, where the event
    decides the early bird by payment date (see services.lapse_unpaid_early_birds)."""
    return services.lapse_unpaid_early_birds()


# Documents (billing/documents/): each issued document's PDF, and beat's sweep of the jobs.


@shared_task(name=rendering.RENDER_TASK)
def render_invoice_pdf(invoice_id: int) -> str:
    """Make and store issued document `invoice_id`'s PDF unless it has one, and e-mail it
    when its job asks (billing.documents.rendering.render_document_pdf)."""
    return rendering.render_document_pdf(invoice_id).value


@shared_task(name="billing.tasks.sweep_document_renders")
def sweep_document_renders() -> dict:
    """Beat's job: queue again PDF jobs whose worker died; hand due jobs to the workers."""
    return rendering.sweep_document_renders()
