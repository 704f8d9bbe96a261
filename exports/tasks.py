"""Celery tasks for exports: thin wrappers around exports.services, given ids, never objects."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    name=services.BUILD_XLSX_TASK,
    soft_time_limit=settings.EXPORTS_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORTS_TASK_TIME_LIMIT,
)
def build_xlsx_export(export_id: int) -> str:
    """Build one queued XLSX export (see services.build_xlsx_export)."""
    return str(services.build_xlsx_export(export_id))


@shared_task(name="exports.tasks.purge_expired_export_files")
def purge_expired_export_files() -> int:
    """Delete expired export files (run by beat; see services.purge_expired_export_files)."""
    return services.purge_expired_export_files()


@shared_task(name="exports.tasks.release_stuck_exports")
def release_stuck_exports() -> dict[str, int]:
    """Queue again, or fail, exports whose worker died (run by beat; see
    services.release_stuck_exports)."""
    return services.release_stuck_exports()
