"""A real worker killed while it makes a PDF: the sweep gives the job to the next worker once
the lease has passed, and the buyer gets the invoice once, with its PDF."""

import datetime
import os
import signal

import pytest
from django.conf import settings

from billing.documents.rendering import sweep_document_renders
from billing.models import BillingHistory, DocumentRender, Invoice, InvoiceLine
from registrations.services import approve_registration
from tests.billing.document_factories import make_invoice, make_uk_entity
from tests.factories import make_user
from tests.integration.conftest import (  # noqa: F401  (fixtures)
    broker,
    private_redis,
    smtp_server,
    start_celery_worker,
    worker_environment,
)
from tests.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _job(invoice) -> DocumentRender | None:
    return DocumentRender.objects.filter(invoice=invoice).first()


def test_pdf_left_half_made_by_a_killed_worker_is_made_and_sent_once(
    smtp_server,  # noqa: F811
    broker,  # noqa: F811
    start_celery_worker,  # noqa: F811
):
    environment = worker_environment(
        broker_url=broker.url, smtp=smtp_server, MEDIA_ROOT=str(settings.MEDIA_ROOT)
    )
    # A long invoice (a draft waiting for approval, given many lines) takes the worker long
    # enough to be killed in the middle of it.
    draft = make_invoice(make_uk_entity(), issued=False)
    line = draft.lines.get()
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=draft, position=n, description=line.description, quantity=1,
            unit_price=0, net=0, vat=0, gross=0,
        )
        for n in range(2, 600)
    )  # fmt: skip
    first = start_celery_worker(environment)

    # Approval issues the invoice; after its commit the job goes to the first worker.
    approve_registration(draft.registration, acting_user=make_user(is_staff=True))
    invoice = Invoice.objects.get(pk=draft.pk)
    assert invoice.status == Invoice.Status.ISSUED
    wait_until(
        lambda: _job(invoice) and _job(invoice).status == DocumentRender.Status.RENDERING,
        60,
        lambda: f"The worker never claimed the PDF job:\n{first.log()[-3000:]}",
    )
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait(10)

    job = _job(invoice)
    assert (job.status, job.attempts) == (DocumentRender.Status.RENDERING, 1)
    invoice.refresh_from_db()
    assert not invoice.pdf
    # While the lease runs the worker might be alive: nothing is handed out again.
    before = job.rendering_until - datetime.timedelta(seconds=1)
    assert sweep_document_renders(now=before)["released"] == 0

    second = start_celery_worker(environment)
    after = job.rendering_until + datetime.timedelta(seconds=1)
    assert sweep_document_renders(now=after) == {"released": 1, "failed": 0, "dispatched": 1}

    wait_until(
        lambda: _job(invoice).status == DocumentRender.Status.DONE,
        180,
        lambda: f"The second worker did not make the PDF:\n{second.log()[-3000:]}",
    )
    subject = f"Invoice {invoice.number}: MINEX Europe 2026"
    wait_until(
        lambda: any(message["Subject"] == subject for message in smtp_server.messages),
        60,
        lambda: f"The invoice e-mail never arrived:\n{second.log()[-3000:]}",
    )
    [message] = [m for m in smtp_server.messages if m["Subject"] == subject]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"invoice-{invoice.number}.pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as stored:
        assert stored.read() == pdf
    assert _job(invoice).attempts == 2
    assert BillingHistory.objects.filter(invoice=invoice, action="pdf_rendered").count() == 1
    assert BillingHistory.objects.filter(invoice=invoice, action="sent").count() == 1
