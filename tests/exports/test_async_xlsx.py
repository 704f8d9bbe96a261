"""Large XLSX exports: queued, built by the Celery task with progress, downloaded when ready."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from exports.models import ExportLog
from exports.tasks import build_xlsx_export

from .conftest import FORMULAS, as_dicts, body_of, make_staff, read_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client, attendees):
    # With special personal data (the phone column): see test_access.py for those without.
    user = make_staff(forums=[attendees.forum], special=True)
    client.force_login(user)
    return user


def post_xlsx(client, event, **extra):
    data = {"format": "xlsx", "variant": "full", "columns": ["reference", "organisation", "phone"]}
    return client.post(
        f"/en/staff/events/{event.slug}/export/?country__exact=KZ", {**data, **extra}
    )


@override_settings(EXPORTS_XLSX_SYNC_MAX_ROWS=1)
def test_large_xlsx_is_queued_built_by_the_task_and_downloaded(
    client, organiser, attendees, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_xlsx(client, attendees.event)

    export = ExportLog.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/staff/exports/{export.pk}/"
    assert len(callbacks) == 1  # the task was handed over after commit, not before
    assert (export.status, export.rows_total, export.row_count) == ("done", 2, 2)
    assert export.filters == {"country__exact": "KZ"}
    assert Path(export.file.path).is_relative_to(Path(settings.MEDIA_ROOT) / "exports")

    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "2 rows exported." in page
    assert f"/en/staff/exports/{export.pk}/download/" in page

    download = client.get(f"/en/staff/exports/{export.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith(
        f'attachment; filename="{attendees.event.slug}-attendees-'
    )
    rows = as_dicts(read_xlsx(body_of(download)))
    assert {row["Reference"] for row in rows} == {
        attendees.kazakh.reference,
        attendees.hidden.reference,
    }
    kazakh = next(row for row in rows if row["Reference"] == attendees.kazakh.reference)
    assert kazakh["Organisation"] == FORMULAS[0]
    assert kazakh["Phone"] == "+77012345678"


@override_settings(EXPORTS_XLSX_SYNC_MAX_ROWS=1)
def test_status_page_refreshes_itself_and_shows_progress_while_queued(
    client, organiser, attendees, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = post_xlsx(client, attendees.event)

    page = client.get(response["Location"]).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Preparing the file: 0 of 2 rows written." in page
    assert 'data-status="queued"' in page
    assert client.get(f"{response['Location']}download/").status_code == 404


def test_task_builds_the_file_in_the_headers_language(attendees):
    export = ExportLog.objects.create(
        event=attendees.event, user=make_staff(forums=[attendees.forum]), format="xlsx",
        variant="sharing", columns=["first_name", "last_name", "job_title", "organisation",
        "country"], language="ru", status="queued", rows_total=2,
    )  # fmt: skip

    result = build_xlsx_export.apply(kwargs={"export_id": export.pk})

    assert result.get() == "done"
    export.refresh_from_db()
    assert (export.status, export.row_count, export.rows_done) == ("done", 2, 2)
    assert export.finished_at is not None
    with export.file.open("rb") as file:
        rows = read_xlsx(file.read())
    assert len(rows) == 3
    assert "Казахстан" in rows[1] + rows[2]
    assert {rows[1][1], rows[2][1]} == {"Нұрланқызы", "Петров"}


def test_a_redelivered_task_leaves_a_finished_export_alone(attendees):
    export = ExportLog.objects.create(
        event=attendees.event, user=None, format="xlsx", variant="full",
        columns=["reference"], language="en", status="queued",
    )  # fmt: skip
    build_xlsx_export.apply(kwargs={"export_id": export.pk})
    export.refresh_from_db()
    first_file = export.file.name

    assert build_xlsx_export.apply(kwargs={"export_id": export.pk}).get() == "done"

    export.refresh_from_db()
    assert export.file.name == first_file


def test_a_task_delivered_again_while_the_first_run_is_writing_does_nothing(attendees):
    # As the first run leaves the row mid-way.
    export = ExportLog.objects.create(
        event=attendees.event, user=None, format="xlsx", variant="full",
        columns=["reference"], language="en", status="running", rows_total=4, rows_done=2000,
    )  # fmt: skip

    assert build_xlsx_export.apply(kwargs={"export_id": export.pk}).get() == "running"

    export.refresh_from_db()
    assert (export.status, export.rows_done, export.file.name) == ("running", 2000, "")
    assert list(Path(settings.MEDIA_ROOT).rglob("*.xlsx")) == []


def test_a_failed_export_is_recorded_and_shown(client, organiser, attendees):
    export = ExportLog.objects.create(
        event=attendees.event, user=organiser, format="xlsx", variant="full",
        columns=["reference"], language="en", status="queued",
        filters={"status__exact": "no-such-status"},
    )  # fmt: skip

    assert build_xlsx_export.apply(kwargs={"export_id": export.pk}).get() == "failed"

    export.refresh_from_db()
    assert export.status == "failed"
    assert "no longer valid" in export.error
    page = client.get(f"/en/staff/exports/{export.pk}/").content.decode()
    assert "The export failed." in page
    assert "http-equiv" not in page


@override_settings(EXPORTS_XLSX_SYNC_MAX_ROWS=1, EXPORTS_FILE_RETENTION_HOURS=72)
def test_expired_export_files_are_deleted_and_the_log_kept(
    client, organiser, attendees, django_capture_on_commit_callbacks
):
    import datetime

    from exports.tasks import purge_expired_export_files

    with django_capture_on_commit_callbacks(execute=True):
        post_xlsx(client, attendees.event)
    export = ExportLog.objects.get()
    path = Path(export.file.path)
    assert path.exists()

    purge_expired_export_files.apply()  # not yet expired
    assert path.exists()

    ExportLog.objects.filter(pk=export.pk).update(
        finished_at=export.finished_at - datetime.timedelta(hours=73)
    )
    assert purge_expired_export_files.apply().get() == 1

    assert not path.exists()
    export.refresh_from_db()
    assert (export.status, export.row_count, export.file.name) == ("done", 2, "")
    assert client.get(f"/en/staff/exports/{export.pk}/download/").status_code == 404
    page = client.get(f"/en/staff/exports/{export.pk}/").content.decode()
    assert "The file has expired" in page


@override_settings(EXPORTS_XLSX_SYNC_MAX_ROWS=1)
def test_download_of_a_file_missing_from_storage_is_a_404_saying_it_expired(
    client, organiser, attendees, django_capture_on_commit_callbacks
):
    # The worker wrote the file where this web process cannot see it (no shared volume), or
    # someone deleted it by hand: the row still names it.
    with django_capture_on_commit_callbacks(execute=True):
        post_xlsx(client, attendees.event)
    export = ExportLog.objects.get()
    Path(export.file.path).unlink()

    download = client.get(f"/en/staff/exports/{export.pk}/download/")

    assert download.status_code == 404
    page = download.content.decode()
    assert "The file has expired" in page
    assert f"/en/staff/events/{attendees.event.slug}/export/" in page
