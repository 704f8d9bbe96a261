"""An organiser, in a real browser, opens their event's dashboard, exports the attendee list as
XLSX and downloads it; the file opens in openpyxl with the formula inert and the phone intact.
A large export goes through the progress page to its download link."""

import datetime
import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from events.models import Event
from registrations.models import Registration
from tests.e2e.conftest import assert_accessible
from tests.exports.conftest import FORMULAS, make_staff
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organiser_page(live_server, page: Page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    forum = make_forum(name_en="MINEX Central Asia")
    event = make_event(forum, title_en="MINEX Central Asia 2026")
    category = make_category(event, name_en="Delegate")
    for organisation, last_name in [(FORMULAS[0], "Нұрланқызы"), ("Steppe Minerals", "Brown")]:
        make_registration(
            category,
            delegate=make_delegate(last_name=last_name, organisation=organisation),
        )
    # Last year's edition: the dashboard's pace chart compares with it.
    previous = make_event(forum, title_en="MINEX Central Asia 2025")
    make_registration(make_category(previous, name_en="Delegate"))
    Event.objects.filter(pk=previous.pk).update(
        start_date=event.start_date - datetime.timedelta(days=364),
        end_date=event.end_date - datetime.timedelta(days=364),
        registration_opens_at=event.registration_opens_at - datetime.timedelta(days=364),
        registration_closes_at=event.registration_closes_at - datetime.timedelta(days=364),
        status=Event.Status.ARCHIVED,
    )
    Registration.objects.filter(event=previous).update(
        created_at=timezone.now() - datetime.timedelta(days=364)
    )
    other_event = make_event(make_forum(name_en="MINEX Europe"), title_en="MINEX Europe 2026")
    # Holding special personal data (as the secretariat does): the phone column is offered.
    organiser = make_staff(forums=[forum], special=True)
    # Log in by session cookie: the login form is allauth's, rate-limited, tested elsewhere.
    client = Client()
    client.force_login(organiser)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page, event, other_event


def test_organiser_downloads_the_attendee_list_as_xlsx(live_server, organiser_page, axe):
    page, event, other_event = organiser_page

    page.goto(f"{live_server.url}/en/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Events: numbers and attendee lists")
    expect(page.get_by_text("MINEX Europe 2026")).to_have_count(0)
    # The hidden part of the link names the event (several "Dashboard" links on the page).
    page.get_by_role("link", name=re.compile(rf"^Dashboard\W+{event.title}$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    expect(page.locator('[data-number="total"]')).to_have_text("2")
    expect(
        page.get_by_role("img", name=re.compile("^Registrations holding a place by days"))
    ).to_be_visible()
    for summary in page.get_by_text("The numbers as a table").all():
        summary.click()  # the charts' tables, open: axe checks them too
    expect(page.locator("#pace-table")).to_contain_text("MINEX Central Asia 2025")
    assert_accessible(axe, page)

    page.get_by_role("link", name="Export attendees").first.click()
    page.get_by_label("Excel workbook (XLSX)").check()
    page.get_by_label("Phone").check()
    assert_accessible(axe, page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export").click()
    download = download_info.value

    assert download.suggested_filename.startswith(f"{event.slug}-attendees-")
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.path().read_bytes())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    by_name = {
        row[header.index("Last name")]: dict(zip(header, row, strict=True)) for row in rows[1:]
    }
    assert set(by_name) == {"Нұрланқызы", "Brown"}
    assert by_name["Нұрланқызы"]["Organisation"] == FORMULAS[0]
    assert by_name["Brown"]["Phone"] == "+77012345678"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    response = page.goto(f"{live_server.url}/en/staff/events/{other_event.slug}/dashboard/")
    assert response.status == 404


def test_organiser_waits_for_a_large_export_and_downloads_it(live_server, organiser_page, settings):
    settings.EXPORTS_XLSX_SYNC_MAX_ROWS = 1
    page, event, _other_event = organiser_page

    page.goto(f"{live_server.url}/en/staff/events/{event.slug}/export/")
    page.get_by_label("Excel workbook (XLSX)").check()
    page.get_by_role("button", name="Export").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your export")
    link = page.get_by_role("link", name="Download the file")
    expect(link).to_be_visible(timeout=15_000)
    with page.expect_download() as download_info:
        link.click()
    # The downloaded file has no extension, which openpyxl insists on: read the bytes.
    sheet = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active
    assert sheet.max_row == 3
