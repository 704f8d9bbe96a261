"""The registration form asks for billing details only for a category that costs money, and
the server, not the page's script, decides whether they count."""

import re
from decimal import Decimal

import pytest

from billing.models import BillingDetails, Invoice
from registrations.models import Registration
from tests.billing.factories import make_billed_event
from tests.factories import make_category, make_delegate, registration_form_data

pytestmark = pytest.mark.django_db

ORGANISATION = {
    "billing-invoice_to": "organisation",
    "billing-organisation": "Emerald Metals DAC",
    "billing-address": "2 Quay Street\nGalway",
    "billing-vat_number": "ie 123 4567t",
}


@pytest.fixture
def event_with_paid_and_free():
    event = make_billed_event()
    paid = make_category(event, price=Decimal("600"))
    free = make_category(event, price=Decimal("0"), code="press")
    return event, paid, free


def _url(event):
    return f"/en/events/{event.slug}/register/"


def test_billing_fieldset_is_offered_for_the_paid_category_only(client, event_with_paid_and_free):
    event, paid, free = event_with_paid_and_free
    client.force_login(make_delegate())

    page = client.get(_url(event)).content.decode()

    fieldset = re.search(
        r'<fieldset class="form-section" data-form-section="billing" '
        r'data-categories="([^"]*)">\s*<legend>([^<]*)</legend>(.*?)</fieldset>',
        page,
        re.S,
    )
    assert fieldset is not None
    assert fieldset.group(1).split() == [str(paid.pk)]
    assert fieldset.group(2) == "Billing details"
    assert 'name="billing-vat_number"' in fieldset.group(3)


def test_no_billing_fieldset_when_every_category_is_free(client):
    event = make_billed_event()
    make_category(event, price=Decimal("0"))
    client.force_login(make_delegate())

    page = client.get(_url(event)).content.decode()

    assert 'data-form-section="billing"' not in page


def test_organisation_details_reach_the_invoice(client, event_with_paid_and_free):
    event, paid, _free = event_with_paid_and_free
    delegate = make_delegate()
    client.force_login(delegate)

    response = client.post(_url(event), registration_form_data(paid, **ORGANISATION))

    assert response.status_code == 302
    registration = Registration.objects.get(event=event, delegate=delegate)
    invoice = Invoice.objects.get(registration=registration)
    assert invoice.buyer_organisation == "Emerald Metals DAC"
    assert invoice.buyer_vat_number == "IE1234567T"
    assert invoice.reverse_charge


def test_invoice_to_organisation_without_its_address_is_refused(client, event_with_paid_and_free):
    event, paid, _free = event_with_paid_and_free
    delegate = make_delegate()
    client.force_login(delegate)
    data = registration_form_data(paid, **{**ORGANISATION, "billing-address": ""})

    response = client.post(_url(event), data)

    assert response.status_code == 400
    assert "Needed for an invoice to your organisation." in response.content.decode()
    assert not Registration.objects.filter(event=event, delegate=delegate).exists()


def test_billing_fields_posted_for_a_free_category_are_ignored(client, event_with_paid_and_free):
    event, _paid, free = event_with_paid_and_free
    delegate = make_delegate()
    client.force_login(delegate)
    # Invalid on purpose (no address, a malformed VAT number): the section does not apply.
    data = registration_form_data(
        free, **{**ORGANISATION, "billing-address": "", "billing-vat_number": "??"}
    )

    response = client.post(_url(event), data)

    assert response.status_code == 302
    registration = Registration.objects.get(event=event, delegate=delegate)
    assert not BillingDetails.objects.filter(registration=registration).exists()
    assert not Invoice.objects.filter(registration=registration).exists()


def test_paid_category_without_billing_fields_invoices_the_delegate(
    client, event_with_paid_and_free
):
    event, paid, _free = event_with_paid_and_free
    delegate = make_delegate(first_name="Aigerim", last_name="Nurlanova")
    client.force_login(delegate)

    response = client.post(_url(event), registration_form_data(paid))

    assert response.status_code == 302
    invoice = Invoice.objects.get(registration__delegate=delegate)
    assert invoice.buyer_name == "Aigerim Nurlanova" and invoice.buyer_organisation == ""
