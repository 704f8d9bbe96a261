"""Celery tasks for badges: thin wrappers around badges.services, given ids, never objects."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    name=services.BUILD_BATCH_TASK,
    soft_time_limit=settings.BADGES_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.BADGES_TASK_TIME_LIMIT,
)
def build_badge_batch(batch_id: int) -> str:
    """Draw one queued batch of badges (see services.build_badge_batch)."""
    return str(services.build_badge_batch(batch_id))


@shared_task(name="badges.tasks.release_stuck_batches")
def release_stuck_batches() -> dict[str, int]:
    """Queue again, or fail, batches whose worker died (beat; services.release_stuck_batches)."""
    return services.release_stuck_batches()


@shared_task(name="badges.tasks.purge_expired_batch_files")
def purge_expired_batch_files() -> int:
    """Delete expired badge PDFs (beat; see services.purge_expired_batch_files)."""
    return services.purge_expired_batch_files()
