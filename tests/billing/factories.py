"""Builders for billing tests: entities, issuers, and a paid registration with its invoice,
made through the services where one exists."""

import itertools
from decimal import Decimal

from billing.models import EventBilling, EventIssuer, Invoice, IssuingEntity
from tests.factories import make_category, make_delegate, make_event, make_registration

_sequence = itertools.count(1)


def make_entity(**fields) -> IssuingEntity:
    """A UK company charging 20% VAT, reverse charge for foreign businesses, invoices in
    English."""
    n = next(_sequence)
    values = {
        "legal_name": f"MINEX Events {n} Ltd",
        "address": "1 Mining Lane\nLondon EC2A 1AA",
        "country": "GB",
        "registration_number": f"0123{n:04d}",
        "tax_number": f"GB12345{n:04d}",
        "vat_mode": IssuingEntity.VatMode.STANDARD,
        "vat_rate": Decimal("20"),
        "reverse_charge_for_foreign_business": True,
        "invoice_prefix": f"UK{n}",
        "invoice_languages": "en",
        "email": "accounts@minexforum.example",
    }
    values.update(fields)
    return IssuingEntity.objects.create(**values)


def make_billed_event(entity: IssuingEntity | None = None, *, currency="EUR", **fields):
    """An event whose `currency` registrations are invoiced by `entity`, with its billing
    rules (`fields`: EventBilling's)."""
    event = make_event()
    entity = entity or make_entity()
    EventIssuer.objects.create(event=event, currency=currency, entity=entity)
    EventBilling.objects.create(event=event, **fields)
    return event


def make_paid_registration(
    event=None, *, price="600.00", currency="EUR", billing=None, **category_fields
):
    """A registration in a paid category of a billed event (confirmed unless the category
    requires approval), made through register_delegate with `billing` as the form's billing
    section."""
    event = event or make_billed_event(currency=currency)
    category = make_category(event, price=Decimal(price), currency=currency, **category_fields)
    return make_registration(
        category, delegate=make_delegate(), form_sections={"billing": billing} if billing else {}
    )


def invoice_of(registration) -> Invoice:
    return Invoice.objects.get(registration=registration, kind=Invoice.Kind.INVOICE)
