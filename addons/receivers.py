"""Add-ons' answers to registrations' announcements (`registrations.extensions`), connected
in `AddonsConfig.ready()`. They run inside the registration's transaction, with its event,
category and registration rows locked, and take the add-on rows after them (the lock order).
"""

from django.core.exceptions import ValidationError

from pricing.extensions import add_line_provider
from registrations.models import Registration

from . import selectors, services


def on_registration_created(sender, *, registration, actor, form_sections=None, **kwargs):
    """Book the add-ons ticked in the registration form's "Add-ons" section, after pricing's
    receiver has priced the registration (and locked its code: code rows lock before add-on
    rows); a confirmed priced booking re-prices it, before billing's receiver invoices. A
    refusal (the sale closed a moment ago) becomes the form's error and the whole
    registration rolls back: nothing is half-saved."""
    chosen = (form_sections or {}).get("addons") or {}
    add_ons = chosen.get("add_ons") or []
    if not add_ons:
        return
    try:
        services.book_add_ons(
            registration,
            add_ons,
            acting_user=actor,
            locks_held=True,
            details={
                "ppe_size": chosen.get("ppe_size", ""),
                "passport_name": chosen.get("passport_name", ""),
            },
        )
    except services.AddOnError as refusal:
        raise ValidationError(refusal.message) from refusal


def on_registration_status_changed(
    sender, *, registration, from_status, to_status, actor, **kwargs
):
    """A registration cancelled or rejected cancels its bookings (their places go down the
    waitlists); one that comes to hold a place (promoted) gets its waitlisted add-ons in turn."""
    if to_status in (Registration.Status.CANCELLED, Registration.Status.REJECTED):
        services.cancel_registration_bookings(registration, acting_user=actor)
    elif (
        to_status in Registration.PLACE_HOLDING_STATUSES
        and from_status not in Registration.PLACE_HOLDING_STATUSES
    ):
        services.promote_registration_waitlist(registration)


def connect_pricing() -> None:
    """Register the add-ons' price lines with pricing."""
    add_line_provider(selectors.price_lines)
