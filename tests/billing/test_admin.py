"""Billing in the admin: who may see it, scoping to one's forums, read-only documents, the
record-a-payment page, IBAN checks, and the changelists' query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from billing.models import BankAccount, Payment
from billing.services import record_payment
from registrations.roles import ORGANISER, SECRETARIAT
from tests.billing.factories import invoice_of, make_billed_event, make_entity
from tests.factories import make_category, make_delegate, make_forum, make_registration
from tests.registrations.admin.conftest import make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/billing/invoice/"


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def two_forums(roles):
    entity = make_entity()
    forum_a, forum_b = make_forum(), make_forum()
    invoices = {}
    for name, forum in (("a", forum_a), ("b", forum_b)):
        event = make_billed_event(entity)
        event.forum = forum
        event.save(update_fields=["forum"])
        invoices[name] = invoice_of(make_registration(make_category(event)))
    return forum_a, forum_b, invoices


def _client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_permission_matrix_for_the_invoice_list(two_forums):
    forum_a, _forum_b, invoices = two_forums
    people = {
        "anonymous": (None, 302),
        "delegate": (make_delegate(), 302),
        "organiser": (make_staff("org@example.com", group=ORGANISER, forums=[forum_a]), 403),
        "secretariat": (make_staff("sec@example.com", group=SECRETARIAT), 200),
        "superuser": (make_staff("root@example.com", is_superuser=True), 200),
    }
    for name, (user, expected) in people.items():
        response = _client(user).get(CHANGELIST)
        assert response.status_code == expected, name
        if expected == 200:
            page = response.content.decode()
            assert invoices["a"].number in page and invoices["b"].number in page


def test_organiser_sees_no_billing_section_nor_a_document(two_forums):
    forum_a, _forum_b, invoices = two_forums
    organiser = _client(make_staff("org@example.com", group=ORGANISER, forums=[forum_a]))

    assert "billing" not in organiser.get("/en/admin/").content.decode().lower()
    assert organiser.get(f"{CHANGELIST}{invoices['a'].pk}/change/").status_code == 403
    record = f"{CHANGELIST}{invoices['a'].pk}/record-payment/"
    assert organiser.get(record).status_code == 403


def test_billing_permission_outside_the_secretariat_is_scoped_to_ones_forums(two_forums):
    forum_a, _forum_b, invoices = two_forums
    accountant = make_staff("acc@example.com", group=ORGANISER, forums=[forum_a])
    accountant.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="billing", codename__in=["view_billing", "view_invoice"]
        )
    )

    page = _client(accountant).get(CHANGELIST).content.decode()

    assert invoices["a"].number in page and invoices["b"].number not in page
    other = _client(accountant).get(f"{CHANGELIST}{invoices['b'].pk}/change/")
    assert other.status_code in (302, 404)


def test_issued_invoice_page_is_read_only(two_forums):
    invoice = two_forums[2]["a"]
    client = _client(make_staff("sec@example.com", group=SECRETARIAT))

    page = client.get(f"{CHANGELIST}{invoice.pk}/change/").content.decode()
    client.post(f"{CHANGELIST}{invoice.pk}/change/", {"buyer_name": "Changed"})
    deleted = client.post(f"{CHANGELIST}{invoice.pk}/delete/", {"post": "yes"})

    assert 'name="buyer_name"' not in page
    assert deleted.status_code == 403
    invoice.refresh_from_db()
    assert invoice.buyer_name != "Changed"


def test_secretariat_records_a_payment_and_sees_the_underpayment(two_forums):
    invoice = two_forums[2]["a"]  # 500 net + 20% = 600
    secretariat = make_staff("sec@example.com", group=SECRETARIAT)
    client = _client(secretariat)
    url = f"{CHANGELIST}{invoice.pk}/record-payment/"

    response = client.post(
        url,
        {"amount": "450.00", "received_on": "2026-11-01", "method": "transfer",
         "bank_reference": "BANK-REF-77"},
    )  # fmt: skip

    assert response.status_code == 302
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.amount, payment.recorded_by, payment.bank_reference) == (
        Decimal("450"),
        secretariat,
        "BANK-REF-77",
    )
    page = client.get(url).content.decode()
    assert "Partly paid" in page and "€150.00" in page
    changelist = client.get(CHANGELIST).content.decode()
    assert "Partly paid (€150.00 due)" in changelist


def test_refund_beyond_the_overpayment_is_refused_with_a_message(two_forums):
    invoice = two_forums[2]["a"]
    client = _client(make_staff("sec@example.com", group=SECRETARIAT))
    url = f"{CHANGELIST}{invoice.pk}/record-payment/"

    response = client.post(
        url, {"amount": "10", "received_on": "2026-11-01", "method": "transfer", "is_refund": "on"}
    )

    assert response.status_code == 400
    assert "can be refunded" in response.content.decode()
    assert not Payment.objects.exists()


def test_bank_account_iban_and_bic_are_checked_and_written_compactly(roles):
    entity = make_entity()
    client = _client(make_staff("sec@example.com", group=SECRETARIAT))
    url = f"/en/admin/billing/issuingentity/{entity.pk}/change/"

    def post(iban, bic):
        return client.post(
            url,
            {
                "legal_name": entity.legal_name,
                "address": entity.address,
                "country": "GB",
                "vat_mode": "standard",
                "vat_rate": "20",
                "invoice_prefix": entity.invoice_prefix,
                "invoice_languages": "en",
                "bank_accounts-TOTAL_FORMS": "1",
                "bank_accounts-INITIAL_FORMS": "0",
                "bank_accounts-0-currency": "EUR",
                "bank_accounts-0-bank_name": "Bank of Ireland",
                "bank_accounts-0-iban": iban,
                "bank_accounts-0-bic": bic,
                "bank_accounts-0-is_default": "on",
            },
        )

    refused = post("GB82 WEST 1234 5698 7654 33", "NWBKGB2L")  # one digit off
    assert refused.status_code == 200 and "This is not a valid IBAN." in refused.content.decode()
    assert post("gb82 west 1234 5698 7654 32", "NWBKGB2L").status_code == 302
    assert BankAccount.objects.get(entity=entity).iban == "GB82WEST12345698765432"


@pytest.mark.parametrize("path", [CHANGELIST, "/en/admin/billing/payment/"])
def test_changelists_make_as_many_queries_for_three_rows_as_for_one(roles, path):
    client = _client(make_staff("sec@example.com", group=SECRETARIAT))
    one = _count(client, path, 1)
    three = _count(client, path, 3)  # four rows on the page now: one plus three
    assert one == three


def _count(client, path, rows):
    entity = make_entity()
    category = make_category(make_billed_event(entity))
    for _ in range(rows):
        invoice = invoice_of(make_registration(category))
        record_payment(
            invoice, amount=1, received_on=datetime.date(2026, 11, 1), method="card",
            acting_user=None,
        )  # fmt: skip
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)
