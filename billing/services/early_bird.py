"""Early bird by payment date (docs/pricing.md, `pricing.EventPricing.early_bird_by_payment`).

A registration made before the early-bird deadline is priced early bird provisionally, and
its invoice falls due no later than the deadline (`issue_invoice`). After the deadline, a
registration not paid in full by it (payments received on or before the deadline's date) is
re-priced at the full price: pricing's `reprice_registration` at the current moment (its
other rules and add-ons kept), then its issued invoice is credited in full (a credit note:
an issued invoice is never changed) and a new invoice is made and issued at the new price
(`invoice_registration`); a draft is discarded and drafted again. Beat runs the sweep hourly.
"""

import datetime
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from events.models import Event
from pricing.models import EventPricing
from pricing.services import reprice_registration
from registrations.models import DelegateCategory, Registration

from ..models import Invoice, Payment
from .credits import credit_invoice
from .invoicing import discard_draft, invoice_registration

logger = logging.getLogger(__name__)

REASON = "early_bird_not_paid_by_deadline"


def paid_by(registration: Registration, day: datetime.date) -> Decimal:
    """What the registration's invoices received on or before `day` (refunds deducted)."""
    return Payment.objects.filter(
        invoice__registration=registration, received_on__lte=day
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0")


def lapse_early_bird(
    registration: Registration, *, acting_user: User | None = None, now=None
) -> bool:
    """Re-price one registration whose early bird was not paid by the deadline; return
    whether it was re-priced. Locks, in the documented order: the event, the category,
    the registration; then the invoices (billing's own services). Nothing happens when the
    event does not decide the early bird by payment, the deadline has not passed, the
    registration is not active or not priced early bird, or it was paid in full by then."""
    now = now or timezone.now()
    with transaction.atomic():
        Event.objects.select_for_update(no_key=True).filter(pk=registration.event_id).first()
        category = (
            DelegateCategory.objects.select_for_update(no_key=True)
            .filter(pk=registration.category_id)
            .first()
        )
        registration = (
            Registration.objects.select_for_update(no_key=True, of=("self",))
            .select_related("event", "category")
            .get(pk=registration.pk)
        )
        deadline = category.early_bird_deadline if category else None
        if (
            deadline is None
            or now < deadline
            or not registration.early_bird
            or registration.status not in Registration.ACTIVE_STATUSES
            or not EventPricing.objects.filter(
                event_id=registration.event_id, early_bird_by_payment=True
            ).exists()
        ):
            return False
        owed = (
            Invoice.objects.filter(
                registration=registration, kind=Invoice.Kind.INVOICE, status=Invoice.Status.ISSUED
            )
            .exclude(credit_notes__status=Invoice.Status.ISSUED)
            .aggregate(total=Sum("gross"))["total"]
        )
        if owed and paid_by(registration, deadline.astimezone(datetime.UTC).date()) >= owed:
            return False  # paid in full (the invoice's gross) by the deadline's date
        reprice_registration(registration, at=now)
        invoices = Invoice.objects.filter(
            registration=registration, kind=Invoice.Kind.INVOICE
        ).exclude(status=Invoice.Status.DISCARDED)
        for invoice in invoices.order_by("pk"):
            if invoice.status == Invoice.Status.DRAFT:
                discard_draft(invoice, acting_user=acting_user, reason=REASON)
            elif not invoice.credit_notes.exclude(status=Invoice.Status.DISCARDED).exists():
                credit_invoice(invoice, acting_user=acting_user, reason=REASON)
        invoice_registration(registration, acting_user=acting_user)
    return True


def lapse_unpaid_early_birds(*, now=None, limit: int = 500) -> int:
    """Beat's sweep: `lapse_early_bird` for each early-bird registration of an event that
    decides by payment date whose category's deadline has passed; returns how many were
    re-priced. Each in its own transaction."""
    now = now or timezone.now()
    candidates = Registration.objects.filter(
        early_bird=True,
        status__in=Registration.ACTIVE_STATUSES,
        category__early_bird_deadline__lte=now,
        event__pricing_settings__early_bird_by_payment=True,
    ).order_by("pk")[:limit]
    return sum(lapse_early_bird(registration, now=now) for registration in candidates)
