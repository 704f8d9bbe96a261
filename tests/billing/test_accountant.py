"""The accountant's list (CSV and XLSX per entity and period, formula-safe) and the
dashboard's totals per currency, which organisers see too."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from billing.services import record_payment
from registrations.roles import ORGANISER, SECRETARIAT
from registrations.services import cancel_registration
from tests.billing.factories import invoice_of, make_billed_event, make_entity
from tests.factories import make_category, make_delegate, make_registration
from tests.registrations.admin.conftest import make_staff

pytestmark = pytest.mark.django_db

URL = "/en/staff/billing/documents/"


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def documents(roles):
    entity = make_entity(invoice_prefix="ACC")
    event = make_billed_event(entity, cancellation_fee_percent=Decimal("10"))
    category = make_category(event, price=Decimal("600"))
    hostile = make_delegate(first_name="=HYPERLINK(1)", last_name="Nurlanova")
    kept = make_registration(category, delegate=hostile)
    cancelled = make_registration(category)
    cancel_registration(cancelled, acting_user=cancelled.delegate)
    return entity, event, kept, cancelled


def _get(client, entity, file_format):
    today = timezone.localdate()
    return client.get(
        URL,
        {"entity": entity.pk, "start": today - datetime.timedelta(days=1), "end": today,
         "format": file_format},
    )  # fmt: skip


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_csv_lists_invoices_and_credit_notes_formula_safe(documents):
    entity, _event, kept, cancelled = documents
    client = Client()
    client.force_login(make_staff("sec@example.com", group=SECRETARIAT))

    response = _get(client, entity, "csv")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    header, lines = rows[0], rows[1:]
    assert header[:3] == ["Number", "Kind", "Date"]
    year = timezone.localdate().year
    assert [line[0] for line in lines] == [f"ACC-{year}-0000{n}" for n in (1, 2, 3)]
    assert [line[1] for line in lines] == ["Invoice", "Invoice", "Credit note"]
    buyer = header.index("Buyer")
    assert lines[0][buyer] == "'=HYPERLINK(1) Nurlanova"
    gross = header.index("Gross")
    assert [line[gross] for line in lines] == ["720.00", "720.00", "-720.00"]
    assert lines[2][header.index("Credits invoice")] == f"ACC-{year}-00002"


def test_xlsx_has_numbers_as_numbers_and_text_never_as_formula(documents):
    entity, *_ = documents
    client = Client()
    client.force_login(make_staff("sec@example.com", group=SECRETARIAT))

    response = _get(client, entity, "xlsx")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert rows[1][header.index("Buyer")] == "=HYPERLINK(1) Nurlanova"
    assert sheet.cell(row=2, column=header.index("Buyer") + 1).data_type == "s"
    assert rows[3][header.index("Gross")] == -720


def test_accountant_list_needs_the_billing_permission(documents):
    entity, event, *_ = documents
    organiser = make_staff("org@example.com", group=ORGANISER, forums=[event.forum])
    client = Client()
    client.force_login(organiser)
    assert _get(client, entity, "csv").status_code == 403
    assert Client().get(URL).status_code == 302


def test_period_ending_before_it_starts_is_refused(documents):
    entity, *_ = documents
    client = Client()
    client.force_login(make_staff("sec@example.com", group=SECRETARIAT))
    response = client.get(
        URL, {"entity": entity.pk, "start": "2026-05-02", "end": "2026-05-01", "format": "csv"}
    )
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()


def test_dashboard_shows_invoiced_and_paid_per_currency_to_organisers(documents):
    _entity, event, kept, _cancelled = documents
    invoice = invoice_of(kept)
    record_payment(
        invoice, amount=Decimal("700"), received_on=invoice.issued_on, method="transfer",
        acting_user=None,
    )  # fmt: skip
    organiser = make_staff("org@example.com", group=ORGANISER, forums=[event.forum])
    client = Client()
    client.force_login(organiser)

    page = client.get(f"/en/staff/events/{event.slug}/dashboard/").content.decode()

    # 720 + 720 - 720 invoiced, 700 paid.
    assert '<tr data-currency="EUR"><th scope="row">EUR</th><td class="number">€720.00</td>' in page
    assert "€700.00" in page and "€20.00" in page
    assert "Invoices and credit notes for the accountant" not in page


def test_delegate_sees_payment_status_reference_and_documents(client):
    from tests.billing.factories import make_paid_registration

    registration = make_paid_registration(price="500.00")
    invoice = invoice_of(registration)
    record_payment(
        invoice, amount=Decimal("200"), received_on=invoice.issued_on, method="card",
        acting_user=None,
    )  # fmt: skip
    client.force_login(registration.delegate)

    page = client.get(f"/en/my/registrations/{registration.reference}/").content.decode()

    assert 'data-payment-state="partly_paid"' in page
    assert "€400.00" in page  # 600 with VAT, 200 paid
    assert invoice.payment_reference_display in page
    assert f'data-document="{invoice.number}"' in page
