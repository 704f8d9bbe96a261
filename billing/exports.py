"""The accountant's list of invoices and credit notes as CSV and XLSX, row by row.

Formula injection (as in the attendee exports): a text starting with = + - @ (or a tab or a
carriage return) would run as a formula when the file is opened; in CSV such a text gets a
leading apostrophe, in XLSX every text is a string cell. Amounts are numbers, written with the
currency's minor units (a credit note's are negative)."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .models import Invoice
from .money import quantize

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXT, AMOUNT, DATE = "text", "amount", "date"


@dataclass(frozen=True)
class Column:
    header: str
    value: object  # Callable[[Invoice], object]
    kind: str = TEXT


COLUMNS = (
    Column(_("Number"), lambda i: i.number),
    Column(_("Kind"), lambda i: str(i.get_kind_display())),
    Column(_("Date"), lambda i: i.issued_on, DATE),
    Column(_("Due on"), lambda i: i.due_on, DATE),
    Column(_("Credits invoice"), lambda i: i.credits.number if i.credits_id else ""),
    Column(_("Buyer"), lambda i: i.buyer_name),
    Column(_("Organisation"), lambda i: i.buyer_organisation),
    Column(_("Country"), lambda i: str(i.buyer_country)),
    Column(_("VAT number"), lambda i: i.buyer_vat_number),
    Column(_("Currency"), lambda i: i.currency),
    Column(_("Net"), lambda i: quantize(i.net, i.currency), AMOUNT),
    Column(_("VAT rate (%)"), lambda i: i.vat_rate, AMOUNT),
    Column(_("VAT"), lambda i: quantize(i.vat, i.currency), AMOUNT),
    Column(_("Gross"), lambda i: quantize(i.gross, i.currency), AMOUNT),
    Column(_("Reverse charge"), lambda i: "yes" if i.reverse_charge else ""),
    Column(_("Status"), lambda i: str(i.get_status_display())),
    Column(_("Registration"), lambda i: i.registration.reference),
    Column(_("Payment reference"), lambda i: i.payment_reference),
)


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == TEXT:
        return neutralise(str(value))
    return str(value) if kind == AMOUNT else value.isoformat()


def csv_rows(documents: Iterable[Invoice]) -> Iterator[str]:
    """The CSV text, a header then one line per document, as chunks to stream (UTF-8 with a
    byte-order mark so spreadsheet programs read the Cyrillic right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([str(column.header) for column in COLUMNS])
    for count, document in enumerate(documents, start=1):
        writer.writerow([_csv_value(c.value(document), c.kind) for c in COLUMNS])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(documents: Iterable[Invoice], target) -> None:
    """The list as an XLSX workbook (openpyxl's write-only mode) written to `target`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Invoices")))
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for document in documents:
        row = []
        for column in COLUMNS:
            value = column.value(document)
            if column.kind == TEXT:
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value or "")))
                cell.data_type = "s"  # never a formula, whatever it starts with
            else:
                cell = WriteOnlyCell(sheet, value=value)
            row.append(cell)
        sheet.append(row)
    workbook.save(target)
