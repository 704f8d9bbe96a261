"""A worker that dies mid-XLSX: beat's sweep queues the export again, or fails it after too
many runs, and the organiser's status page says so. A run still within its time is left alone."""

import datetime

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from exports.models import ExportLog
from exports.tasks import build_xlsx_export, release_stuck_exports

from .conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client, attendees):
    user = make_staff(forums=[attendees.forum])
    client.force_login(user)
    return user


@pytest.fixture
def queued_export(client, organiser, attendees, django_capture_on_commit_callbacks):
    """A large XLSX export the organiser asked for, its task not run yet."""
    with (
        override_settings(EXPORTS_XLSX_SYNC_MAX_ROWS=1),
        django_capture_on_commit_callbacks(execute=False),
    ):
        response = client.post(
            f"/en/staff/events/{attendees.event.slug}/export/?country__exact=KZ",
            {"format": "xlsx", "variant": "full", "columns": ["reference", "organisation"]},
        )
    assert response.status_code == 302
    return ExportLog.objects.get()


def _as_if_a_worker_died_running_it(export, *, seconds_ago: int, attempts: int = 1) -> None:
    """What a run leaves behind when its worker is killed after claiming the export."""
    ExportLog.objects.filter(pk=export.pk).update(
        status=ExportLog.Status.RUNNING,
        started_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
        attempts=attempts,
        rows_done=1,
    )


def _status_page(client, export) -> str:
    response = client.get(f"/en/staff/exports/{export.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_export_whose_worker_died_is_queued_again_and_built(
    client, queued_export, django_capture_on_commit_callbacks
):
    _as_if_a_worker_died_running_it(queued_export, seconds_ago=settings.EXPORTS_STUCK_AFTER + 1)
    # The broker's redelivery alone changes nothing: the row says "running".
    assert build_xlsx_export.apply(kwargs={"export_id": queued_export.pk}).get() == "running"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = release_stuck_exports.apply().get()

    assert result == {"requeued": 1, "failed": 0}
    assert len(callbacks) == 1  # the build task handed over after the sweep committed
    queued_export.refresh_from_db()
    assert (queued_export.status, queued_export.row_count) == ("done", 2)
    assert queued_export.attempts == 2
    page = _status_page(client, queued_export)
    assert "2 rows exported." in page
    assert f"/en/staff/exports/{queued_export.pk}/download/" in page


def test_an_export_whose_worker_died_too_often_fails_and_the_organiser_is_told(
    client, queued_export, django_capture_on_commit_callbacks
):
    _as_if_a_worker_died_running_it(
        queued_export,
        seconds_ago=settings.EXPORTS_STUCK_AFTER + 1,
        attempts=settings.EXPORTS_MAX_ATTEMPTS,
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = release_stuck_exports.apply().get()

    assert result == {"requeued": 0, "failed": 1}
    assert callbacks == []
    queued_export.refresh_from_db()
    assert queued_export.status == "failed"
    assert queued_export.failure == ExportLog.Failure.WORKER_STOPPED
    page = _status_page(client, queued_export)
    assert 'data-status="failed"' in page
    assert "The server preparing the file stopped several times" in page
    assert "http-equiv" not in page  # no longer refreshing itself


def test_a_run_still_within_its_time_is_left_alone(
    client, queued_export, django_capture_on_commit_callbacks
):
    _as_if_a_worker_died_running_it(queued_export, seconds_ago=settings.EXPORTS_STUCK_AFTER - 5)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = release_stuck_exports.apply().get()

    assert result == {"requeued": 0, "failed": 0}
    assert callbacks == []
    queued_export.refresh_from_db()
    assert (queued_export.status, queued_export.rows_done) == ("running", 1)
    assert 'data-status="running"' in _status_page(client, queued_export)


def test_the_sweep_runs_on_beat_and_waits_longer_than_the_task_may_run():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "exports.tasks.release_stuck_exports" in scheduled
    assert build_xlsx_export.time_limit == settings.EXPORTS_TASK_TIME_LIMIT
    assert build_xlsx_export.time_limit < settings.EXPORTS_STUCK_AFTER


def test_the_services_never_import_the_tasks_module():
    # Imports flow one way: tasks → services. The services queue the build task by name.
    import ast
    import inspect

    from exports import services

    tree = ast.parse(inspect.getsource(services))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(("." * node.level) + (node.module or ""))
            imported.update(f"{'.' * node.level}{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not imported & {".tasks", "exports.tasks", "tasks"}, imported
