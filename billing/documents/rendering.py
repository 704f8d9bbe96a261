"""Making each issued document's PDF once, in a worker, after the commit that issued it.

The path of one PDF:

1. `schedule_document_pdf` (called inside the transaction that issued the document) writes a
   `DocumentRender` job; after commit the invoice's id goes to the
   `billing.tasks.render_invoice_pdf` task (by name: services never import tasks).
2. `render_document_pdf` (the task's body) claims the job under its row lock with a lease,
   commits, renders with no lock held, writes the file to the private storage, then in one
   short transaction stores its name on the invoice — only if the invoice has none: an issued
   document's PDF never changes once made — marks the job done, writes the history row and,
   when the job asks, queues the e-mail to the buyer with the PDF attached (`emails.py`).
3. `sweep_document_renders` (beat) queues again the jobs whose lease passed (their worker
   died), fails those out of attempts, and hands due jobs (retries, hand-offs the broker never
   got) to the workers. So the database, not the broker, is the record of what is left to do.
"""

import enum
import logging
import secrets
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import BillingHistory, DocumentRender, Invoice
from ..models.invoices import invoice_pdf_path
from . import emails
from .pdf import document_queryset, pdf_filename, render_pdf

logger = logging.getLogger("billing.documents")

RENDER_TASK = "billing.tasks.render_invoice_pdf"
Status = DocumentRender.Status


class RenderOutcome(enum.StrEnum):
    RENDERED = "rendered"  # the PDF is made and stored now
    ALREADY_DONE = "already_done"  # the document has its PDF: nothing to do
    NOT_DUE = "not_due"  # another worker holds the job, or its retry time has not come
    RETRY = "retry"  # rendering failed; queued again for later
    FAILED = "failed"  # rendering failed for the last time
    LOST_LEASE = "lost_lease"  # took longer than the lease; the job had been given to another


def lease_seconds() -> int:
    """How long a claimed job is a worker's: the task's hard time limit plus a margin, so a
    worker still alive has surely been stopped by Celery before its job is handed out again."""
    return settings.CELERY_TASK_TIME_LIMIT + settings.BILLING_PDF_LEASE_MARGIN


def schedule_document_pdf(invoice: Invoice, *, send_to_buyer: bool = True) -> DocumentRender:
    """Have `invoice`'s PDF made (and e-mailed to the buyer) after the current commit.

    Side effects, in order: a `DocumentRender` row in the caller's transaction (one per
    document: scheduling again leaves the existing job as it is); after commit
    (`on_commit(robust=True)`) the id goes to the render task. A broker outage at that moment
    is logged, not raised: the sweep hands the job out later.
    """
    job, _created = DocumentRender.objects.get_or_create(
        invoice=invoice, defaults={"send_to_buyer": send_to_buyer}
    )
    transaction.on_commit(_render_after_commit(invoice.pk), robust=True)
    return job


def _render_after_commit(invoice_id: int):
    # A named function (not a partial): Django logs a failing robust callback by __qualname__.
    def hand_off_pdf() -> None:
        hand_off([invoice_id])

    return hand_off_pdf


def hand_off(invoice_ids: list[int]) -> None:
    """Publish one render task per document (by the task's name)."""
    for invoice_id in invoice_ids:
        current_app.signature(RENDER_TASK, args=(invoice_id,)).delay()


def render_document_pdf(invoice_id: int, *, now=None) -> RenderOutcome:
    """Make and store the PDF of issued document `invoice_id` unless it has one (the task).

    A document issued before this job existed, or whose job was lost, gets a job now (without
    the e-mail). See the module's docstring for the claim, the lease and the storing.
    """
    claim = _claim(invoice_id, now or timezone.now())
    if isinstance(claim, RenderOutcome):
        return claim
    try:
        invoice = document_queryset().get(pk=invoice_id)
        content = render_pdf(invoice)
    except Exception as error:  # a template or font fault: recorded on the job, retried
        logger.exception("The PDF of document %s could not be made", invoice_id)
        return _record_failure(invoice_id, claim, error)
    return _store(invoice, claim, content)


def _claim(invoice_id: int, now) -> str | RenderOutcome:
    with transaction.atomic():
        invoice = (
            Invoice.objects.filter(pk=invoice_id, status=Invoice.Status.ISSUED)
            .only("pk", "pdf")
            .first()
        )
        if invoice is None:
            return RenderOutcome.NOT_DUE
        job = DocumentRender.objects.select_for_update(skip_locked=True).filter(
            invoice_id=invoice_id
        )
        job = job.first()
        missing = pdf_missing(invoice)
        if job is None:
            if not missing:
                return RenderOutcome.ALREADY_DONE
            job, created = DocumentRender.objects.get_or_create(
                invoice_id=invoice_id, defaults={"send_to_buyer": False, "next_attempt_at": now}
            )
            if not created:  # another process made it a moment ago, and holds it
                return RenderOutcome.NOT_DUE
            job = DocumentRender.objects.select_for_update().get(pk=job.pk)
        if job.status == Status.DONE:
            if not missing:
                return RenderOutcome.ALREADY_DONE
            # Its file is gone (a lost disk, a restore without media): made again, not re-sent.
            job.status, job.attempts, job.send_to_buyer = Status.QUEUED, 0, False
            job.next_attempt_at = now
        if job.status != Status.QUEUED or job.next_attempt_at > now:
            return RenderOutcome.NOT_DUE
        job.status = Status.RENDERING
        job.claim = secrets.token_hex(16)
        job.attempts += 1
        job.rendering_until = now + timedelta(seconds=lease_seconds())
        job.dispatched_until = None
        job.save(
            update_fields=[
                "status",
                "claim",
                "attempts",
                "rendering_until",
                "dispatched_until",
                "send_to_buyer",
                "next_attempt_at",
            ]
        )
        return job.claim


def pdf_missing(invoice: Invoice) -> bool:
    """Whether `invoice` has no stored PDF: none made yet, or its file is gone."""
    return not invoice.pdf or not default_storage.exists(invoice.pdf.name)


def schedule_missing_pdf(invoice: Invoice) -> None:
    """Have an issued document's PDF made if it is missing (asked for by a download that found
    none): its job is queued again if it was done or failed, without the e-mail, and handed to
    the render task after commit. A job already queued or running is only handed out again
    (the claim lets one worker have it)."""
    with transaction.atomic():
        DocumentRender.objects.get_or_create(invoice=invoice, defaults={"send_to_buyer": False})
        job = DocumentRender.objects.select_for_update().get(invoice=invoice)
        if job.status in (Status.DONE, Status.FAILED) and pdf_missing(invoice):
            job.status, job.attempts, job.send_to_buyer = Status.QUEUED, 0, False
            job.next_attempt_at = timezone.now()
            job.save(update_fields=["status", "attempts", "send_to_buyer", "next_attempt_at"])
        transaction.on_commit(_render_after_commit(invoice.pk), robust=True)


def _held_job(invoice_id: int, claim: str) -> DocumentRender | None:
    """The job locked, if this claim still holds it."""
    return (
        DocumentRender.objects.select_for_update()
        .filter(invoice_id=invoice_id, status=Status.RENDERING, claim=claim)
        .first()
    )


def _record_failure(invoice_id: int, claim: str, error: Exception) -> RenderOutcome:
    with transaction.atomic():
        job = _held_job(invoice_id, claim)
        if job is None:
            return RenderOutcome.LOST_LEASE
        job.last_error = f"{type(error).__name__}: {error}"[:2000]
        job.rendering_until = None
        job.claim = ""
        delays = settings.BILLING_PDF_RETRY_DELAYS
        if job.attempts > len(delays):
            job.status = Status.FAILED
            outcome = RenderOutcome.FAILED
        else:
            job.status = Status.QUEUED
            job.next_attempt_at = timezone.now() + timedelta(seconds=delays[job.attempts - 1])
            outcome = RenderOutcome.RETRY
        job.save(
            update_fields=["last_error", "rendering_until", "claim", "status", "next_attempt_at"]
        )
    return outcome


def _store(invoice: Invoice, claim: str, content: bytes) -> RenderOutcome:
    # The file first (a random folder, never overwritten), then its name in one transaction;
    # a transaction that stores nothing removes the file it no longer needs.
    name = default_storage.save(
        invoice_pdf_path(invoice, pdf_filename(invoice)), ContentFile(content)
    )
    stored = False
    try:
        with transaction.atomic():
            job = _held_job(invoice.pk, claim)
            if job is None:
                return RenderOutcome.LOST_LEASE
            # Only where there is none (or its file is gone): a stored PDF never changes.
            invoice.refresh_from_db(fields=["pdf"])
            first = pdf_missing(invoice) and bool(
                Invoice.objects.filter(pk=invoice.pk, pdf=invoice.pdf.name or "").update(pdf=name)
            )
            if not first:
                invoice.refresh_from_db(fields=["pdf"])
                with invoice.pdf.open("rb") as kept:
                    content = kept.read()
            job.status = Status.DONE
            job.claim = ""
            job.rendering_until = None
            job.last_error = ""
            job.rendered_at = timezone.now()
            job.save(
                update_fields=["status", "claim", "rendering_until", "last_error", "rendered_at"]
            )
            if first:
                BillingHistory.objects.create(
                    invoice=invoice,
                    action=BillingHistory.Action.PDF_RENDERED,
                    details={"file": pdf_filename(invoice), "bytes": len(content)},
                )
            if job.send_to_buyer:
                emails.send_document(invoice, content)
        stored = first
    except Exception as error:  # e.g. the e-mail could not be queued: nothing was saved
        logger.exception("The PDF of document %s could not be stored", invoice.pk)
        return _record_failure(invoice.pk, claim, error)
    finally:
        if not stored:
            default_storage.delete(name)
    return RenderOutcome.RENDERED


def sweep_document_renders(*, now=None, limit: int = 500) -> dict[str, int]:
    """Beat's job: free jobs whose worker died, then hand due jobs to the workers.

    A job still "rendering" past its lease is queued again at once, or failed when it has used
    every attempt (`BILLING_PDF_RETRY_DELAYS` + 1). A queued job whose time has come and that
    was not handed out within `BILLING_PDF_DISPATCH_LEASE` seconds goes to the render task.
    """
    now = now or timezone.now()
    max_attempts = len(settings.BILLING_PDF_RETRY_DELAYS) + 1
    with transaction.atomic():
        stuck = DocumentRender.objects.select_for_update(skip_locked=True).filter(
            status=Status.RENDERING, rendering_until__lt=now
        )[:limit]
        released = failed = 0
        for job in stuck:
            job.claim = ""
            job.rendering_until = None
            job.last_error = "The worker stopped before the PDF was stored."
            if job.attempts >= max_attempts:
                job.status = Status.FAILED
                failed += 1
            else:
                job.status = Status.QUEUED
                job.next_attempt_at = timezone.now()  # due at once
                released += 1
            job.save(
                update_fields=[
                    "claim",
                    "rendering_until",
                    "last_error",
                    "status",
                    "next_attempt_at",
                ]
            )
    with transaction.atomic():
        due = list(
            DocumentRender.objects.select_for_update(skip_locked=True)
            .filter(status=Status.QUEUED, next_attempt_at__lte=now)
            .filter(Q(dispatched_until__isnull=True) | Q(dispatched_until__lt=now))
            .order_by("next_attempt_at", "pk")[:limit]
        )
        DocumentRender.objects.filter(pk__in=[job.pk for job in due]).update(
            dispatched_until=now + timedelta(seconds=settings.BILLING_PDF_DISPATCH_LEASE)
        )
        invoice_ids = [job.invoice_id for job in due]
    if invoice_ids:
        try:
            hand_off(invoice_ids)
        except Exception:  # the broker is down: the next sweep tries again
            logger.warning("Could not hand %s PDF jobs to the workers", len(invoice_ids))
            DocumentRender.objects.filter(invoice_id__in=invoice_ids).update(dispatched_until=None)
            invoice_ids = []
    return {"released": released, "failed": failed, "dispatched": len(invoice_ids)}
