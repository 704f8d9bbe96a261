"""Recording exports and building large XLSX files in the background.

Every export, whatever its format, leaves an `ExportLog` row: who, when, which event, the
filters, the columns and, once written, the number of rows.

Imports flow one way: `exports.tasks` imports this module, never the reverse. The build task
is queued by its registered name (`BUILD_XLSX_TASK`) through Celery's task registry; the
exports app imports its tasks module when Django starts (`ExportsConfig.ready`), so the
name is registered in every process — web and worker — and the registry's task honours
CELERY_TASK_ALWAYS_EAGER (the embedded set-up), which `send_task` would not.
"""

import logging
import tempfile
from datetime import timedelta

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from events.models import Event

from . import selectors, writers
from .columns import ExportContext, columns_named
from .forms import RegistrationFilterForm
from .models import ExportLog

logger = logging.getLogger(__name__)

# The Celery name of the task that runs `build_xlsx_export` (exports/tasks.py registers it).
BUILD_XLSX_TASK = "exports.tasks.build_xlsx_export"


def record_export(
    event: Event,
    *,
    user: User,
    format: str,
    variant: str,
    filters: dict,
    columns: list[str],
    language: str,
    status: str = ExportLog.Status.RUNNING,
    rows_total: int | None = None,
) -> ExportLog:
    """Write the export's log row (before any data leaves: an interrupted download is still
    on record). No other side effect."""
    return ExportLog.objects.create(
        event=event,
        user=user,
        format=format,
        variant=variant,
        filters=filters,
        columns=columns,
        language=language,
        status=status,
        rows_total=rows_total,
    )


def finish_export(export_id: int, *, row_count: int) -> None:
    """Mark the export done with its number of rows. An UPDATE by id: it runs at the end of a
    streamed response, outside any transaction of the request."""
    ExportLog.objects.filter(pk=export_id).update(
        status=ExportLog.Status.DONE,
        row_count=row_count,
        rows_done=row_count,
        finished_at=timezone.now(),
    )


def fail_export(export_id: int, *, error: str, failure: str = ExportLog.Failure.ERROR) -> None:
    """Mark the export failed: `failure` is the reason its organiser reads (translated when
    the page is shown), `error` the technical detail kept for the secretariat."""
    ExportLog.objects.filter(pk=export_id).update(
        status=ExportLog.Status.FAILED,
        error=error[:2000],
        failure=failure,
        finished_at=timezone.now(),
    )


def queue_xlsx_export(
    event: Event,
    *,
    user: User,
    variant: str,
    filters: dict,
    columns: list[str],
    language: str,
    rows_total: int,
) -> ExportLog:
    """Record a queued XLSX export and, after commit, hand its id to the Celery task that
    builds it (`exports.tasks.build_xlsx_export`)."""
    export = record_export(
        event,
        user=user,
        format=ExportLog.Format.XLSX,
        variant=variant,
        filters=filters,
        columns=columns,
        language=language,
        status=ExportLog.Status.QUEUED,
        rows_total=rows_total,
    )
    transaction.on_commit(lambda: _hand_off(export.pk), robust=True)
    return export


def _hand_off(export_id: int) -> None:
    """Publish the build task for this export. Raises if the broker is unreachable (run
    from `on_commit(robust=True)`, so Django logs it); the export then stays "queued"."""
    current_app.tasks[BUILD_XLSX_TASK].delay(export_id)


def export_queryset(export: ExportLog):
    """The export's registrations and columns, from its stored filters (validated again: they
    were valid when the organiser asked, and the form is the one place that knows them)."""
    event = export.event
    with timezone.override(event.tz):
        form = RegistrationFilterForm(export.filters)
        if not form.is_valid():
            raise ValueError(f"stored filters no longer valid: {form.errors.as_json()}")
    sharing = export.variant == ExportLog.Variant.SHARING
    queryset = selectors.export_registrations(
        event, form.cleaned_data, sharing=sharing, language=export.language
    )
    return queryset, columns_named(export.columns)


def build_xlsx_export(export_id: int) -> ExportLog.Status:
    """Build a queued XLSX export: measure the columns' widths (one aggregate query), write the
    workbook to a temporary file row by row (openpyxl write-only mode; progress saved every
    2,000 rows), store it under MEDIA_ROOT/exports/, mark the export done. Runs in a Celery
    worker. A failure is recorded on the row, which the organiser's page shows.

    Safe to deliver twice: the run first claims the row with one conditional UPDATE from
    "queued" to "running", so a redelivered task — while the first run is still writing, or
    after it finished or failed — changes nothing and returns the row's status."""
    claimed = ExportLog.objects.filter(pk=export_id, status=ExportLog.Status.QUEUED).update(
        status=ExportLog.Status.RUNNING,
        rows_done=0,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    export = ExportLog.objects.select_related("event").get(pk=export_id)
    if not claimed:
        return ExportLog.Status(export.status)
    try:
        with translation.override(export.language):
            queryset, columns = export_queryset(export)
            context = ExportContext.for_event(export.event)
            _total, measured = writers.measure(queryset, columns, context)
            rows = writers.registration_rows(queryset, columns, context)
            with tempfile.TemporaryFile(suffix=".xlsx") as target:
                count = writers.write_xlsx(
                    rows,
                    columns,
                    context,
                    target,
                    sheet_title=_("Attendees"),
                    widths=writers.column_widths(columns, context, measured),
                    progress=lambda done: ExportLog.objects.filter(pk=export_id).update(
                        rows_done=done
                    ),
                )
                target.seek(0)
                export.file.save(download_filename(export), File(target), save=False)
        ExportLog.objects.filter(pk=export_id).update(file=export.file.name)
        finish_export(export_id, row_count=count)
        return ExportLog.Status.DONE
    except SoftTimeLimitExceeded:
        fail_export(
            export_id,
            error="The export took longer than the time limit.",
            failure=ExportLog.Failure.TIME_LIMIT,
        )
        return ExportLog.Status.FAILED
    except Exception as error:
        logger.exception("XLSX export %s failed", export_id)
        fail_export(export_id, error=f"{type(error).__name__}: {error}")
        return ExportLog.Status.FAILED


def release_stuck_exports(*, now=None) -> dict[str, int]:
    """Queue again background exports whose worker died; fail those that ran too often.

    A run claims its export by setting it "running" (`build_xlsx_export`); if the worker is
    killed (out of memory, a deploy, the hard time limit), Celery redelivers the message, but
    the redelivered task sees "running" and does nothing, so the export would stay "running"
    for ever. An export counts as stuck once its last run started more than
    `EXPORTS_STUCK_AFTER` seconds ago: longer than the task's hard time limit, so a merely
    slow run has been stopped by Celery first and cannot finish after being taken from it.

    Side effects, in order, in one transaction: stuck exports that already ran
    `EXPORTS_MAX_ATTEMPTS` times are marked failed (the organiser's status page says why);
    the others go back to "queued" with their progress reset; after commit each of those is
    handed to the build task again. A warning is logged. Returns the counts.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.EXPORTS_STUCK_AFTER)
    running = ExportLog.objects.filter(status=ExportLog.Status.RUNNING)
    stuck = running.filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff)
    )
    with transaction.atomic():
        failed = stuck.filter(attempts__gte=settings.EXPORTS_MAX_ATTEMPTS).update(
            status=ExportLog.Status.FAILED,
            failure=ExportLog.Failure.WORKER_STOPPED,
            error=f"The worker stopped during each of {settings.EXPORTS_MAX_ATTEMPTS} runs.",
            finished_at=now,
        )
        requeued_ids = list(stuck.select_for_update(skip_locked=True).values_list("pk", flat=True))
        ExportLog.objects.filter(pk__in=requeued_ids, status=ExportLog.Status.RUNNING).update(
            status=ExportLog.Status.QUEUED, rows_done=0
        )
        for export_id in requeued_ids:
            transaction.on_commit(lambda export_id=export_id: _hand_off(export_id), robust=True)
    if failed or requeued_ids:
        logger.warning(
            "Released %d exports stuck in running (%d queued again, %d failed)",
            failed + len(requeued_ids),
            len(requeued_ids),
            failed,
        )
    return {"requeued": len(requeued_ids), "failed": failed}


def download_filename(export: ExportLog) -> str:
    kind = "sharing" if export.variant == ExportLog.Variant.SHARING else "attendees"
    extension = "xlsx" if export.format == ExportLog.Format.XLSX else "csv"
    moment = timezone.localtime(export.created_at, export.event.tz)
    return f"{export.event.slug}-{kind}-{moment:%Y%m%d-%H%M}.{extension}"


def purge_expired_export_files(now=None) -> int:
    """Delete the files of background exports finished more than
    `EXPORTS_FILE_RETENTION_HOURS` ago; return how many were deleted.

    An attendee list is personal data: it stays on the server only as long as its organiser
    needs to download it. The `ExportLog` row stays (who exported what, when, how many rows);
    only its file goes, and the status page then says the file has expired.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.EXPORTS_FILE_RETENTION_HOURS)
    expired = ExportLog.objects.filter(finished_at__lt=cutoff).exclude(file="")
    purged = 0
    for export in expired.only("pk", "file").iterator():
        export.file.delete(save=False)  # a file already gone is fine: storage ignores it
        ExportLog.objects.filter(pk=export.pk).update(file="")
        purged += 1
    return purged
