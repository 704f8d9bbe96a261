"""Who may download a document's PDF, how it is served, and the links to it (the delegate's
payment panel, the invoice admin)."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import DocumentRender
from mail.models import OutgoingEmail
from registrations.roles import ORGANISER, SECRETARIAT
from tests.billing.document_factories import (
    make_credit_note,
    make_invoice,
    make_uk_entity,
    reissue,
)
from tests.factories import make_delegate, make_forum, make_user
from tests.registrations.admin.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_invoice(make_uk_entity(), price="600.00")


def delegate_url(invoice) -> str:
    return reverse("billing_document_download", args=[invoice.registration.reference, invoice.pk])


def staff_url(invoice) -> str:
    return reverse("billing_staff_document_download", args=[invoice.pk])


def staff_user(*permissions: str, forum=None):
    user = make_user(is_staff=True)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    if forum is not None:
        forum.organisers.add(user)
    return user


def assert_pdf_attachment(response, invoice):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="invoice-{invoice.number}.pdf"'
    assert {"private", "no-store"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as stored:
        assert body == stored.read()


def test_the_delegate_downloads_their_own_invoice(client, invoice):
    client.force_login(invoice.registration.delegate)

    assert_pdf_attachment(client.get(delegate_url(invoice)), invoice)


def test_nobody_else_finds_a_delegates_invoice(client, invoice):
    assert client.get(delegate_url(invoice)).status_code == 302  # to the login page

    client.force_login(make_delegate())
    assert client.get(delegate_url(invoice)).status_code == 404
    # Nor through another registration's address.
    other = make_invoice(make_uk_entity())
    client.force_login(other.registration.delegate)
    url = reverse("billing_document_download", args=[other.registration.reference, invoice.pk])
    assert client.get(url).status_code == 404
    # The staff page is not for delegates either.
    assert client.get(staff_url(other)).status_code == 403


def test_a_draft_has_nothing_to_download(client):
    draft = make_invoice(make_uk_entity(), issued=False)
    client.force_login(draft.registration.delegate)

    assert client.get(delegate_url(draft)).status_code == 404


def test_a_pdf_still_being_made_answers_503_with_a_retry_time(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        pending = make_invoice(make_uk_entity())
    client.force_login(pending.registration.delegate)

    response = client.get(delegate_url(pending))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "is being made" in response.content.decode()


def test_secretariat_downloads_any_invoice_with_the_billing_permission(client, invoice):
    client.force_login(staff_user("billing.view_billing", "events.view_all_forums"))

    assert_pdf_attachment(client.get(staff_url(invoice)), invoice)


def test_staff_without_the_billing_permission_are_refused(client, invoice):
    forum = invoice.registration.event.forum
    client.force_login(staff_user("registrations.view_registration", forum=forum))

    assert client.get(staff_url(invoice)).status_code == 403


def test_billing_staff_see_only_their_forums_documents(client, invoice):
    client.force_login(staff_user("billing.view_billing", forum=make_forum()))
    assert client.get(staff_url(invoice)).status_code == 404

    client.force_login(staff_user("billing.view_billing", forum=invoice.registration.event.forum))
    assert client.get(staff_url(invoice)).status_code == 200


def test_registration_page_lists_documents_amounts_status_and_links(
    client, invoice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        credit_note = make_credit_note(invoice, fee_percent="10")
    client.force_login(invoice.registration.delegate)

    page = client.get(
        reverse("registration_detail", args=[invoice.registration.reference])
    ).content.decode()

    assert invoice.number in page and credit_note.number in page
    assert "€720.00" in page and "-€648.00" in page
    assert f'href="{delegate_url(invoice)}"' in page
    assert f'href="{delegate_url(credit_note)}"' in page


def test_registration_page_shows_what_is_still_owed_and_the_reference(client, invoice):
    client.force_login(invoice.registration.delegate)

    page = client.get(
        reverse("registration_detail", args=[invoice.registration.reference])
    ).content.decode()

    assert "Still to pay" in page and "€720.00" in page
    assert invoice.payment_reference_display in page
    assert f'href="{delegate_url(invoice)}"' in page


def _page_queries(client, registration) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("registration_detail", args=[registration.reference]))
    assert response.status_code == 200
    return len(queries)


def test_the_panel_costs_the_same_queries_for_one_and_three_documents(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        one = make_invoice(make_uk_entity())
    with django_capture_on_commit_callbacks(execute=True):
        three = make_invoice(make_uk_entity())
        make_credit_note(three)
    # A third document: an invoice issued again after the credit note.
    with django_capture_on_commit_callbacks(execute=True):
        reissue(three)

    client.force_login(one.registration.delegate)
    queries_for_one = _page_queries(client, one.registration)
    client.force_login(three.registration.delegate)
    queries_for_three = _page_queries(client, three.registration)

    assert three.registration.invoices.filter(status="issued").count() == 3
    assert queries_for_three == queries_for_one


def test_secretariat_reaches_the_pdf_from_the_invoice_admin(client, invoice):
    call_command("setup_roles", stdout=io.StringIO())
    client.force_login(make_staff("sec@example.com", group=SECRETARIAT))

    page = client.get(f"/en/admin/billing/invoice/{invoice.pk}/change/").content.decode()

    assert f'href="{staff_url(invoice)}"' in page
    assert_pdf_attachment(client.get(staff_url(invoice)), invoice)


def test_organisers_get_no_document_even_of_their_own_forum(client, invoice):
    call_command("setup_roles", stdout=io.StringIO())
    forum = invoice.registration.event.forum
    client.force_login(make_staff("org@example.com", group=ORGANISER, forums=[forum]))

    assert client.get(staff_url(invoice)).status_code == 403


def test_a_lost_pdf_file_is_made_again_on_download_and_not_sent_again(
    client, invoice, django_capture_on_commit_callbacks
):
    invoice.refresh_from_db()
    default_storage.delete(invoice.pdf.name)  # a lost disk, a restore without the media
    client.force_login(invoice.registration.delegate)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(delegate_url(invoice))
    assert response.status_code == 503

    assert_pdf_attachment(client.get(delegate_url(invoice)), invoice)
    assert OutgoingEmail.objects.filter(kind="billing.invoice").count() == 1
    assert DocumentRender.objects.get(invoice=invoice).status == "done"
