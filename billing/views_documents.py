"""Downloading an issued invoice or credit note as its stored PDF.

The delegate downloads their own registration's documents (anyone else's is a 404, as if it
did not exist); the secretariat (`billing.view_billing`) downloads any document of the forums
they may see (403 without the permission, 404 outside their forums). A document whose PDF is
still being made (or whose file was lost, and is made again) answers 503 with a translated
page and `Retry-After`. Every answer is
`Cache-Control: private, no-store` and an attachment.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from events.selectors import events_visible_to
from registrations.selectors import get_delegate_registration

from .documents.pdf import pdf_filename
from .documents.rendering import schedule_missing_pdf
from .models import Invoice

RETRY_AFTER_SECONDS = 30


def _pdf_response(request, invoice: Invoice):
    try:
        opened = invoice.pdf.open("rb") if invoice.pdf else None
    except FileNotFoundError:
        opened = None
    if opened is None:
        # Not made yet, failed, or its file is gone: have it made, and ask to come back.
        schedule_missing_pdf(invoice)
        response = render(
            request, "billing/documents/pdf_pending.html", {"invoice": invoice}, status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = FileResponse(
            opened,
            as_attachment=True,
            filename=pdf_filename(invoice),
            content_type="application/pdf",
        )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
def delegate_document_download(request, reference, invoice_id):
    """The delegate's own issued document of this registration."""
    registration = get_delegate_registration(request.user, reference)
    invoice = get_object_or_404(
        Invoice, pk=invoice_id, registration=registration, status=Invoice.Status.ISSUED
    )
    return _pdf_response(request, invoice)


@require_GET
@login_required
def staff_document_download(request, invoice_id):
    """Any issued document of the events the staff member may see, for the secretariat."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("billing.view_billing")):
        raise PermissionDenied
    invoice = (
        Invoice.objects.filter(
            pk=invoice_id,
            status=Invoice.Status.ISSUED,
            registration__event__in=events_visible_to(user),
        )
        .select_related("registration")
        .first()
    )
    if invoice is None:
        raise Http404
    return _pdf_response(request, invoice)
