"""The secretariat's statement pages: upload, review, apply; bad files; who may see them; and
a fixed number of queries whatever the number of statements or lines."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import BankStatement, Payment, StatementLine, StatementSettings
from billing.selectors import PaymentState, payment_status
from tests.factories import make_category, make_delegate, make_registration

from .bank import (
    camt_bytes,
    camt_entry,
    client_for,
    csv_bytes,
    make_account,
    organiser_user,
    secretariat_user,
)
from .factories import invoice_of, make_billed_event, make_entity

pytestmark = pytest.mark.django_db
ADD = reverse("admin:billing_bankstatement_add")
CHANGELIST = reverse("admin:billing_bankstatement_changelist")


@pytest.fixture
def world():
    entity = make_entity(vat_mode="exempt", vat_rate=Decimal("0"), invoice_prefix="MXUK")
    event = make_billed_event(entity, currency="EUR")
    category = make_category(event, price=Decimal("600.00"), currency="EUR")
    invoices = [
        invoice_of(make_registration(category, delegate=make_delegate(last_name=name)))
        for name in ("Abenova", "Bekova", "Serikova")
    ]
    return make_account(entity), invoices


def upload(client, account, content, *, name="november.xml", fmt="camt053", **fields):
    data = {
        "bank_account": account.pk,
        "statement_format": fmt,
        "file": SimpleUploadedFile(name, content),
        **fields,
    }
    return client.post(ADD, data)


def review_url(statement):
    return reverse("admin:billing_bankstatement_change", args=[statement.pk])


def test_upload_review_and_apply(world, django_capture_on_commit_callbacks):
    account, (first, second, _third) = world
    client = client_for(secretariat_user())
    content = camt_bytes(
        [
            camt_entry(first.gross, text=f"payment {first.number}"),
            camt_entry(second.gross, payer="Somebody else", text="conference"),
        ]
    )

    response = upload(client, account, content)
    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == review_url(statement)

    page = client.get(review_url(statement))
    assert page.status_code == 200
    assert first.number in page.content.decode()
    assert "No invoice found (1)" in page.content.decode()

    matched, unmatched = statement.lines.order_by("position")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review_url(statement),
            {
                "include": [str(matched.pk)],
                f"invoice-{unmatched.pk}": second.number.lower(),
                "apply": "1",
            },
            follow=True,
        )

    assert "2 lines were booked." in response.content.decode()
    assert payment_status(first.registration).state == PaymentState.PAID
    assert payment_status(second.registration).state == PaymentState.PAID
    assert Payment.objects.get(invoice=second).source == Payment.Source.STATEMENT


def test_unticked_line_is_not_booked(world):
    account, (first, second, _third) = world
    client = client_for(secretariat_user())
    upload(
        client,
        account,
        camt_bytes(
            [
                camt_entry(first.gross, text=first.number),
                camt_entry(second.gross, text=second.number),
            ]
        ),
    )
    statement = BankStatement.objects.get()
    one = statement.lines.get(position=1)

    client.post(review_url(statement), {"include": [str(one.pk)], "apply": "1"})

    assert list(Payment.objects.values_list("invoice", flat=True)) == [first.pk]


def test_the_same_file_uploaded_again_books_nothing(world):
    account, (first, _second, _third) = world
    client = client_for(secretariat_user())
    content = camt_bytes([camt_entry(first.gross, text=first.number)])
    upload(client, account, content)
    line = BankStatement.objects.get().lines.get()
    client.post(review_url(line.statement), {"include": [str(line.pk)], "apply": "1"})
    assert Payment.objects.filter(invoice=first).count() == 1

    upload(client, account, content)
    again = BankStatement.objects.latest("pk")
    page = client.get(review_url(again)).content.decode()
    response = client.post(review_url(again), {"apply": "1"}, follow=True)

    assert "Already booked (1)" in page
    assert "0 lines were booked." in response.content.decode()
    assert Payment.objects.filter(invoice=first).count() == 1


@pytest.mark.parametrize(
    ("content", "fields", "message"),
    [
        (b"", {}, "The submitted file is empty."),
        (b"<html>hello</html>", {}, "This file is not a CAMT.053 statement."),
        (
            csv_bytes([["Booked", "Sum", "Text"], ["2026-11-02", "600", "x"]]),
            {"statement_format": "csv"},
            "The file has no column “Date” for the date",
        ),
    ],
    ids=["empty", "not-a-statement", "wrong-columns"],
)
def test_bad_file_gets_a_message_and_400_and_nothing_is_saved(world, content, fields, message):
    account, _invoices = world
    client = client_for(secretariat_user())

    response = upload(client, account, content, **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BankStatement.objects.exists()
    assert not Payment.objects.exists()


def test_too_big_a_file_is_refused(world, settings):
    settings.BILLING_STATEMENT_MAX_BYTES = 1024 * 1024
    account, _invoices = world
    client = client_for(secretariat_user())

    response = upload(client, account, b"x" * (1024 * 1024 + 1))

    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.content.decode()
    assert not BankStatement.objects.exists()


def test_csv_layout_given_on_upload_can_be_saved_for_the_account(world):
    account, (first, _second, _third) = world
    client = client_for(secretariat_user())
    content = csv_bytes(
        [["Buchung", "Betrag", "Verwendungszweck"], ["02.11.2026", "600,00", first.number]],
        delimiter=";",
    )

    response = upload(
        client,
        account,
        content,
        name="nov.csv",
        fmt="csv",
        date_column="Buchung",
        amount_column="Betrag",
        reference_column="Verwendungszweck",
        delimiter=";",
        decimal_separator=",",
        remember="on",
    )

    assert response.status_code == 302
    saved = StatementSettings.objects.get(bank_account=account)
    assert (saved.amount_column, saved.delimiter, saved.decimal_separator) == ("Betrag", ";", ",")
    assert BankStatement.objects.get().lines.get().outcome == StatementLine.Outcome.MATCHED


def test_organiser_and_delegate_may_not_see_statements(world):
    account, (first, _second, _third) = world
    upload(
        client_for(secretariat_user()),
        account,
        camt_bytes([camt_entry(first.gross, text=first.number)]),
    )
    statement = BankStatement.objects.get()
    organiser = client_for(organiser_user())

    for url in (CHANGELIST, ADD, review_url(statement)):
        assert organiser.get(url).status_code == 403
    assert organiser.post(review_url(statement), {"apply": "1"}).status_code == 403
    delegate = client_for(make_delegate())
    assert delegate.get(CHANGELIST).status_code == 302  # to the login page
    assert not Payment.objects.exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_changelist_queries_do_not_grow_with_statements(world):
    account, (first, _second, _third) = world
    client = client_for(secretariat_user())
    content = camt_bytes([camt_entry(first.gross, text=first.number)])
    upload(client, account, content)
    one = _queries(client, CHANGELIST)
    upload(client, account, content)
    upload(client, account, content)

    assert _queries(client, CHANGELIST) == one


def test_review_page_queries_do_not_grow_with_lines(world):
    account, invoices = world
    client = client_for(secretariat_user())
    upload(client, account, camt_bytes([camt_entry(invoices[0].gross, text=invoices[0].number)]))
    upload(
        client,
        account,
        camt_bytes([camt_entry(each.gross, text=each.number) for each in invoices]),
    )
    small, large = BankStatement.objects.order_by("pk")

    assert _queries(client, review_url(large)) == _queries(client, review_url(small))


@pytest.mark.parametrize("typed", ["MXUK-1999-00042", "MX\x0026"], ids=["unknown", "nul"])
def test_unknown_invoice_typed_by_the_reviewer_saves_nothing(world, typed):
    account, (first, second, _third) = world
    client = client_for(secretariat_user())
    upload(
        client,
        account,
        camt_bytes(
            [camt_entry(first.gross, text=first.number), camt_entry(second.gross, payer="ACME")]
        ),
    )
    statement = BankStatement.objects.get()
    matched, unmatched = statement.lines.order_by("position")

    response = client.post(
        review_url(statement),
        {"include": [], f"invoice-{unmatched.pk}": typed, "apply": "1"},
    )

    assert response.status_code == 400
    assert "Line 2: no issued invoice" in response.content.decode()
    matched.refresh_from_db()
    assert matched.include is True  # the unticking was not saved either
    assert not Payment.objects.exists()
    statement.refresh_from_db()
    assert statement.status == BankStatement.Status.REVIEW


def test_statement_settings_changelist_queries_do_not_grow(world):
    account, _invoices = world
    client = client_for(secretariat_user())
    url = reverse("admin:billing_statementsettings_changelist")
    StatementSettings.objects.create(bank_account=account)
    one = _queries(client, url)
    for iban in ("DE89370400440532013000", "FR1420041010050500013M02606"):
        StatementSettings.objects.create(
            bank_account=make_account(account.entity, iban=iban, bic="COBADEFFXXX")
        )

    assert _queries(client, url) == one
