from celery import shared_task

from . import retention


@shared_task(name="privacy.tasks.apply_retention_schedule")
def apply_retention_schedule() -> dict[str, int]:
    return retention.apply_retention_schedule()
