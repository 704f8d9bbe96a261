"""Issue 14's journey in Chromium, under the Content-Security-Policy: a delegate registers in
a paid category, sees the invoice on the registration page and downloads its PDF; the
secretariat imports the bank's statement in the admin, reviews it and applies it; the
delegate's page then says paid, and the receipt e-mail has reached a real SMTP server.
Tasks run eagerly in the test settings, so the PDF and the e-mails are made in-process."""

from decimal import Decimal

import pypdf
import pytest
from playwright.sync_api import Page, expect

from billing.models import Invoice, Payment
from tests.billing.bank import camt_bytes, camt_entry, secretariat_user
from tests.billing.document_factories import make_uk_entity
from tests.billing.factories import make_billed_event
from tests.e2e.conftest import BrowserProblems, assert_accessible, log_in
from tests.factories import make_category, make_delegate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DELEGATE_EMAIL = "aigerim.sadykova@example.com"


def test_delegate_pays_a_paid_registration_by_bank_transfer(
    live_server, page: Page, browser, mailbox, tmp_path, axe
):
    entity = make_uk_entity(legal_name="MINEX Events Ltd")  # 20% VAT, a default EUR account
    event = make_billed_event(entity)
    category = make_category(event, name_en="Delegate", price=Decimal("600.00"), currency="EUR")
    delegate = make_delegate(DELEGATE_EMAIL)
    log_in(page, live_server, delegate)
    delegate_problems = BrowserProblems(page)

    # The delegate registers in the paid category, the invoice going to them in person.
    delegate_problems.visit(f"{live_server.url}/en/events/{event.slug}/register/")
    page.locator(f"input[name=category][value='{category.pk}']").check()
    billing = page.locator("fieldset[data-form-section=billing]")
    expect(billing).to_be_visible()
    billing.locator("textarea[name='billing-address']").fill("12 Abay Avenue\nAlmaty")
    page.locator("input[name=consent_privacy]").check()
    page.locator("form.registration-form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Thank you", ignore_case=True)
    delegate_problems.check()

    invoice = Invoice.objects.get(registration__delegate=delegate, kind=Invoice.Kind.INVOICE)
    registration = invoice.registration
    assert invoice.gross == Decimal("720.00")  # 600.00 and 20% VAT

    # The registration page: unpaid, the invoice listed with its PDF.
    registration_url = f"{live_server.url}/en/my/registrations/{registration.reference}/"
    delegate_problems.visit(registration_url)
    payment = page.get_by_role("region", name="Payment")
    expect(payment.locator("[data-payment-state]")).to_have_text("Unpaid")
    expect(payment.get_by_text(invoice.payment_reference_display).first).to_be_visible()
    row = payment.locator(f"tr[data-document='{invoice.number}']")
    expect(row).to_contain_text(f"Invoice {invoice.number}")
    expect(row).to_contain_text("€720.00")
    assert_accessible(axe, page)

    with page.expect_download() as downloading:
        row.get_by_role("link", name=f"Download {invoice.number}").click()
    download = downloading.value
    assert download.suggested_filename == f"invoice-{invoice.number}.pdf"
    reader = pypdf.PdfReader(download.path())
    text = " ".join(pdf_page.extract_text() for pdf_page in reader.pages)
    assert invoice.number in text
    assert "720.00" in text
    assert invoice.payment_reference_display in text
    delegate_problems.check()

    # The secretariat imports the bank's statement: the transfer quotes the reference.
    statement = tmp_path / "statement.xml"
    statement.write_bytes(
        camt_bytes(
            [
                camt_entry(
                    invoice.gross,
                    payer="Aigerim Sadykova",
                    text=f"Registration {invoice.payment_reference}",
                    ref="BANK-REF-1",
                )
            ]
        )
    )
    context = browser.new_context()
    staff_page = context.new_page()
    log_in(staff_page, live_server, secretariat_user())
    staff_problems = BrowserProblems(staff_page)
    staff_problems.visit(f"{live_server.url}/en/admin/billing/bankstatement/add/")
    staff_page.get_by_label("Bank account").select_option(index=1)
    staff_page.get_by_label("Statement format").select_option("camt053")
    staff_page.get_by_label("Statement file").set_input_files(str(statement))
    staff_page.get_by_role("button", name="Read and match").click()
    staff_page.wait_for_load_state("load")

    expect(staff_page.get_by_role("heading", name="Matched (1)")).to_be_visible()
    expect(staff_page.locator("main, #content").first).to_contain_text(invoice.number)
    assert not Payment.objects.exists()  # nothing is booked before the review is applied
    staff_page.get_by_role("button", name="Apply: book the marked lines").click()
    staff_page.wait_for_load_state("load")
    expect(staff_page.get_by_text("1 line was booked.")).to_be_visible()
    staff_problems.check()
    context.close()

    # The delegate's page now says paid, and nothing is left to pay.
    delegate_problems.visit(registration_url)
    expect(payment.locator("[data-payment-state]")).to_have_text("Paid")
    expect(payment).not_to_contain_text("Still to pay")
    delegate_problems.check()

    # And the receipt reached the delegate.
    receipts = [
        message
        for message in mailbox.messages_to(DELEGATE_EMAIL)
        if mailbox.subject_of(message) == f"Payment received: invoice {invoice.number}"
    ]
    assert len(receipts) == 1
    body = mailbox.text_of(receipts[0])
    assert "we have received your payment of €720.00" in body
    assert invoice.payment_reference_display in body
    assert registration_url in body
