"""SWIFT MT940 statements, read by the mt-940 library."""

import datetime
import re

import mt940
from django.utils.translation import gettext

from ..errors import StatementError
from . import ParsedLine, ParsedStatement, check_line_count, clean_text
from .csv_layout import decode

# Structured :86: fields some banks write (/ORDP/ the ordering party, /NAME/ its name).
_PAYER = re.compile(r"/(?:ORDP|NAME)/([^/]+)")
_TAG = re.compile(r"^:(20|25|61):", re.MULTILINE)


def _compact_account(value) -> str:
    parts = [re.sub(r"\W", "", part).upper() for part in str(value or "").split("/")]
    parts = [part for part in parts if part and not re.fullmatch(r"[A-Z]{3}", part)]
    return parts[-1] if parts else ""


def parse(content: bytes, *, currency: str) -> ParsedStatement:
    text = decode(content)
    if not _TAG.search(text) or ":61:" not in text and ":25:" not in text:
        raise StatementError(gettext("This file is not an MT940 statement."))
    check_line_count(text.count(":61:"))
    try:
        transactions = mt940.parse(text)
    except Exception as error:  # the library raises plain ValueErrors and others
        raise StatementError(
            gettext("The MT940 statement could not be read: %(error)s")
            % {"error": clean_text(str(error), 200)}
        ) from None
    statement = ParsedStatement(
        # ":25:" is "IBAN" or "bank code/account", sometimes with a currency after a slash.
        account=_compact_account(transactions.data.get("account_identification")),
        bank_statement_id=clean_text(transactions.data.get("transaction_reference"), 100),
    )
    for transaction in transactions:
        data = transaction.data
        amount = data.get("amount")
        date = data.get("date")
        if amount is None or date is None:
            raise StatementError(gettext("This file is not an MT940 statement."))
        details = " ".join(
            part for part in (data.get("transaction_details"), data.get("extra_details")) if part
        )
        payer = _PAYER.search(details or "")
        bank_id = data.get("bank_reference") or ""
        if bank_id.upper() == "NONREF":
            bank_id = ""
        statement.lines.append(
            ParsedLine(
                booked_on=datetime.date(date.year, date.month, date.day),
                amount=amount.amount,
                currency=(amount.currency or data.get("currency") or currency).upper(),
                reference=clean_text(details, 2000),
                counterparty=clean_text(payer.group(1) if payer else "", 300),
                bank_id=clean_text(bank_id, 100),
            )
        )
    return statement
