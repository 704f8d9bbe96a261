"""Retention: passport data and letter PDFs wiped N days after the event ends (on its clock);
the request keeps its status, numbers and dates."""

import datetime
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from events.models import Event
from visas import tasks
from visas.models import VisaLetter, VisaRequest, VisaRequestHistory
from visas.retention import wipe_expired_passport_data

from .petition_helpers import in_review, issued, make_secretariat, visa_event

pytestmark = pytest.mark.django_db

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
ENCRYPTED_COLUMNS = (
    "surname", "given_names", "date_of_birth", "place_of_birth", "passport_number",
    "passport_issued_on", "passport_expires_on", "passport_authority",
)  # fmt: skip


def raw_row(request_id: int) -> dict:
    columns = ", ".join((*ENCRYPTED_COLUMNS, "sex", "nationality"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM visas_visarequest WHERE id = %s", [request_id])  # noqa: S608
        values = cursor.fetchone()
    return dict(zip((*ENCRYPTED_COLUMNS, "sex", "nationality"), values, strict=True))


def local_midnight(day: datetime.date, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


@pytest.fixture
def ended(settings, tmp_path):
    """An Astana event with an issued letter (its PDF on disk) and a request in review."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.VISA_PASSPORT_RETENTION_DAYS = 30
    event, category = visa_event(time_zone="Asia/Almaty")
    secretariat = make_secretariat()
    request, letter = issued(category, by=secretariat, surname="MILLER",
                             petition_number="KZ-1")  # fmt: skip
    letter.file.save("letter.pdf", ContentFile(b"%PDF-1.7 MILLER 123456789"))
    other = in_review(category, by=secretariat, surname="ZHANG")
    return {"event": event, "request": request, "letter": letter, "other": other}


def test_passport_data_and_letter_files_are_wiped_after_the_retention(ended):
    event, request, letter = ended["event"], ended["request"], ended["letter"]
    path = letter.file.path
    assert raw_row(request.pk)["passport_number"].startswith("gAAAA")  # a Fernet token
    due = local_midnight(event.end_date + datetime.timedelta(days=31), ALMATY)

    assert wipe_expired_passport_data(now=due) == 2

    # A raw SELECT shows the encrypted columns empty: no token left to decrypt with any key.
    assert raw_row(request.pk) == {
        **{column: None if "_on" in column or column == "date_of_birth" else ""
           for column in ENCRYPTED_COLUMNS},
        "sex": "",
        "nationality": "",
    }  # fmt: skip
    request.refresh_from_db()
    assert request.passport_data_wiped_at == due
    # What the request keeps: status, petition number, dates, the letter's row and number.
    assert request.status == VisaRequest.Status.LETTER_ISSUED
    assert request.petition_number == "KZ-1"
    assert request.entry_date == event.start_date - datetime.timedelta(days=1)
    assert request.filing_deadline is not None
    letter.refresh_from_db()
    assert letter.number.endswith("-1")
    assert letter.status != VisaLetter.Status.VOID
    assert letter.verification_token
    # The PDF is gone from the disk and from the row.
    assert not letter.file
    assert not __import__("os").path.exists(path)
    entry = request.history.get(action=VisaRequestHistory.Action.PASSPORT_DATA_WIPED)
    assert entry.actor is None
    assert entry.from_status == entry.to_status == VisaRequest.Status.LETTER_ISSUED
    assert entry.details == {"retention_days": 30, "letter_files_deleted": 1}
    assert "123456789" not in str(entry.details)


def test_passport_data_is_not_wiped_a_moment_early(ended):
    event, request = ended["event"], ended["request"]
    due = local_midnight(event.end_date + datetime.timedelta(days=31), ALMATY)

    assert wipe_expired_passport_data(now=due - datetime.timedelta(days=1)) == 0
    assert wipe_expired_passport_data(now=due - datetime.timedelta(seconds=1)) == 0

    request.refresh_from_db()
    assert request.passport_data_wiped_at is None
    assert request.passport_number == "123456789"
    assert ended["letter"].file.storage.exists(ended["letter"].file.name)


def test_retention_follows_each_events_own_clock(ended, settings):
    """The same last day: Astana's data goes at its midnight, New York's ten hours later."""
    event = ended["event"]
    _ny_event, ny_category = visa_event(
        time_zone="America/New_York", start_date=event.start_date, end_date=event.end_date
    )
    ny_request = in_review(ny_category, by=make_secretariat(), surname="SMITH")
    astana_due = local_midnight(event.end_date + datetime.timedelta(days=31), ALMATY)
    ny_due = local_midnight(event.end_date + datetime.timedelta(days=31), NEW_YORK)

    wipe_expired_passport_data(now=astana_due)
    ny_request.refresh_from_db()
    assert ny_request.passport_data_wiped_at is None
    assert ended["other"].__class__.objects.get(pk=ended["other"].pk).passport_data_wiped

    wipe_expired_passport_data(now=ny_due)
    ny_request.refresh_from_db()
    assert ny_request.passport_data_wiped


def test_retention_days_come_from_the_setting(ended, settings):
    settings.VISA_PASSPORT_RETENTION_DAYS = 5
    event = ended["event"]

    wiped = wipe_expired_passport_data(
        now=local_midnight(event.end_date + datetime.timedelta(days=6), ALMATY)
    )

    assert wiped == 2


def test_wipe_is_idempotent(ended):
    event = ended["event"]
    due = local_midnight(event.end_date + datetime.timedelta(days=31), ALMATY)
    wipe_expired_passport_data(now=due)
    history = VisaRequestHistory.objects.count()

    assert wipe_expired_passport_data(now=due + datetime.timedelta(days=1)) == 0
    assert VisaRequestHistory.objects.count() == history
    ended["request"].refresh_from_db()
    assert ended["request"].passport_data_wiped_at == due


def test_wipe_task_wipes_events_long_over(ended):
    event = ended["event"]
    Event.objects.filter(pk=event.pk).update(
        start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2020, 1, 2)
    )

    result = tasks.wipe_expired_passport_data.apply()

    assert result.get() == 2
    assert VisaRequest.objects.filter(passport_data_wiped_at__isnull=False).count() == 2


def test_wipe_task_is_scheduled_daily(settings):
    from celery import current_app

    entry = settings.CELERY_BEAT_SCHEDULE["visas-wipe-expired-passport-data"]

    assert entry["task"] == "visas.tasks.wipe_expired_passport_data"
    assert entry["task"] in current_app.tasks
    assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1
