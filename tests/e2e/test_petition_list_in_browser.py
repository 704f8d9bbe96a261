"""The secretariat's migration-service pages in Chromium: from the visa requests' changelist
to the event's page, the list downloaded, the petition numbers uploaded back, the report
confirmed; no Content-Security-Policy violation, no console error, no serious axe finding."""

import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserProblems, assert_accessible, log_in
from visas.models import VisaRequest

from ..visas.petition_helpers import in_review, make_secretariat, visa_event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def checked_and_accessible(page: Page, problems: BrowserProblems, axe) -> None:
    """The page's own problems first, then axe. axe parses the admin's stylesheets itself
    (forms.css @imports widgets.css), which the page's policy blocks and the console reports
    as inline styles and a relative 404: those come from axe, not the page, so they are
    forgotten once it is done."""
    problems.check()
    assert_accessible(axe, page)
    problems.seen.clear()


def test_secretariat_downloads_the_list_and_uploads_the_numbers(
    page: Page, live_server, axe, tmp_path, settings
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("setup_roles", stdout=io.StringIO())
    event, category = visa_event(title_en="MINEX Astana 2026")
    secretariat = make_secretariat()
    zhang = in_review(
        category, by=secretariat, surname="ZHANG", first_name="Wei", last_name="Zhang"
    )
    miller = in_review(category, by=secretariat, surname="MILLER")
    problems = BrowserProblems(page)
    log_in(page, live_server, secretariat)

    problems.visit(f"{live_server.url}/en/admin/visas/visarequest/")
    page.get_by_role("link", name="Migration-service lists").click()
    page.get_by_role("link", name="MINEX Astana 2026").click()
    checked_and_accessible(page, problems, axe)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the list (XLSX)").click()
    downloaded = tmp_path / "list.xlsx"
    download_info.value.save_as(downloaded)
    sheet = load_workbook(downloaded).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[2] for row in rows[1:]] == ["MILLER", "ZHANG"]

    # The secretariat fills in the petition number for one person and uploads the file.
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.active.cell(row=3, column=rows[0].index("Petition number") + 1, value="KZ-555")
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    page.get_by_label("Filled-in list (CSV or XLSX)").set_input_files(str(filled))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".petition-report")).to_contain_text("1 petition number to record")
    expect(page.locator(".petition-report")).to_contain_text("Wei Zhang")
    checked_and_accessible(page, problems, axe)

    page.get_by_role("button", name="Record 1 petition number").click()
    expect(page.locator(".messagelist")).to_contain_text("Recorded 1 petition number.")
    problems.check()
    zhang.refresh_from_db()
    miller.refresh_from_db()
    assert (zhang.status, zhang.petition_number) == (VisaRequest.Status.PETITION_FILED, "KZ-555")
    assert miller.status == VisaRequest.Status.IN_REVIEW

    # A file that is not a spreadsheet: the message, a 400, nothing recorded.
    junk = tmp_path / "photo.csv"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    page.get_by_label("Filled-in list (CSV or XLSX)").set_input_files(str(junk))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".errornote")).to_contain_text("neither a CSV nor an XLSX")
    problems.forget_expected_status(400)
    problems.check()
