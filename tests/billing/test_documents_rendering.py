"""Each issued document's PDF: made once after the commit that issued it, never changed, and
made after all when the worker that claimed it died halfway."""

import datetime
import secrets

import pytest
from django.utils import timezone

from billing.documents.rendering import RenderOutcome, lease_seconds, sweep_document_renders
from billing.models import BillingHistory, DocumentRender, Invoice
from billing.tasks import render_invoice_pdf
from mail.models import OutgoingEmail
from tests.billing.document_factories import make_invoice, make_uk_entity

pytestmark = pytest.mark.django_db


def test_nothing_is_rendered_inside_the_issuing_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invoice = make_invoice(make_uk_entity())

    job = DocumentRender.objects.get(invoice=invoice)
    assert (job.status, job.attempts, job.send_to_buyer) == ("queued", 0, True)
    assert not Invoice.objects.get(pk=invoice.pk).pdf
    assert not OutgoingEmail.objects.filter(kind="billing.invoice").exists()

    for callback in callbacks:  # the commit: the task runs (eagerly here)
        callback()

    invoice.refresh_from_db()
    assert invoice.pdf.name.endswith(f"invoice-{invoice.number}.pdf")
    assert DocumentRender.objects.get(invoice=invoice).status == "done"
    assert OutgoingEmail.objects.filter(kind="billing.invoice").count() == 1


def test_a_stored_pdf_never_changes_and_is_never_sent_twice(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = make_invoice(make_uk_entity())
    invoice.refresh_from_db()
    name = invoice.pdf.name
    with invoice.pdf.open("rb") as stored:
        first = stored.read()

    # The task delivered twice (a redelivery by the broker, a resend by the sweep).
    outcome = render_invoice_pdf.apply(kwargs={"invoice_id": invoice.pk}).get()

    assert outcome == RenderOutcome.ALREADY_DONE
    invoice.refresh_from_db()
    assert invoice.pdf.name == name
    with invoice.pdf.open("rb") as stored:
        assert stored.read() == first
    assert BillingHistory.objects.filter(invoice=invoice, action="pdf_rendered").count() == 1
    assert OutgoingEmail.objects.filter(kind="billing.invoice").count() == 1


def test_a_document_without_its_pdf_gets_one_without_a_second_email(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        invoice = make_invoice(make_uk_entity())
    DocumentRender.objects.filter(invoice=invoice).delete()  # issued before jobs existed

    outcome = render_invoice_pdf.apply(kwargs={"invoice_id": invoice.pk}).get()

    assert outcome == RenderOutcome.RENDERED
    invoice.refresh_from_db()
    assert invoice.pdf
    assert not OutgoingEmail.objects.filter(kind="billing.invoice").exists()


def test_a_draft_gets_no_pdf():
    draft = make_invoice(make_uk_entity(), issued=False)

    outcome = render_invoice_pdf.apply(kwargs={"invoice_id": draft.pk}).get()

    assert outcome == RenderOutcome.NOT_DUE
    assert not DocumentRender.objects.filter(invoice=draft).exists()


def _left_by_a_killed_worker(invoice, *, claimed_at) -> DocumentRender:
    """The job as a worker leaves it when it is killed after its claim's commit and before it
    stored anything: rendering, its claim and lease on the row, one attempt used."""
    DocumentRender.objects.filter(invoice=invoice).update(
        status=DocumentRender.Status.RENDERING,
        claim=secrets.token_hex(16),
        attempts=1,
        rendering_until=claimed_at + datetime.timedelta(seconds=lease_seconds()),
    )
    return DocumentRender.objects.get(invoice=invoice)


def test_a_job_whose_worker_died_is_rendered_and_sent_once_after_its_lease(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False):
        invoice = make_invoice(make_uk_entity())
    job = _left_by_a_killed_worker(invoice, claimed_at=timezone.now())
    just_before = job.rendering_until - datetime.timedelta(seconds=1)
    just_after = job.rendering_until + datetime.timedelta(seconds=1)

    # While the lease runs the worker may still be alive: its job is left alone, and a
    # redelivered task does not take it either.
    assert sweep_document_renders(now=just_before) == {
        "released": 0,
        "failed": 0,
        "dispatched": 0,
    }
    assert render_invoice_pdf.apply(kwargs={"invoice_id": invoice.pk}).get() == "not_due"
    # Past it, the sweep queues the job again and hands it to a worker (here: eagerly).
    with django_capture_on_commit_callbacks(execute=True):
        swept = sweep_document_renders(now=just_after)
    assert swept == {"released": 1, "failed": 0, "dispatched": 1}

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    invoice.refresh_from_db()
    assert invoice.pdf
    sent = OutgoingEmail.objects.filter(kind="billing.invoice")
    assert [email.status for email in sent] == ["sent"]
    assert [m.subject for m in mailoutbox].count(sent.get().subject) == 1
    # The next sweep finds nothing to do.
    later = just_after + datetime.timedelta(minutes=5)
    assert sweep_document_renders(now=later) == {"released": 0, "failed": 0, "dispatched": 0}


def test_a_job_that_killed_every_worker_is_failed_not_retried_forever(settings):
    settings.BILLING_PDF_RETRY_DELAYS = [30]  # two attempts in all
    invoice = make_invoice(make_uk_entity())
    job = _left_by_a_killed_worker(invoice, claimed_at=timezone.now())
    DocumentRender.objects.filter(pk=job.pk).update(attempts=2)

    outcome = sweep_document_renders(now=job.rendering_until + datetime.timedelta(seconds=1))

    assert outcome == {"released": 0, "failed": 1, "dispatched": 0}
    job.refresh_from_db()
    assert job.status == "failed"
    assert "stopped" in job.last_error


def test_sweep_hands_out_a_job_whose_hand_off_never_reached_the_broker(
    django_capture_on_commit_callbacks,
):
    # The issuing transaction committed but its process died before publishing the task.
    with django_capture_on_commit_callbacks(execute=False):
        invoice = make_invoice(make_uk_entity())

    assert sweep_document_renders()["dispatched"] == 1

    invoice.refresh_from_db()
    assert invoice.pdf
    assert DocumentRender.objects.get(invoice=invoice).status == "done"
