"""Applying a reviewed statement books payments through record_payment — and importing and
applying the same statement again books nothing twice."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from billing.models import BankStatement, Payment, StatementLine
from billing.selectors import PaymentState, payment_status
from billing.statements.errors import StatementError
from billing.statements.services import apply_statement, choose_invoice, import_statement
from tests.factories import make_category, make_delegate, make_registration

from .bank import camt_bytes, camt_entry, make_account, mt940_bytes
from .factories import invoice_of, make_billed_event, make_entity

Outcome = StatementLine.Outcome


@pytest.fixture
def world(db):
    entity = make_entity(vat_mode="exempt", vat_rate=Decimal("0"), invoice_prefix="MXUK")
    event = make_billed_event(entity, currency="EUR")
    category = make_category(event, price=Decimal("600.00"), currency="EUR")
    first = invoice_of(make_registration(category, delegate=make_delegate(last_name="First")))
    second = invoice_of(make_registration(category, delegate=make_delegate(last_name="Second")))
    return make_account(entity), first, second


def statement_file(first, second) -> bytes:
    return camt_bytes(
        [
            camt_entry(first.gross - Decimal("10"), text=first.number, ref="TX-1"),
            camt_entry(second.gross, text=second.payment_reference, ref="TX-2"),
            camt_entry("99.00", payer="Unknown", text="?"),
        ]
    )


def import_file(account, content, user=None) -> BankStatement:
    return import_statement(
        account,
        content=content,
        file_name="november.xml",
        statement_format="camt053",
        fee_tolerance=Decimal("15"),
        acting_user=user,
    )


def test_apply_books_the_matched_lines_and_the_registrations_show_paid(
    world, django_capture_on_commit_callbacks
):
    account, first, second = world
    statement = import_file(account, statement_file(first, second))

    with django_capture_on_commit_callbacks(execute=True):
        result = apply_statement(statement, acting_user=None)

    assert (result.lines_booked, result.payments, result.already_booked) == (2, 2, 0)
    payment = Payment.objects.get(invoice=first)
    assert (payment.amount, payment.source, payment.method, payment.bank_reference) == (
        first.gross - Decimal("10"),
        Payment.Source.STATEMENT,
        Payment.Method.TRANSFER,
        "TX-1",
    )
    assert payment.external_id == "stmt:" + statement.lines.get(position=1).fingerprint
    assert payment_status(second.registration).state == PaymentState.PAID
    status = payment_status(first.registration)
    assert (status.state, status.underpaid) == (PaymentState.PARTLY_PAID, Decimal("10.00"))
    statement.refresh_from_db()
    assert statement.status == BankStatement.Status.APPLIED


def test_the_same_statement_imported_twice_books_nothing_twice(world):
    account, first, second = world
    content = statement_file(first, second)
    apply_statement(import_file(account, content), acting_user=None)

    again = import_file(account, content)
    outcomes = list(again.lines.order_by("position").values_list("outcome", flat=True))
    result = apply_statement(again, acting_user=None)

    assert outcomes == [Outcome.ALREADY_BOOKED, Outcome.ALREADY_BOOKED, Outcome.UNMATCHED]
    assert result.payments == 0
    assert Payment.objects.count() == 2


def test_two_imports_reviewed_side_by_side_book_once(world):
    """Both imports were read before either was applied: the second apply finds the first's
    payments by their fingerprints."""
    account, first, second = world
    content = statement_file(first, second)
    one, two = import_file(account, content), import_file(account, content)

    apply_statement(one, acting_user=None)
    result = apply_statement(two, acting_user=None)

    assert (result.lines_booked, result.already_booked) == (0, 2)
    assert Payment.objects.count() == 2


def test_same_statement_in_mt940_twice_books_once(world):
    account, first, _second = world
    amount = f"{first.gross:.2f}".replace(".", ",")
    content = mt940_bytes([("261102", amount, "C", f"/REMI/{first.number}", "B1")])
    for _ in range(2):
        statement = import_statement(
            account,
            content=content,
            file_name="nov.sta",
            statement_format="mt940",
            fee_tolerance=Decimal("0"),
            acting_user=None,
        )
        apply_statement(statement, acting_user=None)

    assert Payment.objects.filter(invoice=first).count() == 1


def test_identical_transfers_on_one_statement_are_two_lines(world):
    """The same payer sending the same amount with the same text twice a day: two bookings,
    two fingerprints."""
    account, first, _second = world
    entry = camt_entry(first.gross, text=first.number)
    statement = import_file(account, camt_bytes([entry, entry]))

    fingerprints = set(statement.lines.values_list("fingerprint", flat=True))

    assert len(fingerprints) == 2


def test_a_statement_is_applied_once(world):
    account, first, second = world
    statement = import_file(account, statement_file(first, second))
    apply_statement(statement, acting_user=None)

    with pytest.raises(StatementError, match="already been applied"):
        apply_statement(statement, acting_user=None)


def test_reviewers_choice_for_an_unmatched_line_is_booked(world):
    account, first, second = world
    statement = import_file(account, camt_bytes([camt_entry(first.gross, payer="ACME")]))
    line = statement.lines.get()
    assert line.outcome == Outcome.UNMATCHED

    choose_invoice(line, invoice=first)
    apply_statement(statement, acting_user=None)

    assert Payment.objects.get().invoice == first


@pytest.mark.django_db(transaction=True)
def test_concurrent_applies_of_two_imports_book_each_line_once():
    entity = make_entity(vat_mode="exempt", vat_rate=Decimal("0"), invoice_prefix="MXCC")
    event = make_billed_event(entity, currency="EUR")
    category = make_category(event, price=Decimal("600.00"), currency="EUR")
    invoices = [invoice_of(make_registration(category, delegate=make_delegate())) for _ in range(3)]
    account = make_account(entity)
    content = camt_bytes([camt_entry(each.gross, text=each.number) for each in invoices])
    statements = [import_file(account, content) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def apply(statement):
        try:
            barrier.wait(timeout=10)
            apply_statement(statement, acting_user=None)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=apply, args=(each,)) for each in statements]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Payment.objects.count() == 3
