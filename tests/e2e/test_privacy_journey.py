"""A delegate's data rights in a real browser, on a phone: from "My profile" to their data,
its download, and the deletion of their account."""

import json

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from registrations.models import Registration
from tests.e2e.conftest import (
    PHONE,
    BrowserProblems,
    assert_accessible,
    assert_fits_a_phone,
    log_in,
)
from tests.factories import TEST_PASSWORD, make_registration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_delegate_reads_downloads_and_deletes_their_data(live_server, page: Page, axe):
    registration = make_registration(dietary_needs="Vegan")
    delegate = registration.delegate
    page.set_viewport_size(PHONE)
    problems = BrowserProblems(page)
    log_in(page, live_server, delegate)

    problems.visit(f"{live_server.url}/en/profile/")
    page.get_by_role("link", name="See everything we hold about you").click()
    expect(page.locator("h1")).to_have_text("Your data")
    expect(page.locator("main")).to_contain_text(registration.reference)
    expect(page.locator("main")).to_contain_text("Vegan")
    assert_accessible(axe, page)
    assert_fits_a_phone(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a file (JSON)").click()
    copy = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    assert copy["sources"]["account"]["email"] == delegate.email
    assert copy["sources"]["registrations"][0]["reference"] == registration.reference

    page.get_by_role("link", name="Delete my account").click()
    assert_accessible(axe, page)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("main")).to_contain_text("This password is not correct.")
    problems.forget_expected_status(400)
    assert User.objects.get(pk=delegate.pk).is_active

    page.get_by_label("Your password").fill(TEST_PASSWORD)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("h1")).to_have_text("Account deleted")
    assert not User.objects.get(pk=delegate.pk).is_active
    kept = Registration.objects.get(pk=registration.pk)
    assert (kept.status, kept.last_name) == (Registration.Status.CANCELLED, "")

    # Signed out: "My profile" now asks to sign in.
    page.goto(f"{live_server.url}/en/profile/")
    expect(page).to_have_url(f"{live_server.url}/en/accounts/login/?next=/en/profile/")
    problems.check()
