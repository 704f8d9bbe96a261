"""Billing's demo data: the two issuing entities (a UK company for EUR, USD and GBP; a Kazakh
company for KZT with 12% VAT, invoicing in Russian and English), their bank accounts, and for
every demo event its billing rules and the issuer of each currency its categories use. Sample
bank details only (the IBANs are the registries' published examples)."""

from decimal import Decimal

from django.db import transaction

from events.models import Event
from registrations.models import DelegateCategory, Registration

from .models import BankAccount, EventBilling, EventIssuer, IssuingEntity
from .services import invoice_registration

UK = {
    "invoice_prefix": "MXUK",
    "legal_name": "MINEX Forum Ltd",
    "address": "20 Primrose Street\nLondon EC2A 2EW\nUnited Kingdom",
    "country": "GB",
    "registration_number": "05912345",
    "tax_number": "GB123456789",
    "vat_mode": IssuingEntity.VatMode.STANDARD,
    "vat_rate": Decimal("20"),
    "reverse_charge_for_foreign_business": True,
    "invoice_languages": "en",
    "email": "accounts@minexforum.example",
}
KZ = {
    "invoice_prefix": "MXKZ",
    "legal_name": "MINEX Kazakhstan LLP",
    "address": "Kabanbay Batyr Ave 17\nAstana 010000\nKazakhstan",
    "country": "KZ",
    "registration_number": "BIN 180540012345",
    "tax_number": "180540012345",
    "vat_mode": IssuingEntity.VatMode.STANDARD,
    "vat_rate": Decimal("12"),
    "reverse_charge_for_foreign_business": False,
    "invoice_languages": "ru,en",
    "email": "buh@minexforum.example",
}
ACCOUNTS = {
    "MXUK": [
        {"currency": "EUR", "bank_name": "Allied Irish Banks", "iban": "IE29AIBK93115212345678",
         "bic": "AIBKIE2D"},
        {"currency": "GBP", "bank_name": "NatWest", "iban": "GB82WEST12345698765432",
         "bic": "NWBKGB2L"},
        {"currency": "USD", "bank_name": "Barclays", "iban": "GB33BUKB20201555555555",
         "bic": "BUKBGB22"},
    ],
    "MXKZ": [
        {"currency": "KZT", "bank_name": "Halyk Bank", "account_number": "KZ86125KZT5004100100",
         "bank_code": "HSBKKZKX", "beneficiary_code": "17"},
    ],
}  # fmt: skip


@transaction.atomic
def seed_billing() -> dict[str, int]:
    """Create what is missing (never changes a row that exists); then invoice the demo's
    paid registrations that have no invoice yet. Returns counts of what was created."""
    created = {"entities": 0, "issuers": 0, "invoices": 0}
    entities = {}
    for values in (UK, KZ):
        entity, made = IssuingEntity.objects.get_or_create(
            invoice_prefix=values["invoice_prefix"], defaults=values
        )
        entities[entity.invoice_prefix] = entity
        created["entities"] += made
        if made:
            for account in ACCOUNTS[entity.invoice_prefix]:
                BankAccount.objects.create(entity=entity, is_default=True, **account)
    for event in Event.objects.all():
        EventBilling.objects.get_or_create(
            event=event, defaults={"cancellation_fee_percent": Decimal("10")}
        )
        currencies = set(
            DelegateCategory.objects.filter(event=event, price__gt=0).values_list(
                "currency", flat=True
            )
        )
        for currency in currencies:
            entity = entities["MXKZ" if currency == "KZT" else "MXUK"]
            _issuer, made = EventIssuer.objects.get_or_create(
                event=event, currency=currency, defaults={"entity": entity}
            )
            created["issuers"] += made
    unbilled = Registration.objects.filter(
        price__gt=0, status__in=Registration.PLACE_HOLDING_STATUSES, invoices__isnull=True
    ).select_related("event")
    for registration in unbilled:
        created["invoices"] += invoice_registration(registration) is not None
    return created
