"""Under the Content-Security-Policy, in a real browser, the delegate pages, the admin and the
organisers' pages load and work without one blocked script, style or frame, and without a
console error."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from registrations.models import Registration
from registrations.roles import SECRETARIAT
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration
from tests.registrations.admin.conftest import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any page script (Playwright injects it outside the page's policy) and records
# every violation the page reports.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


class BrowserProblems:
    """Console errors, uncaught exceptions and CSP violations seen on the visited pages."""

    def __init__(self, page: Page):
        self.page = page
        self.seen: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.seen.append(f"exception: {error}"))

    def _on_console(self, message) -> None:
        # The browser asks for /favicon.ico by itself; the portal has none (a 404, no policy).
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            self.seen.append(f"console: {message.text} ({message.location['url']})")

    def forget_expected_status(self, status: int) -> None:
        """The page itself answered `status` on purpose (a form with errors answers 400);
        the browser logs that as an error."""
        expected = f"the server responded with a status of {status}"
        self.seen = [seen for seen in self.seen if not (expected in seen and self.page.url in seen)]

    def check(self) -> None:
        """Collect the current page's violations; no problem may have been seen so far."""
        violations = self.page.evaluate("window.__violations || []")
        self.seen.extend(f"{self.page.url}: {violation}" for violation in violations)
        assert self.seen == []

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.ok, (url, response.status)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        self.check()


def log_in(page: Page, live_server, user) -> None:
    """By session cookie: the login form is allauth's, rate-limited, tested elsewhere."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


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
