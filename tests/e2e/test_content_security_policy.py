"""Under the Content-Security-Policy, in a real browser, the delegate pages, the admin and the
organisers' pages load and work without one blocked script, style or frame, and without a
console error."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from registrations.models import Registration
from registrations.roles import SECRETARIAT
from tests.e2e.conftest import BrowserProblems, log_in
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration
from tests.registrations.admin.conftest import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_delegate_pages_run_under_the_policy(live_server, page: Page):
    event = make_event(make_forum(name_en="MINEX Asia"), title_en="MINEX Asia 2026")
    category = make_category(event, name_en="Delegate")
    other_event = make_event(make_forum(name_en="MINEX Europe"), title_en="MINEX Europe 2026")
    make_category(other_event, name_en="Delegate")
    delegate = make_delegate("aigerim@example.com", first_name="Aigerim")
    registration = make_registration(category, delegate=delegate)
    browser = BrowserProblems(page)

    browser.visit(f"{live_server.url}/en/")
    browser.visit(f"{live_server.url}/en/events/{event.slug}/")
    browser.visit(f"{live_server.url}/en/accounts/login/")
    browser.visit(f"{live_server.url}/en/accounts/signup/")
    log_in(page, live_server, delegate)
    browser.visit(f"{live_server.url}/en/events/{other_event.slug}/register/")
    # The form's script (static/js/forms.js) runs: an invalid submit focuses the error summary.
    page.get_by_role("textbox", name="Organisation").fill("")
    page.get_by_role("button", name="Complete registration").click()
    page.wait_for_load_state("load")
    expect(page.locator("#form-errors")).to_be_focused()
    browser.forget_expected_status(400)
    browser.check()
    browser.visit(f"{live_server.url}/en/my/registrations/")
    browser.visit(f"{live_server.url}/en/my/registrations/{registration.reference}/")
    browser.visit(f"{live_server.url}/en/my/registrations/{registration.reference}/change/")
    browser.visit(f"{live_server.url}/en/profile/")
    browser.visit(f"{live_server.url}/en/accounts/email/")  # the account's address


def test_admin_pages_run_under_the_policy(live_server, page: Page):
    call_command("setup_roles", stdout=io.StringIO())
    event = make_event(make_forum(name_en="MINEX Europe"), title_en="MINEX Europe 2026")
    speakers = make_category(event, name_en="Speaker", requires_approval=True)
    registration = make_registration(speakers, delegate=make_delegate("speaker@example.com"))
    assert registration.status == Registration.Status.PENDING
    log_in(page, live_server, make_staff("secretariat@minexforum.com", group=SECRETARIAT))
    browser = BrowserProblems(page)
    changelist = f"{live_server.url}/en/admin/registrations/registration/"

    browser.visit(f"{live_server.url}/en/admin/")
    browser.visit(changelist)
    # The action bar's script works: ticking a row counts it.
    page.get_by_role(
        "checkbox", name=f"Select this object for an action - {registration.reference}"
    ).check()
    expect(page.locator(".action-counter")).to_contain_text("1 of 1 selected")
    page.get_by_role("combobox", name="Action").select_option(
        label="Reject selected registrations…"
    )
    page.get_by_role("button", name="Go").click()
    # The action's confirmation page.
    expect(page.get_by_label("Reason")).to_be_visible()
    browser.check()
    # Its "No, take me back" link is Django's static cancel.js.
    page.get_by_role("link", name="No, take me back").click()
    expect(page).to_have_url(changelist)
    browser.check()

    browser.visit(f"{changelist}{registration.pk}/change/")
    browser.visit(f"{changelist}on-behalf/")
    # The event's page: translated fields in jQuery UI tabs (modeltranslation), date widgets.
    browser.visit(f"{live_server.url}/en/admin/events/event/{event.pk}/change/")
    page.get_by_role("tab", name="RU").first.click()
    browser.check()
    browser.visit(f"{live_server.url}/en/admin/registrations/delegatecategory/add/")
    # The organisers' pages: the dashboard with its server-drawn chart, the export form.
    browser.visit(f"{live_server.url}/en/staff/")
    browser.visit(f"{live_server.url}/en/staff/events/{event.slug}/dashboard/")
    browser.visit(f"{live_server.url}/en/staff/events/{event.slug}/export/")
