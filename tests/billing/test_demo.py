"""Billing's demo: two entities, an issuer for every priced currency of every demo event."""

import io

import pytest
from django.core.management import call_command

from billing.models import BankAccount, EventIssuer, IssuingEntity
from registrations.models import DelegateCategory

pytestmark = pytest.mark.django_db


def test_demo_seeds_entities_issuers_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_billing_demo", stdout=io.StringIO())
    call_command("seed_billing_demo", stdout=io.StringIO())

    kazakh = IssuingEntity.objects.get(invoice_prefix="MXKZ")
    assert (kazakh.vat_rate, kazakh.languages) == (12, ["ru", "en"])
    assert IssuingEntity.objects.count() == 2
    priced = set(DelegateCategory.objects.filter(price__gt=0).values_list("event_id", "currency"))
    issuers = set(EventIssuer.objects.values_list("event_id", "currency"))
    assert priced == issuers
    assert all(
        issuer.entity == kazakh
        for issuer in EventIssuer.objects.filter(currency="KZT").select_related("entity")
    )
    for account in BankAccount.objects.all():
        account.full_clean()  # the sample IBANs and BICs pass schwifty's checks
