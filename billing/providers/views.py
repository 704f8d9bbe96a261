"""Paying an invoice online: the delegate's "Pay by card" button, and Stripe's webhook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from registrations.selectors import get_delegate_registration

from ..models import Invoice
from . import PROVIDERS, get_provider
from .base import PaymentError
from .services import start_payment


@login_required
@require_POST
def pay_by_card(request, reference, invoice_id):
    """Send the delegate to Stripe's payment page for what their invoice still owes."""
    provider = get_provider("stripe")
    if provider is None:
        raise Http404
    registration = get_delegate_registration(request.user, reference)
    invoice = get_object_or_404(
        Invoice.objects.select_related("registration", "entity"),
        pk=invoice_id,
        registration=registration,
        kind=Invoice.Kind.INVOICE,
        status=Invoice.Status.ISSUED,
    )
    try:
        started = start_payment(invoice, provider=provider, request=request)
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect("registration_detail", reference=registration.reference)
    # 303: the browser follows with a GET, as Stripe's page expects after a POST.
    response = HttpResponseRedirect(started.redirect_url)
    response.status_code = 303
    return response


# Stripe signs its requests instead of carrying our CSRF token; the signature is checked
# before anything is read. The only view without CSRF protection.
@csrf_exempt
@require_POST
def stripe_webhook(request):
    provider = PROVIDERS["stripe"]
    if not provider.is_enabled():
        raise Http404
    return provider.handle_notification(request)
