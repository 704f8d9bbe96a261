"""Celery tasks for billing: thin wrappers around billing.services, run by beat."""

from celery import shared_task

from . import services


@shared_task(name="billing.tasks.send_payment_reminders")
def send_payment_reminders() -> int:
    """Queue reminders for invoices falling due soon (see services.send_payment_reminders)."""
    return services.send_payment_reminders()


@shared_task(name="billing.tasks.flag_overdue_invoices")
def flag_overdue_invoices() -> int:
    """Flag invoices unpaid after their due date, cancelling where the event chose so (see
    services.flag_overdue_invoices)."""
    return services.flag_overdue_invoices()
