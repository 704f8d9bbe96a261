"""CSV statements, whose columns differ from bank to bank: the layout (which column holds
the date, the amount, …; the separator; decimal comma or point; the date format) comes from
the bank account's `StatementSettings` or from the upload form."""

import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from ..errors import StatementError
from . import ParsedLine, ParsedStatement, check_line_count, clean_text

AUTO_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d.%m.%y", "%Y%m%d")
_CURRENCY = re.compile(r"\A[A-Z]{3}\Z")
# What banks put inside numbers besides digits and the decimal separator: thousands
# separators (space, no-break spaces, apostrophe) and currency signs.
_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f'’€$£₸]")


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1251 (Kazakh and Russian banks' exports)."""
    if b"\x00" in content:
        raise StatementError(gettext("This file is not a statement (it is not text)."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1251")
        except UnicodeDecodeError:
            raise StatementError(gettext("The file's text encoding is not readable.")) from None


def parse_amount(value: str, decimal_separator: str) -> Decimal:
    text = _NUMBER_NOISE.sub("", value).replace("−", "-")
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    if decimal_separator == ",":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    if text.endswith("-"):  # "250.00-", as some banks write a debit
        text = "-" + text[:-1]
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not amount.is_finite():
        raise ValueError(value)
    return amount


def parse_date(value: str, date_format: str) -> datetime.date:
    formats = (date_format,) if date_format else AUTO_DATE_FORMATS
    for each in formats:
        try:
            return datetime.datetime.strptime(value.strip(), each).date()
        except ValueError:
            continue
    raise ValueError(value)


def _column_index(spec: str, headings: list[str], label: str, *, required: bool) -> int | None:
    spec = (spec or "").strip()
    if not spec:
        if required:
            raise StatementError(gettext("Say which column holds the %(what)s.") % {"what": label})
        return None
    if spec.isdigit():
        index = int(spec) - 1
        if 0 <= index < len(headings):
            return index
    else:
        wanted = spec.casefold()
        for index, heading in enumerate(headings):
            if heading.strip().casefold() == wanted:
                return index
    raise StatementError(
        gettext(
            "The file has no column “%(column)s” for the %(what)s. Its columns are: %(headings)s."
        )
        % {"column": spec, "what": label, "headings": ", ".join(h.strip() for h in headings)}
    )


def parse(content: bytes, *, layout, currency: str) -> ParsedStatement:
    text = decode(content)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=layout.delimiter))
    except csv.Error:
        raise StatementError(gettext("This file is not a readable CSV statement.")) from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise StatementError(gettext("The file is empty."))
    headings, body = rows[0], rows[1:]
    check_line_count(len(body))
    columns = {
        "date": _column_index(layout.date_column, headings, gettext("date"), required=True),
        "amount": _column_index(layout.amount_column, headings, gettext("amount"), required=True),
        "reference": _column_index(
            layout.reference_column, headings, gettext("reference"), required=True
        ),
        "currency": _column_index(
            layout.currency_column, headings, gettext("currency"), required=False
        ),
        "counterparty": _column_index(
            layout.counterparty_column, headings, gettext("payer"), required=False
        ),
        "bank_id": _column_index(
            layout.bank_id_column, headings, gettext("bank's transaction id"), required=False
        ),
    }
    statement = ParsedStatement()
    for number, row in enumerate(body, start=2):

        def cell(name, row=row):
            index = columns[name]
            return row[index] if index is not None and index < len(row) else ""

        try:
            booked_on = parse_date(cell("date"), layout.date_format)
        except ValueError:
            raise StatementError(
                gettext("Line %(line)d: “%(value)s” is not a date in the expected format.")
                % {"line": number, "value": clean_text(cell("date"), 40)}
            ) from None
        try:
            amount = parse_amount(cell("amount"), layout.decimal_separator)
        except ValueError:
            raise StatementError(
                gettext("Line %(line)d: “%(value)s” is not an amount.")
                % {"line": number, "value": clean_text(cell("amount"), 40)}
            ) from None
        line_currency = cell("currency").strip().upper() or currency
        if not _CURRENCY.match(line_currency):
            raise StatementError(
                gettext("Line %(line)d: “%(value)s” is not a currency code.")
                % {"line": number, "value": clean_text(line_currency, 40)}
            )
        statement.lines.append(
            ParsedLine(
                booked_on=booked_on,
                amount=amount,
                currency=line_currency,
                reference=clean_text(cell("reference"), 2000),
                counterparty=clean_text(cell("counterparty"), 300),
                bank_id=clean_text(cell("bank_id"), 100),
            )
        )
    return statement
