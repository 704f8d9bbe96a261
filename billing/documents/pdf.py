"""An issued invoice or credit note as a PDF: one section per language the entity prints
(the Kazakh entity's documents in Russian, then English; the UK entity's in English), each
with its labels, dates and amounts written for that language (Babel's CLDR patterns), set in
DejaVu Sans, which WeasyPrint embeds (a subset) so Cyrillic and Kazakh letters print anywhere.

Pure: reads the database, writes nothing. `render_pdf` is what the worker calls.
"""

from dataclasses import dataclass
from decimal import Decimal

from babel.dates import format_date
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django_countries import countries

from minex import pdf
from registrations.templatetags.money import format_money

from ..models import BankAccount, BillingHistory, Invoice

TEMPLATE_DIR = "billing/documents"


@dataclass(frozen=True)
class PrintedLine:
    position: int
    description: str
    quantity: str
    unit_price: str
    net: str
    vat: str
    gross: str


def document_queryset():
    """Invoices with what their PDF prints, in a fixed number of queries."""
    return Invoice.objects.select_related(
        "entity", "registration__event", "credits"
    ).prefetch_related("lines", "entity__bank_accounts")


def bank_account_for(invoice: Invoice) -> BankAccount | None:
    """The account printed for payment: the entity's default in the document's currency, else
    its first account in that currency."""
    accounts = [
        account
        for account in invoice.entity.bank_accounts.all()
        if account.currency == invoice.currency
    ]
    accounts.sort(key=lambda account: (not account.is_default, account.pk))
    return accounts[0] if accounts else None


def fee_kept(credit_note: Invoice) -> Decimal:
    """What a credit note leaves owed on its invoice (the cancellation fee, gross): the
    invoice's gross plus the credit note's (negative) gross."""
    return credit_note.credits.gross + credit_note.gross


def _fee_percent(credit_note: Invoice) -> str:
    # billing.services records the fee rule on the credit note's "drafted" history row.
    row = (
        BillingHistory.objects.filter(invoice=credit_note, action=BillingHistory.Action.DRAFTED)
        .values_list("details", flat=True)
        .first()
    )
    percent = (row or {}).get("fee_percent") or "0"
    return f"{Decimal(percent).normalize():f}"


def _date(value, language: str) -> str:
    if value is None:
        return ""
    return format_date(value, format="long", locale=translation.to_locale(language))


def _quantity(value: Decimal, language: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value.normalize(), locale=translation.to_locale(language))


def _country(code: str) -> str:
    return str(countries.name(code)) if code else ""


def page_context(invoice: Invoice, language: str, extra: dict) -> dict:
    """What one language's section prints; called inside translation.override(language)."""
    currency = invoice.currency

    def money(amount):
        return format_money(amount, currency, language)

    lines = [
        PrintedLine(
            position=line.position,
            description=line.description_in(language),
            quantity=_quantity(line.quantity, language),
            unit_price=money(line.unit_price),
            net=money(line.net),
            vat=money(line.vat),
            gross=money(line.gross),
        )
        for line in invoice.lines.all()
    ]
    entity = invoice.entity
    event = invoice.registration.event
    context = {
        "language": language,
        "invoice": invoice,
        "entity": entity,
        "entity_country": _country(entity.country.code),
        "buyer_country": _country(invoice.buyer_country.code),
        "event_title": event.title,
        "lines": lines,
        "net": money(invoice.net),
        "vat": money(invoice.vat),
        "gross": money(invoice.gross),
        "vat_rate": _quantity(invoice.vat_rate, language),
        "issued_on": _date(invoice.issued_on, language),
        "due_on": _date(invoice.due_on, language),
        "account": extra["account"],
        "registration_reference": invoice.registration.reference,
    }
    if invoice.is_credit_note:
        context.update(
            credited_number=invoice.credits.number,
            credited_issued_on=_date(invoice.credits.issued_on, language),
            credited_gross=money(invoice.credits.gross),
            fee_kept=money(extra["fee_kept"]),
            fee_percent=extra["fee_percent"],
            has_fee=extra["fee_kept"] != 0,
        )
    return context


def document_html(invoice: Invoice) -> str:
    """The document's HTML: a section per printed language, in the entity's order."""
    languages = invoice.languages or invoice.entity.languages or [settings.LANGUAGE_CODE]
    extra = {"account": bank_account_for(invoice)}
    if invoice.is_credit_note:
        extra.update(fee_kept=fee_kept(invoice), fee_percent=_fee_percent(invoice))
    sections = []
    for language in languages:
        with translation.override(language):
            sections.append(
                render_to_string(
                    f"{TEMPLATE_DIR}/document_section.html", page_context(invoice, language, extra)
                )
            )
    with translation.override(languages[0]):
        return render_to_string(
            f"{TEMPLATE_DIR}/document.html",
            {"invoice": invoice, "sections": sections, "language": languages[0]},
        )


def render_pdf(invoice: Invoice) -> bytes:
    """The PDF bytes of `invoice` (issued). No network: the document links to nothing outside
    and WeasyPrint's URL fetcher is given nothing to fetch."""
    from weasyprint import HTML

    return HTML(string=document_html(invoice), base_url=None).write_pdf(
        font_config=pdf.font_config()
    )


def pdf_filename(invoice: Invoice) -> str:
    """The file name the buyer sees: "invoice-MXUK-2026-00001.pdf"."""
    kind = "credit-note" if invoice.is_credit_note else "invoice"
    return f"{kind}-{invoice.number}.pdf"
