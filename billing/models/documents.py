"""The PDF of each issued document, as a job a worker does after the commit that issued it."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .invoices import Invoice


class DocumentRender(models.Model):
    """Making one issued document's PDF (and, when asked, e-mailing it to the buyer).

    Written in the transaction that issued the document, so a committed document always has
    its job even if the process dies right after the commit. A worker claims the row with a
    lease (`rendering_until`: the task's hard time limit plus a margin), renders with no lock
    held, then stores the file and marks the job done in one short transaction. Past the lease
    a job still "rendering" belongs to a worker that died, and beat's sweep queues it again;
    retry times live here (`next_attempt_at`), not in the broker.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    invoice = models.OneToOneField(
        Invoice,
        on_delete=models.CASCADE,
        related_name="pdf_render",
        verbose_name=_("document"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    send_to_buyer = models.BooleanField(
        _("e-mail to the buyer"),
        default=True,
        help_text=_("Once the PDF is made, e-mail it to the buyer with the document."),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Set by the sweep when it hands a due job to the workers: a job waiting in the broker is
    # not handed out again on every run.
    dispatched_until = models.DateTimeField(
        _("handed to the workers until"), null=True, blank=True, editable=False
    )
    rendering_until = models.DateTimeField(
        _("being rendered until"), null=True, blank=True, editable=False
    )
    # Which claim the running worker holds: a worker that outlived its lease (its job handed to
    # another) finds a different claim when it comes back, and stores nothing.
    claim = models.CharField(_("claim"), max_length=32, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("document PDF job")
        verbose_name_plural = _("document PDF jobs")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["queued", "rendering"]),
                name="billing_render_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.invoice} PDF ({self.status})"
