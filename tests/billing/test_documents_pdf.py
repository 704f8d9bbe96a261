"""The text of invoice and credit-note PDFs as a reader (or pypdf) sees it."""

import io

import pytest
from babel.dates import format_date
from pypdf import PdfReader

from billing.documents.pdf import render_pdf
from tests.billing.document_factories import (
    make_credit_note,
    make_invoice,
    make_kz_entity,
    make_uk_entity,
)

pytestmark = pytest.mark.django_db


def plain(text: str) -> str:
    """`text` with CLDR's no-break and narrow spaces as plain ones, runs of space as one."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def pages_text(pdf: bytes) -> list[str]:
    return [plain(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def long_date(value, language: str) -> str:
    return plain(format_date(value, "long", locale=language))


def embedded_fonts(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor:  # the TrueType program itself is in the file
                    fonts.add(str(font["/BaseFont"]).split("+")[-1])
    return fonts


def test_english_invoice_prints_entity_buyer_amounts_bank_and_reference():
    invoice = make_invoice(make_uk_entity(), price="600.00", currency="EUR")

    pdf = render_pdf(invoice)

    assert pdf.startswith(b"%PDF")
    [text] = pages_text(pdf)
    assert "MINEX Events Ltd" in text
    assert "Tax number: GB123456789" in text
    assert f"Invoice Number: {invoice.number}" in text
    assert f"Date: {long_date(invoice.issued_on, 'en')}" in text
    assert f"Due date: {long_date(invoice.due_on, 'en')}" in text
    assert invoice.registration.full_name in text and "Kazakhstan" in text
    assert "Registration for MINEX Europe 2026: Commercial delegate" in text
    assert "Net €600.00 VAT 20% €120.00 Total due (EUR) €720.00" in text
    assert "VAT charged at 20%." in text
    assert "GB33BUKB20201555555555" in text and "BUKBGB22" in text
    assert invoice.payment_reference_display in text
    assert embedded_fonts(pdf) >= {"DejaVu-Sans"}


def test_kazakh_entity_invoice_is_printed_in_russian_then_english():
    invoice = make_invoice(make_kz_entity(), price="350000.00", currency="KZT", language="ru")

    russian, english = pages_text(render_pdf(invoice))

    # Russian first: the Cyrillic legal name, tenge written the Russian way, dates in Russian.
    assert "ТОО «МАЙНЕКС Казахстан»" in russian
    assert "392 000,00" in russian and "42 000,00" in russian
    assert "392,000.00" not in russian
    assert long_date(invoice.issued_on, "ru") in russian
    assert "Казахстан" in russian
    # The line's snapshot, in Russian words around the Russian event and category names.
    assert "Регистрация на мероприятие «МАЙНЕКС Европа 2026»: Коммерческий участник" in (
        " ".join(russian.split())
    )
    # Then the same document in English, with the same number and the English formats.
    assert "ТОО «МАЙНЕКС Казахстан»" in english  # the legal name is never translated
    assert f"Invoice Number: {invoice.number}" in english
    assert "KZT 392,000.00" in english
    assert long_date(invoice.issued_on, "en") in english
    assert "VAT charged at 12%." in english
    # The tenge account's local details, in both.
    for text in (russian, english):
        assert "KZ86125KZT5004100100" in text and "HSBKKZKX" in text and "17" in text
        assert invoice.number in text and invoice.payment_reference_display in text


def test_reverse_charge_and_exempt_invoices_say_so():
    reverse = make_invoice(
        make_uk_entity(),
        billing={
            "invoice_to": "organisation",
            "organisation": "Erzbergbau GmbH",
            "address": "Bergstraße 1\n09599 Freiberg",
            "country": "DE",
            "vat_number": "DE811907980",
        },
    )
    exempt_entity = make_uk_entity(
        vat_mode="exempt", vat_exemption_note="Exempt under section 31, VAT Act 1994."
    )
    exempt = make_invoice(exempt_entity)

    [reverse_text] = pages_text(render_pdf(reverse))
    [exempt_text] = pages_text(render_pdf(exempt))

    assert "Reverse charge: VAT is to be accounted for by the recipient." in reverse_text
    assert "Erzbergbau GmbH" in reverse_text and "VAT number: DE811907980" in reverse_text
    assert "Bergstraße 1 09599 Freiberg Germany" in reverse_text
    assert "Total due (EUR) €600.00" in reverse_text
    assert "VAT charged" not in reverse_text
    assert "Exempt under section 31, VAT Act 1994." in exempt_text
    assert "VAT charged" not in exempt_text


def test_credit_note_with_fee_names_its_invoice_and_the_fee_kept():
    invoice = make_invoice(make_uk_entity(), price="600.00")
    credit_note = make_credit_note(invoice, fee_percent="10")

    [text] = pages_text(render_pdf(credit_note))

    assert f"Credit note Number: {credit_note.number}" in text
    assert f"Credits invoice {invoice.number} of" in text
    assert "Total credited (EUR) -€648.00" in text
    assert "the cancellation fee of €72.00 (10%) is kept" in text
    assert "Payment reference" not in text  # nothing to pay on a credit note


def test_credit_note_without_fee_credits_in_full():
    invoice = make_invoice(make_uk_entity(), price="250.00")
    credit_note = make_credit_note(invoice)

    [text] = pages_text(render_pdf(credit_note))

    assert f"Credits invoice {invoice.number} of" in text
    assert "Total credited (EUR) -€300.00" in text
    assert "The invoice's €300.00 is credited in full." in text
    assert "cancellation fee" not in text
