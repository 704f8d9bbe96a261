"""Billing invoices the price the rules made: one invoice line per price line."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from pricing.models import GroupDiscount
from tests.billing.factories import invoice_of, make_billed_event, make_entity
from tests.factories import make_category, make_delegate, make_registration
from tests.pricing.factories import make_code, make_free_code

pytestmark = pytest.mark.django_db


def test_each_price_line_is_an_invoice_line_and_the_totals_add_up():
    event = make_billed_event(make_entity(vat_rate=Decimal("20")))
    category = make_category(
        event,
        name_en="Delegate",
        price=Decimal("500"),
        early_bird_price=Decimal("450"),
        early_bird_deadline=timezone.now() + datetime.timedelta(days=3),
    )
    GroupDiscount.objects.create(event=event, min_size=2, percent=Decimal("10"))
    make_code(event, "PARTNER5", discount_value=Decimal("5"))

    registration = make_registration(
        category,
        delegate=make_delegate(),
        form_sections={"code": {"code": "PARTNER5", "group_size": 2}},
    )

    invoice = invoice_of(registration)
    lines = [(line.description_in("en"), line.net, line.vat) for line in invoice.lines.all()]
    assert lines == [
        ("Delegate", Decimal("500.00"), Decimal("100.00")),
        ("Early-bird discount", Decimal("-50.00"), Decimal("-10.00")),
        ("Group discount (group of 2: −10%)", Decimal("-50.00"), Decimal("-10.00")),
        ("Code PARTNER5 (−5%)", Decimal("-25.00"), Decimal("-5.00")),
    ]
    assert registration.price == invoice.net == Decimal("375.00")
    assert invoice.vat == Decimal("75.00") and invoice.gross == Decimal("450.00")


def test_a_free_place_gets_no_invoice():
    event = make_billed_event()
    category = make_category(event, price=Decimal("500"), invite_only=True)
    make_free_code(event, categories=[category])

    registration = make_registration(
        category, delegate=make_delegate(), form_sections={"code": {"code": "GOV-2026"}}
    )

    assert registration.price == Decimal("0.00")
    assert not registration.invoices.exists()


def test_without_rules_the_invoice_keeps_its_one_registration_line():
    event = make_billed_event()
    category = make_category(event, price=Decimal("600"))

    invoice = invoice_of(make_registration(category, delegate=make_delegate()))

    (line,) = invoice.lines.all()
    assert line.description_in("en").startswith("Registration for ")
    assert line.net == Decimal("600.00")


def test_cancelling_credits_every_line_and_gives_the_code_back():
    from billing.models import Invoice
    from pricing.models import CodeUse
    from registrations.services import cancel_registration

    event = make_billed_event()
    category = make_category(event, price=Decimal("500"))
    make_code(event, "HALF", discount_value=Decimal("50"), usage_limit=1)
    registration = make_registration(
        category, delegate=make_delegate(), form_sections={"code": {"code": "HALF"}}
    )

    cancel_registration(registration, acting_user=registration.delegate)

    credit = Invoice.objects.get(registration=registration, kind=Invoice.Kind.CREDIT_NOTE)
    assert [line.net for line in credit.lines.all()] == [Decimal("-500.00"), Decimal("250.00")]
    assert credit.net == -invoice_of(registration).net == Decimal("-250.00")
    assert CodeUse.objects.get(registration=registration).released_at is not None
