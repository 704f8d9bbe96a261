"""An invoice at registration: who issues it, VAT, the due date, drafts and approval."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import BillingHistory, Invoice, IssuingEntity
from billing.services import due_date
from registrations.models import Registration
from registrations.services import approve_registration, cancel_registration, reject_registration
from tests.billing.factories import (
    invoice_of,
    make_billed_event,
    make_entity,
    make_paid_registration,
)
from tests.factories import make_category, make_event, make_registration, make_user

pytestmark = pytest.mark.django_db

IRISH_COMPANY = {
    "invoice_to": "organisation",
    "organisation": "Emerald Metals DAC",
    "address": "2 Quay Street\nGalway",
    "country": "IE",
    "vat_number": "IE1234567T",
}


def test_confirmed_paid_registration_gets_an_issued_invoice_with_net_vat_and_gross():
    registration = make_paid_registration(price="600.00")

    invoice = invoice_of(registration)

    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.number.endswith(f"-{timezone.localdate().year}-00001")
    assert (invoice.net, invoice.vat_rate, invoice.vat, invoice.gross) == (
        Decimal("600"),
        Decimal("20"),
        Decimal("120"),
        Decimal("720"),
    )
    assert invoice.buyer_name == registration.full_name
    assert invoice.buyer_email == registration.email
    assert invoice.payment_reference and not invoice.reverse_charge
    line = invoice.lines.get()
    assert line.gross == Decimal("720")
    assert registration.category_name in line.description["en"]


def test_business_in_another_country_with_a_vat_number_is_reverse_charged():
    registration = make_paid_registration(billing=IRISH_COMPANY)

    invoice = invoice_of(registration)

    assert invoice.reverse_charge and invoice.vat == 0 and invoice.gross == invoice.net
    assert invoice.buyer_organisation == "Emerald Metals DAC"
    assert invoice.buyer_vat_number == "IE1234567T"


def test_business_in_the_entitys_own_country_pays_vat_despite_its_vat_number():
    company = {**IRISH_COMPANY, "country": "GB", "vat_number": "GB987654321"}
    registration = make_paid_registration(billing=company)

    invoice = invoice_of(registration)

    assert not invoice.reverse_charge and invoice.vat == Decimal("120")


def test_private_person_abroad_pays_vat():
    registration = make_paid_registration(billing={"invoice_to": "person", "country": "IE"})
    assert invoice_of(registration).vat == Decimal("120")


def test_exempt_entity_charges_no_vat():
    entity = make_entity(vat_mode=IssuingEntity.VatMode.EXEMPT, vat_rate=Decimal("20"))
    registration = make_paid_registration(make_billed_event(entity))

    invoice = invoice_of(registration)

    assert invoice.vat_exempt and invoice.vat == 0 and not invoice.reverse_charge


def test_kazakh_entity_invoices_tenge_with_twelve_percent_in_russian_and_english():
    entity = make_entity(
        country="KZ", vat_rate=Decimal("12"), invoice_languages="ru,en", invoice_prefix="KZ"
    )
    event = make_billed_event(entity, currency="KZT")
    registration = make_paid_registration(event, price="350000", currency="KZT", name_ru="Делегат")

    invoice = invoice_of(registration)

    assert (invoice.currency, invoice.vat, invoice.gross) == (
        "KZT",
        Decimal("42000"),
        Decimal("392000"),
    )
    assert invoice.languages == ["ru", "en"]
    assert set(invoice.lines.get().description) == {"ru", "en"}


def test_due_date_is_never_after_the_event_starts():
    soon = make_event(start_date=timezone.localdate() + datetime.timedelta(days=5))
    event = make_billed_event(payment_due_days=14)
    event.start_date = soon.start_date
    event.end_date = soon.end_date
    event.save(update_fields=["start_date", "end_date"])

    invoice = invoice_of(make_paid_registration(event))

    assert invoice.due_on == event.start_date - datetime.timedelta(days=1)


def test_due_date_rule_keeps_the_setting_when_the_event_is_far_and_never_precedes_issue():
    today = datetime.date(2026, 3, 1)
    far = make_event(start_date=datetime.date(2026, 9, 1))
    assert due_date(far, issued_on=today, due_days=14) == datetime.date(2026, 3, 15)
    started = make_event(start_date=datetime.date(2026, 2, 27))
    assert due_date(started, issued_on=today, due_days=14) == today


def test_free_category_gets_no_invoice():
    event = make_billed_event()
    registration = make_registration(make_category(event, price=Decimal("0")))
    assert not Invoice.objects.filter(registration=registration).exists()


def test_approval_category_gets_a_draft_that_is_issued_on_approval():
    registration = make_paid_registration(requires_approval=True)
    assert registration.status == Registration.Status.PENDING
    draft = invoice_of(registration)
    assert draft.status == Invoice.Status.DRAFT and draft.number == ""

    approve_registration(registration, acting_user=make_user(is_staff=True))

    draft.refresh_from_db()
    assert draft.status == Invoice.Status.ISSUED and draft.number
    assert draft.history.filter(action=BillingHistory.Action.ISSUED).exists()


def test_rejected_pending_registration_discards_its_draft_without_a_number():
    registration = make_paid_registration(requires_approval=True)

    reject_registration(registration, reason="Not eligible", acting_user=make_user(is_staff=True))

    draft = invoice_of(registration)
    assert draft.status == Invoice.Status.DISCARDED and draft.number == ""
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()


def test_waitlisted_registration_is_invoiced_when_promoted():
    event = make_billed_event()
    event.capacity = 1
    event.save(update_fields=["capacity"])
    first = make_paid_registration(event)
    category = first.category
    waiting = make_registration(category)
    assert waiting.status == Registration.Status.WAITLISTED
    assert not Invoice.objects.filter(registration=waiting).exists()

    cancel_registration(first, acting_user=first.delegate)

    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert invoice_of(waiting).status == Invoice.Status.ISSUED


def test_event_without_an_issuer_for_the_currency_registers_without_invoice():
    registration = make_paid_registration(make_billed_event(currency="USD"), currency="EUR")
    assert registration.status == Registration.Status.CONFIRMED
    assert not Invoice.objects.filter(registration=registration).exists()
