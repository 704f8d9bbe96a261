"""Which invoices an imported statement's credits pay: by payment reference and invoice
number (spaces, case and punctuation forgiven), two invoices in one transfer, bank fees
within the tolerance, the payer's name with a typo — and what is left for a person."""

from decimal import Decimal

import pytest

from billing.models import BankStatement, Invoice, StatementLine
from billing.references import display_reference
from billing.statements.errors import StatementError
from billing.statements.services import import_statement
from tests.factories import make_category, make_delegate, make_registration

from .bank import camt_bytes, camt_entry, make_account
from .factories import invoice_of, make_billed_event, make_entity, make_paid_registration

Outcome = StatementLine.Outcome
pytestmark = pytest.mark.django_db


@pytest.fixture
def entity():
    return make_entity(vat_mode="exempt", vat_rate=Decimal("0"), invoice_prefix="MXUK")


@pytest.fixture
def account(entity):
    return make_account(entity)


@pytest.fixture
def event(entity):
    return make_billed_event(entity, currency="EUR")


def invoice_for(event, *, first_name="Aigerim", last_name="Nurlanova", price="600.00"):
    category = make_category(event, price=Decimal(price), currency="EUR")
    delegate = make_delegate(first_name=first_name, last_name=last_name)
    return invoice_of(make_registration(category, delegate=delegate))


def read(account, *entries, tolerance="15.00") -> list[StatementLine]:
    statement = import_statement(
        account,
        content=camt_bytes(list(entries)),
        file_name="november.xml",
        statement_format="camt053",
        fee_tolerance=Decimal(tolerance),
        acting_user=None,
    )
    return list(statement.lines.order_by("position").prefetch_related("allocations"))


def paid(line) -> list[tuple[str, Decimal]]:
    return [(a.invoice.number, a.amount) for a in line.allocations.select_related("invoice")]


def test_reference_typed_with_spaces_and_lower_case_matches(account, event):
    invoice = invoice_for(event)
    typed = display_reference(invoice.payment_reference).lower()

    (line,) = read(account, camt_entry(invoice.gross, text=f"registration {typed} thanks"))

    assert line.outcome == Outcome.MATCHED
    assert line.basis == StatementLine.Basis.REFERENCE
    assert line.include is True
    assert paid(line) == [(invoice.number, invoice.gross)]
    assert line.difference == 0


@pytest.mark.parametrize(
    "written",
    [
        "{prefix}-{year}-{serial:05d}",
        "{prefix}/{year}/{serial}",
        "inv {prefix_lower} {year} {serial}",
    ],
)
def test_invoice_number_written_any_way_matches(account, event, written):
    invoice = invoice_for(event)
    text = written.format(
        prefix="MXUK",
        prefix_lower="mxuk",
        year=invoice.year,
        serial=invoice.sequence_number,
    )

    (line,) = read(account, camt_entry(invoice.gross, text=text))

    assert (line.outcome, line.basis) == (Outcome.MATCHED, StatementLine.Basis.INVOICE_NUMBER)
    assert paid(line) == [(invoice.number, invoice.gross)]


def test_two_invoices_paid_in_one_transfer(account, event):
    first = invoice_for(event, price="600.00")
    second = invoice_for(event, price="250.00", first_name="Anna", last_name="Ivanova")
    text = f"{first.number} and {display_reference(second.payment_reference)}"

    (line,) = read(account, camt_entry(first.gross + second.gross, text=text))

    assert line.outcome == Outcome.MATCHED
    assert sorted(paid(line)) == sorted(
        [(first.number, first.gross), (second.number, second.gross)]
    )


def test_bank_fee_within_the_tolerance_matches_and_shows_the_shortfall(account, event):
    invoice = invoice_for(event)

    (line,) = read(
        account, camt_entry(invoice.gross - Decimal("12.00"), text=invoice.number), tolerance="15"
    )

    assert line.outcome == Outcome.MATCHED
    assert line.difference == Decimal("-12.00")
    assert paid(line) == [(invoice.number, invoice.gross - Decimal("12.00"))]


def test_shortfall_beyond_the_tolerance_needs_a_decision(account, event):
    invoice = invoice_for(event)

    (line,) = read(
        account, camt_entry(invoice.gross - Decimal("100.00"), text=invoice.number), tolerance="15"
    )

    assert line.outcome == Outcome.AMBIGUOUS
    assert line.include is False
    assert line.difference == Decimal("-100.00")
    assert list(line.candidates.all()) == [invoice]


def test_payers_name_with_a_typo_and_the_amount_match(account, event):
    invoice = invoice_for(event, first_name="Yerlan", last_name="Zhaksybekov")
    invoice_for(event, first_name="Anna", last_name="Ivanova")

    (line,) = read(account, camt_entry(invoice.gross, payer="ZHAKSYBEKOV YERLAN", text="forum fee"))
    (typo,) = read(account, camt_entry(invoice.gross, payer="Jerlan Zhaksybekow", text="fee"))

    assert (line.outcome, line.basis) == (Outcome.MATCHED, StatementLine.Basis.NAME_AND_AMOUNT)
    assert paid(line) == [(invoice.number, invoice.gross)]
    assert typo.outcome == Outcome.MATCHED


def test_two_invoices_for_the_same_name_and_amount_are_ambiguous(account, event):
    first = invoice_for(event, first_name="Anna", last_name="Ivanova")
    second = invoice_for(event, first_name="Anna", last_name="Ivanova")

    (line,) = read(account, camt_entry(first.gross, payer="Anna Ivanova"))

    assert line.outcome == Outcome.AMBIGUOUS
    assert set(line.candidates.all()) == {first, second}
    assert paid(line) == []


def test_unrelated_credit_and_debit(account, event):
    invoice_for(event)

    unrelated, debit = read(
        account,
        camt_entry("37.21", payer="HM Revenue", text="VAT refund Q3"),
        camt_entry("600.00", credit=False, text="Venue deposit"),
    )

    assert unrelated.outcome == Outcome.UNMATCHED
    assert debit.outcome == Outcome.NOT_A_PAYMENT


def test_second_transfer_for_the_same_invoice_is_not_matched_again(account, event):
    invoice = invoice_for(event)

    first, second = read(
        account,
        camt_entry(invoice.gross, text=invoice.number),
        camt_entry(invoice.gross, text=invoice.number, date="2026-11-05"),
    )

    assert first.outcome == Outcome.MATCHED
    assert second.outcome == Outcome.AMBIGUOUS
    assert second.include is False


def test_invoice_of_another_entity_is_not_matched(account, event):
    other = invoice_of(make_paid_registration())

    (line,) = read(account, camt_entry(other.gross, text=other.number))

    assert line.outcome == Outcome.UNMATCHED


def test_statement_for_another_account_is_refused_and_nothing_saved(account, event):
    invoice = invoice_for(event)
    content = camt_bytes(
        [camt_entry(invoice.gross, text=invoice.number)], iban="DE89370400440532013000"
    )

    with pytest.raises(StatementError, match="DE89370400440532013000"):
        import_statement(
            account,
            content=content,
            file_name="wrong.xml",
            statement_format="camt053",
            fee_tolerance=Decimal("0"),
            acting_user=None,
        )

    assert not BankStatement.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).payments.count() == 0
