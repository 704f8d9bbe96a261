"""Issued invoices and credit notes for the documents' tests (PDFs, e-mails, downloads)."""

import itertools
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from billing import extensions
from billing.models import BankAccount, BillingHistory, Invoice, InvoiceLine, IssuingEntity
from billing.money import percent_of
from billing.references import new_payment_reference
from tests.factories import make_category, make_delegate, make_event, make_registration

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
        "invoice_prefix": f"UK{n}",
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
        "invoice_prefix": f"KZ{n}",
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


def issue(invoice: Invoice, *, actor=None) -> Invoice:
    """Give a draft its number and send `document_issued`, as billing's issuing does."""
    with transaction.atomic():
        n = (
            Invoice.objects.filter(entity=invoice.entity, year=invoice.year)
            .exclude(number="")
            .count()
            + 1
        )
        invoice.sequence_number = n
        invoice.number = f"{invoice.entity.invoice_prefix}-{invoice.year}-{n:05d}"
        invoice.status = Invoice.Status.ISSUED
        invoice.issued_on = timezone.localdate()
        if invoice.kind == Invoice.Kind.INVOICE:
            invoice.due_on = invoice.issued_on + timezone.timedelta(days=14)
        invoice.save()
        BillingHistory.objects.create(invoice=invoice, actor=actor, action="issued")
        extensions.document_issued.send(Invoice, invoice=invoice, actor=actor)
    return invoice


def make_invoice(
    entity: IssuingEntity | None = None,
    *,
    price: Decimal = Decimal("600.00"),
    currency: str = "EUR",
    language: str = "en",
    registration=None,
    issued: bool = True,
    **fields,
) -> Invoice:
    """An invoice for a new registration (or `registration`), one line, issued by default."""
    entity = entity or make_uk_entity()
    if registration is None:
        event = make_event(title_en="MINEX Europe 2026", title_ru="МАЙНЕКС Европа 2026")
        category = make_category(
            event, name_en="Commercial delegate", price=price, currency=currency
        )
        registration = make_registration(category, delegate=make_delegate(), language=language)
    vat_rate = fields.pop("vat_rate", entity.vat_rate)
    vat = percent_of(price, vat_rate, currency)
    languages = entity.languages
    values = {
        "entity": entity,
        "registration": registration,
        "year": timezone.localdate().year,
        "buyer_name": "Dr Aigerim Nurlanova",
        "buyer_email": registration.delegate.email,
        "buyer_country": "KZ",
        "currency": currency,
        "net": price,
        "vat_rate": vat_rate,
        "vat": vat,
        "gross": price + vat,
        "payment_reference": new_payment_reference(timezone.localdate().year),
        "languages": languages,
    }
    values.update(fields)
    values["gross"] = values["net"] + values["vat"]
    with transaction.atomic():
        invoice = Invoice.objects.create(**values)
        InvoiceLine.objects.create(
            invoice=invoice,
            position=1,
            description={
                "en": "Delegate fee: MINEX Europe 2026, commercial",
                "ru": "Регистрационный взнос: МАЙНЕКС Европа 2026",
            },
            quantity=1,
            unit_price=values["net"],
            net=values["net"],
            vat=values["vat"],
            gross=values["gross"],
        )
        if issued:
            issue(invoice)
    return invoice


def make_credit_note(invoice: Invoice, *, fee_percent: Decimal = Decimal("0")) -> Invoice:
    """A credit note for `invoice`, minus `fee_percent` of its net (plus VAT) when given."""
    currency = invoice.currency
    fee_net = percent_of(invoice.net, fee_percent, currency)
    fee_vat = percent_of(fee_net, invoice.vat_rate, currency)
    with transaction.atomic():
        credit_note = Invoice.objects.create(
            kind=Invoice.Kind.CREDIT_NOTE,
            entity=invoice.entity,
            registration=invoice.registration,
            credits=invoice,
            year=invoice.year,
            buyer_name=invoice.buyer_name,
            buyer_email=invoice.buyer_email,
            buyer_country=invoice.buyer_country,
            currency=currency,
            net=-invoice.net + fee_net,
            vat_rate=invoice.vat_rate,
            vat=-invoice.vat + fee_vat,
            gross=-invoice.gross + fee_net + fee_vat,
            languages=invoice.languages,
        )
        for line in invoice.lines.all():
            InvoiceLine.objects.create(
                invoice=credit_note,
                position=line.position,
                description=line.description,
                quantity=-line.quantity,
                unit_price=line.unit_price,
                net=-line.net,
                vat=-line.vat,
                gross=-line.gross,
            )
        if fee_percent:
            InvoiceLine.objects.create(
                invoice=credit_note,
                position=2,
                description={"en": f"Cancellation fee ({fee_percent}%)"},
                quantity=1,
                unit_price=fee_net,
                net=fee_net,
                vat=fee_vat,
                gross=fee_net + fee_vat,
            )
        BillingHistory.objects.create(
            invoice=credit_note, action="drafted", details={"fee_percent": str(fee_percent)}
        )
        issue(credit_note)
    return credit_note
