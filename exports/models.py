"""The record of every attendee-list export: who, when, which event, filters, columns, rows.

A large XLSX export is built by a Celery task; its row here carries the progress, the file
(under MEDIA_ROOT/exports/, so any web process can serve it) and the error, if any.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event


def export_file_path(instance: "ExportLog", filename: str) -> str:
    # A random folder: the file name alone (event slug, date) would be guessable.
    return f"exports/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}/{filename}"


class ExportLog(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", _("CSV (comma-separated)")
        CSV_SEMICOLON = "csv_semicolon", _("CSV with semicolons (Excel in Russian)")
        XLSX = "xlsx", _("Excel workbook (XLSX)")

    class Variant(models.TextChoices):
        FULL = "full", _("Attendee list")
        SHARING = "sharing", _("Attendee list for sharing (only those who agreed to be listed)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        """Why a background export failed, in words the organiser reads on its status page
        (the technical detail stays in `error`, for the secretariat)."""

        ERROR = "error", _("Something went wrong while the file was being written.")
        TIME_LIMIT = "time_limit", _("The export took longer than the time allowed.")
        WORKER_STOPPED = (
            "worker_stopped",
            _("The server preparing the file stopped several times before it was finished."),
        )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("exported by"),
    )
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices)
    variant = models.CharField(
        _("list"), max_length=10, choices=Variant.choices, default=Variant.FULL
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list)
    language = models.CharField(_("language of the headers"), max_length=8)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rows_total = models.PositiveIntegerField(_("rows expected"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    row_count = models.PositiveIntegerField(_("rows exported"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=export_file_path, max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    failure = models.CharField(
        _("reason for the failure"), max_length=20, choices=Failure.choices, blank=True
    )
    # Set each time a worker claims the export (queued → running): the sweep
    # (`services.release_stuck_exports`) finds runs whose worker died by it.
    started_at = models.DateTimeField(_("last run started"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("runs started"), default=0)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["event", "created_at"], name="exportlog_event_created_idx")]

    def __str__(self):
        return f"{self.event_id} {self.format} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
