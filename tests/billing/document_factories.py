"""Issuing entities with bank accounts, and documents made through billing's services, for
the documents' tests (PDFs, e-mails, downloads)."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from billing.models import BankAccount, Invoice, IssuingEntity, Payment
from billing.services import credit_invoice, invoice_registration, record_payment
from events.models import Event
from tests.billing.factories import invoice_of, make_billed_event
from tests.factories import make_category, make_delegate, make_registration

_sequence = itertools.count(1)


def make_uk_entity(**fields) -> IssuingEntity:
    n = next(_sequence)
    values = {
        "legal_name": "MINEX Events Ltd",
        "address": "1 Minerals Lane\nLondon EC2A 1AA",
        "country": "GB",
        "registration_number": "08123456",
        "tax_number": "GB123456789",
        "vat_rate": Decimal("20"),
        "reverse_charge_for_foreign_business": True,
        "invoice_prefix": f"DOCUK{n}",
        "invoice_languages": "en",
        "email": "billing@minex.example",
    }
    values.update(fields)
    entity = IssuingEntity.objects.create(**values)
    BankAccount.objects.create(
        entity=entity,
        currency="EUR",
        bank_name="Barclays Bank",
        iban="GB33BUKB20201555555555",
        bic="BUKBGB22",
        is_default=True,
    )
    return entity


def make_kz_entity(**fields) -> IssuingEntity:
    n = next(_sequence)
    values = {
        "legal_name": "ТОО «МАЙНЕКС Казахстан»",
        "address": "пр. Мангилик Ел, 55\nАстана 010000",
        "country": "KZ",
        "registration_number": "180940012345",
        "tax_number": "180940012345",
        "vat_rate": Decimal("12"),
        "invoice_prefix": f"DOCKZ{n}",
        "invoice_languages": "ru,en",
    }
    values.update(fields)
    entity = IssuingEntity.objects.create(**values)
    BankAccount.objects.create(
        entity=entity,
        currency="KZT",
        bank_name="АО «Народный Банк Казахстана»",
        account_number="KZ86125KZT5004100100",
        bank_code="HSBKKZKX",
        beneficiary_code="17",
        is_default=True,
    )
    return entity


def make_invoice(
    entity: IssuingEntity | None = None,
    *,
    price: str = "600.00",
    currency: str = "EUR",
    language: str = "en",
    billing: dict | None = None,
    issued: bool = True,
) -> Invoice:
    """The invoice billing makes for a new registration in a paid category of an event that
    `entity` invoices in `currency`: issued at once, or a draft when the category needs
    approval (`issued=False`). `billing` is the registration form's billing section."""
    entity = entity or make_uk_entity()
    event = make_billed_event(entity, currency=currency)
    Event.objects.filter(pk=event.pk).update(
        title_en="MINEX Europe 2026", title_ru="МАЙНЕКС Европа 2026"
    )
    category = make_category(
        event,
        name_en="Commercial delegate",
        name_ru="Коммерческий участник",
        price=Decimal(price),
        currency=currency,
        requires_approval=not issued,
    )
    registration = make_registration(
        category,
        delegate=make_delegate(),
        language=language,
        form_sections={"billing": billing} if billing else {},
    )
    return invoice_of(registration)


def reissue(invoice: Invoice) -> Invoice:
    """A new invoice for a credited invoice's registration (billing invoices it again)."""
    return invoice_registration(invoice.registration)


def make_credit_note(invoice: Invoice, *, fee_percent: str = "0") -> Invoice:
    """The credit note billing issues for `invoice`, keeping `fee_percent` of it."""
    return credit_invoice(invoice, acting_user=None, fee_percent=Decimal(fee_percent))


def pay(invoice: Invoice, amount: str, external_id: str) -> Payment:
    """A bank transfer booked through billing's record_payment."""
    payment, _created = record_payment(
        invoice,
        amount=Decimal(amount),
        received_on=timezone.localdate() - datetime.timedelta(days=1),
        method=Payment.Method.TRANSFER,
        source=Payment.Source.STATEMENT,
        external_id=external_id,
        acting_user=None,
    )
    return payment
