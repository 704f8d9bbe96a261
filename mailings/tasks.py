"""Celery tasks for mailings, on the "mailings" queue (CELERY_TASK_ROUTES): ids in, counts out."""

from celery import shared_task

from . import services


@shared_task(name=services.QUEUE_MAILING_TASK)
def queue_mailing(mailing_id: int) -> int:
    """Write a mailing's recipients and e-mails (services.queue_mailing_recipients)."""
    return services.queue_mailing_recipients(mailing_id)


@shared_task(name="mailings.tasks.sweep_mailings")
def sweep_mailings() -> dict:
    """Beat: publish again mailings stuck "queueing", mark finished ones "sent", and queue the
    reminders whose day has come."""
    return {
        "resumed": services.resume_stuck_mailings(),
        "finished": services.finish_mailings(),
        "reminders": services.send_due_reminders(),
    }
