"""The API's documentation page in Chromium: the vendored Swagger UI draws the schema under
the portal's Content-Security-Policy, with no violation and no console error."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import BrowserProblems
from tests.factories import make_event

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_documentation_renders_under_the_csp(page: Page, live_server):
    make_event()
    problems = BrowserProblems(page)

    problems.visit(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("MINEX Forum Portal API").first).to_be_visible()
    page.get_by_text("/api/v1/registrations/{id}/check-in/").first.click()
    expect(page.get_by_text("Try it out").first).to_be_visible()
    page.get_by_role("button", name="GET /api/v1/events/", exact=False).first.click()

    problems.check()
