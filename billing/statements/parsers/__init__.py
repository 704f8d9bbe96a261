"""Statement files turned into plain lines: CSV with columns set per bank account or upload,
SWIFT MT940 (through the mt-940 library) and ISO 20022 CAMT.053 (XML, read with defusedxml).

Every parser returns a `ParsedStatement` or raises `StatementError` with a translated
sentence; nothing here touches the database.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext

from ..errors import StatementError


@dataclass(frozen=True)
class ParsedLine:
    booked_on: datetime.date
    amount: Decimal  # signed: a credit (money in) is positive
    currency: str
    reference: str = ""
    counterparty: str = ""
    bank_id: str = ""


@dataclass
class ParsedStatement:
    lines: list[ParsedLine] = field(default_factory=list)
    account: str = ""  # the IBAN or account number the file names, compact; "" if none
    bank_statement_id: str = ""


def check_line_count(count: int) -> None:
    """Refuse a statement with more lines than BILLING_STATEMENT_MAX_LINES."""
    limit = settings.BILLING_STATEMENT_MAX_LINES
    if count > limit:
        raise StatementError(
            gettext("The statement has more than %(limit)d lines; split it into smaller files.")
            % {"limit": limit}
        )


def check_not_empty(statement: ParsedStatement) -> ParsedStatement:
    if not statement.lines:
        raise StatementError(gettext("The statement has no bookings."))
    return statement


def clean_text(value: str | None, limit: int) -> str:
    """One line of text: whitespace collapsed, control characters gone, cut to `limit`."""
    text = " ".join((value or "").split())
    return "".join(char for char in text if char.isprintable())[:limit]


def parse_statement(content: bytes, *, statement_format: str, layout=None, currency: str):
    """`content` read as `statement_format` ("csv", "mt940", "camt053"); `layout` is the CSV
    layout (`StatementSettings` or a form's equivalent), `currency` the account's, used when
    a line names none."""
    from . import camt053, csv_layout, mt940_format

    if not content or not content.strip():
        raise StatementError(gettext("The file is empty."))
    if statement_format == "csv":
        statement = csv_layout.parse(content, layout=layout, currency=currency)
    elif statement_format == "mt940":
        statement = mt940_format.parse(content, currency=currency)
    elif statement_format == "camt053":
        statement = camt053.parse(content)
    else:
        raise StatementError(gettext("Unknown statement format."))
    return check_not_empty(statement)
