"""In Chromium, under the Content-Security-Policy: the secretariat uploads a bank statement,
reviews it, types the invoice for an unmatched line and applies; the delegate's page then
says nothing is owed. And the delegate's "How to pay" section with the card button."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from billing.models import Payment
from billing.selectors import PaymentState, payment_status
from tests.billing.bank import camt_bytes, camt_entry, make_account, secretariat_user
from tests.billing.factories import invoice_of, make_billed_event, make_entity
from tests.e2e.conftest import BrowserProblems, assert_accessible, log_in
from tests.factories import make_category, make_delegate, make_registration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def invoices():
    entity = make_entity(vat_mode="exempt", vat_rate=Decimal("0"), invoice_prefix="MXUK")
    make_account(entity, is_default=True)
    category = make_category(make_billed_event(entity), price=Decimal("600.00"), currency="EUR")
    return [
        invoice_of(make_registration(category, delegate=make_delegate(last_name=name)))
        for name in ("Abenova", "Bekova")
    ]


def test_secretariat_imports_reviews_and_applies_a_statement(
    live_server, page: Page, invoices, tmp_path, axe, screenshots
):
    first, second = invoices
    statement = tmp_path / "november.xml"
    statement.write_bytes(
        camt_bytes(
            [
                camt_entry(first.gross - Decimal("8"), text=f"MINEX {first.payment_reference}"),
                camt_entry(second.gross, payer="Travel Agency", text="conference"),
            ]
        )
    )
    log_in(page, live_server, secretariat_user())
    browser = BrowserProblems(page)
    shots = screenshots("statement-import")

    browser.visit(f"{live_server.url}/en/admin/billing/bankstatement/add/")
    page.get_by_label("Bank account").select_option(index=1)
    page.get_by_label("Statement format").select_option("camt053")
    page.get_by_label("Statement file").set_input_files(str(statement))
    page.get_by_label("Bank fee tolerance").fill("10")
    page.get_by_role("button", name="Read and match").click()
    page.wait_for_load_state("load")

    expect(page.get_by_role("heading", name="Matched (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="No invoice found (1)")).to_be_visible()
    expect(page.get_by_text("short by €8.00")).to_be_visible()
    assert_accessible(axe, page)
    shots.take(page, "review")
    page.get_by_label("Invoice number or payment reference for line 2").fill(second.number)
    page.get_by_role("button", name="Apply: book the marked lines").click()
    page.wait_for_load_state("load")

    expect(page.get_by_text("2 lines were booked.")).to_be_visible()
    shots.take(page, "applied")
    browser.check()
    assert Payment.objects.count() == 2
    assert payment_status(second.registration).state == PaymentState.PAID


def test_delegate_sees_how_to_pay_with_the_card_button(live_server, page: Page, invoices, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    invoice = invoices[0]
    log_in(page, live_server, invoice.registration.delegate)
    browser = BrowserProblems(page)

    browser.visit(f"{live_server.url}/en/my/registrations/{invoice.registration.reference}/")

    how_to_pay = page.get_by_role("region", name="How to pay")
    expect(how_to_pay.get_by_text(invoice.payment_reference_display)).to_be_visible()
    expect(how_to_pay.get_by_text("GB33BUKB20201555555555")).to_be_visible()
    expect(how_to_pay.get_by_role("button", name="Pay by card")).to_be_visible()
    browser.check()
