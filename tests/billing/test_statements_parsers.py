"""Statement files read into lines: CSV laid out per bank, MT940, CAMT.053, and the
messages a person gets for a file that is not what it should be."""

import datetime
from decimal import Decimal

import pytest

from billing.models import StatementSettings
from billing.statements.errors import StatementError
from billing.statements.parsers import parse_statement

from .bank import IBAN, camt_bytes, camt_entry, csv_bytes, mt940_bytes


def layout(**fields) -> StatementSettings:
    return StatementSettings(**fields)


def parse_csv(content, **fields):
    return parse_statement(content, statement_format="csv", layout=layout(**fields), currency="EUR")


def test_csv_default_layout_reads_signed_amounts_and_iso_dates():
    content = csv_bytes(
        [
            ["Date", "Amount", "Description"],
            ["2026-11-02", "600.00", "MX26 4821 173 registration"],
            ["2026-11-03", "-12.50", "Bank charges"],
            ["2026-11-04", "1,250.00", "Two delegates"],
        ]
    )

    statement = parse_csv(content)

    assert [(line.booked_on, line.amount, line.currency) for line in statement.lines] == [
        (datetime.date(2026, 11, 2), Decimal("600.00"), "EUR"),
        (datetime.date(2026, 11, 3), Decimal("-12.50"), "EUR"),
        (datetime.date(2026, 11, 4), Decimal("1250.00"), "EUR"),
    ]
    assert statement.lines[0].reference == "MX26 4821 173 registration"


def test_csv_semicolons_decimal_comma_numbered_columns_and_windows_1251():
    content = csv_bytes(
        [
            ["Дата", "Сумма", "Валюта", "Назначение", "Плательщик", "ID"],
            ["02.11.2026", "250 000,00", "kzt", "Счёт MXKZ-2026-00007", "ТОО Дала", "KZ-1"],
            ["03.11.2026", "1.500,50", "KZT", "Оплата", "Иванов", "KZ-2"],
        ],
        delimiter=";",
        encoding="cp1251",
    )

    statement = parse_csv(
        content,
        delimiter=";",
        decimal_separator=",",
        date_format="%d.%m.%Y",
        date_column="1",
        amount_column="2",
        currency_column="3",
        reference_column="4",
        counterparty_column="5",
        bank_id_column="6",
    )

    first, second = statement.lines
    assert (first.amount, first.currency, first.counterparty, first.bank_id) == (
        Decimal("250000.00"),
        "KZT",
        "ТОО Дала",
        "KZ-1",
    )
    assert first.reference == "Счёт MXKZ-2026-00007"
    assert (second.booked_on, second.amount) == (datetime.date(2026, 11, 3), Decimal("1500.50"))


def test_csv_headings_are_matched_without_regard_to_case_or_spaces():
    content = csv_bytes([[" booking date ", "AMOUNT", "details"], ["30/11/2026", "10", "x"]])

    statement = parse_csv(
        content, date_column="Booking Date", amount_column="amount", reference_column="Details"
    )

    assert statement.lines[0].booked_on == datetime.date(2026, 11, 30)


def test_csv_missing_column_names_it_and_lists_the_files_columns():
    content = csv_bytes([["Value date", "Sum", "Text"], ["2026-11-02", "1", "x"]])

    with pytest.raises(StatementError) as raised:
        parse_csv(content)

    assert "“Date”" in str(raised.value)
    assert "Value date, Sum, Text" in str(raised.value)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["2026-13-45", "10", "x"], "Line 2: “2026-13-45” is not a date"),
        (["2026-11-02", "ten euros", "x"], "Line 2: “ten euros” is not an amount"),
    ],
)
def test_csv_bad_cell_is_reported_with_its_line(row, message):
    content = csv_bytes([["Date", "Amount", "Description"], row])

    with pytest.raises(StatementError, match=message):
        parse_csv(content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n\n", "The file is empty."),
        (b"Date,Amount,Description\n", "The statement has no bookings."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a statement"),
    ],
)
def test_csv_empty_or_binary_file_is_refused(content, message):
    with pytest.raises(StatementError, match=message):
        parse_csv(content)


def test_csv_with_more_lines_than_allowed_is_refused(settings):
    settings.BILLING_STATEMENT_MAX_LINES = 2
    content = csv_bytes([["Date", "Amount", "Description"]] + [["2026-11-02", "1", "x"]] * 3)

    with pytest.raises(StatementError, match="more than 2 lines"):
        parse_csv(content)


def test_mt940_lines_account_and_bank_ids():
    content = mt940_bytes(
        [
            ("261102", "600,00", "C", "/REMI/MX26 4821 173/ORDP/ACME MINING LTD", "B6K02"),
            ("261103", "12,50", "D", "Bank charges", ""),
        ]
    )

    statement = parse_statement(content, statement_format="mt940", currency="EUR")

    assert statement.account == IBAN
    assert statement.bank_statement_id == "STMT2026110"
    credit, debit = statement.lines
    assert (credit.booked_on, credit.amount, credit.currency) == (
        datetime.date(2026, 11, 2),
        Decimal("600.00"),
        "EUR",
    )
    assert credit.counterparty == "ACME MINING LTD"
    assert credit.bank_id == "B6K02"
    assert "MX26 4821 173" in credit.reference
    assert debit.amount == Decimal("-12.50")
    assert debit.bank_id == ""


def test_mt940_refuses_a_file_that_is_not_one():
    with pytest.raises(StatementError, match="not an MT940 statement"):
        parse_statement(b"Dear secretariat, please find", statement_format="mt940", currency="EUR")


def test_camt053_entries_batches_and_debits():
    content = camt_bytes(
        [
            camt_entry("600.00", text="MX26 4821 173", payer="Acme Mining Ltd", ref="TX-1"),
            camt_entry(
                "850.00",
                date="2026-11-03",
                transactions=[
                    ("600.00", "Invoice UK1-2026-00002", "Steppe Minerals", "TX-2"),
                    ("250.00", "Invoice UK1-2026-00003", "Dr Anna Ivanova", "TX-3"),
                ],
            ),
            camt_entry("15.00", credit=False, text="Account fee"),
        ]
    )

    statement = parse_statement(content, statement_format="camt053", currency="EUR")

    assert statement.account == IBAN
    assert statement.bank_statement_id == "STMT-2026-11"
    assert [(line.amount, line.counterparty, line.bank_id) for line in statement.lines] == [
        (Decimal("600.00"), "Acme Mining Ltd", "TX-1"),
        (Decimal("600.00"), "Steppe Minerals", "TX-2"),
        (Decimal("250.00"), "Dr Anna Ivanova", "TX-3"),
        (Decimal("-15.00"), "", ""),
    ]
    assert statement.lines[2].booked_on == datetime.date(2026, 11, 3)
    assert statement.lines[2].reference == "Invoice UK1-2026-00003"


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body>not a statement</body></html>",
        b"<Document><BkToCstmrStmt><broken>",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<Document>&b;</Document>",
    ],
    ids=["html", "broken-xml", "entity-expansion"],
)
def test_camt053_refuses_what_is_not_a_statement(content):
    with pytest.raises(StatementError, match="not a CAMT.053 statement"):
        parse_statement(content, statement_format="camt053", currency="EUR")
