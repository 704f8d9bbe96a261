"""A member of the secretariat on a laptop screen (1366×768): the registration's status
summary is in view without scrolling, and the change page's buttons approve, check in and
show the history, under the Content-Security-Policy."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from registrations.models import Registration
from registrations.roles import SECRETARIAT
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_forum,
    make_profile,
    make_registration,
)
from tests.registrations.admin.conftest import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def assert_in_view_without_scrolling(page: Page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    scrolled = page.evaluate("window.scrollY")
    assert box is not None and scrolled == 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"], box


def test_status_summary_and_buttons_at_1366(live_server, page: Page, tmp_path):
    call_command("setup_roles", stdout=io.StringIO())
    event = make_event(make_forum(name_en="MINEX Central Asia"), title_en="MINEX Central Asia 2026")
    speakers = make_category(event, name_en="Speaker", requires_approval=True)
    registration = make_registration(
        speakers,
        delegate=make_delegate("speaker@example.com", first_name="Dana", last_name="Sadyk"),
    )
    member = make_staff("secretariat@minexforum.com", group=SECRETARIAT)
    make_profile(member, first_name="Aigerim", last_name="Ahmetova")
    client = Client()
    client.force_login(member)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.add_init_script(RECORD_VIOLATIONS)
    page.set_viewport_size(LAPTOP)
    change_page = f"{live_server.url}/en/admin/registrations/registration/{registration.pk}/change/"

    page.goto(change_page)

    summary = page.locator(".registration-summary")
    expect(summary).to_contain_text("Pending approval")
    expect(summary).to_contain_text(registration.reference)
    expect(summary).to_contain_text("MINEX Central Asia 2026")
    expect(summary).to_contain_text("Speaker")
    expect(summary).to_contain_text("Dana Sadyk")
    assert_in_view_without_scrolling(page, ".registration-summary")
    page.screenshot(path=str(tmp_path / "change-page-pending.png"))

    page.get_by_role("button", name="Approve").click()

    expect(page.locator("ul.messagelist")).to_contain_text(
        f"Dana Sadyk's registration {registration.reference} was approved."
    )
    expect(summary).to_contain_text("Confirmed")
    assert_in_view_without_scrolling(page, ".registration-summary")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Dana Sadyk was checked in.")
    expect(page.get_by_role("button", name="Check in")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "change-page-checked-in.png"))
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None

    page.get_by_role("link", name="History").click()

    history = page.locator("#change-history")
    expect(history).to_contain_text("Approved by Aigerim Ahmetova")
    expect(history).to_contain_text("Checked in by Aigerim Ahmetova at ")
    expect(history).to_contain_text("Asia/Almaty, UTC+5")
    page.screenshot(path=str(tmp_path / "history.png"), full_page=True)
    assert page.evaluate("window.__violations") == []
