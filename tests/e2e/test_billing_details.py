"""The registration form's billing details in a real browser: shown only while a category
that costs money is chosen, and what is typed there reaches the invoice."""

import pytest
from playwright.sync_api import Page, expect

from billing.models import Invoice
from tests.billing.factories import make_billed_event
from tests.e2e.conftest import BrowserProblems, assert_accessible, log_in
from tests.factories import make_category, make_delegate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_billing_fieldset_follows_the_chosen_category(live_server, page: Page, axe):
    event = make_billed_event()
    paid = make_category(event, name_en="Delegate", price="600.00")
    free = make_category(event, name_en="Press", price="0", code="press")
    delegate = make_delegate()
    problems = BrowserProblems(page)
    log_in(page, live_server, delegate)

    problems.visit(f"{live_server.url}/en/events/{event.slug}/register/")
    billing = page.locator("fieldset[data-form-section=billing]")
    page.locator(f"input[name=category][value='{free.pk}']").check()
    expect(billing).to_be_hidden()
    page.locator(f"input[name=category][value='{paid.pk}']").check()
    expect(billing).to_be_visible()
    assert_accessible(axe, page)

    billing.locator("select[name='billing-invoice_to']").select_option("organisation")
    billing.locator("input[name='billing-organisation']").fill("Emerald Metals DAC")
    billing.locator("textarea[name='billing-address']").fill("2 Quay Street\nGalway")
    billing.locator("input[name='billing-vat_number']").fill("IE1234567T")
    page.locator("input[name=consent_privacy]").check()
    page.locator("form.registration-form button[type=submit]").click()

    expect(page.locator("main")).to_contain_text("Thank you", ignore_case=True)
    invoice = Invoice.objects.get(registration__delegate=delegate)
    assert invoice.buyer_organisation == "Emerald Metals DAC" and invoice.reverse_charge
    problems.check()
