"""Billing's answers to registrations' announcements (`registrations.extensions`), connected
in `BillingConfig.ready()`. They run inside the registration's transaction, after its row
lock, so an invoice is made (or credited) with the change or not at all."""

from registrations.models import Registration

from . import services


def on_registration_created(sender, *, registration, actor, form_sections=None, **kwargs):
    """A paid registration gets its invoice: a draft while pending approval, issued at once
    when confirmed; the billing section of the form says whom to invoice."""
    billing_details = (form_sections or {}).get("billing")
    services.invoice_registration(registration, billing_details=billing_details, acting_user=actor)


def on_registration_status_changed(sender, *, registration, to_status, actor, **kwargs):
    """Approval or promotion makes (or issues) the invoice; cancellation or rejection
    discards the draft and credits what was issued."""
    if to_status in (Registration.Status.PENDING, Registration.Status.CONFIRMED):
        services.invoice_registration(registration, acting_user=actor)
    elif to_status in (Registration.Status.CANCELLED, Registration.Status.REJECTED):
        services.settle_cancelled_registration(registration, acting_user=actor)
